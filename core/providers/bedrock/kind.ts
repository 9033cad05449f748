/**
 * The `bedrock` provider kind: Amazon Bedrock in one region (Converse for every family,
 * InvokeModel for bodies Bedrock takes as they are), with the instance's static keys, its
 * profile or the AWS SDK's credential chain, and optionally its own runtime endpoint.
 */
import { type CredentialState, defineProviderKind } from "../provider.ts";
import { createBedrockProvider } from "./bedrock_provider.ts";
import { bedrockClients } from "./clients.ts";
import { checkCredentials } from "./credentials.ts";
import { bedrockSettings } from "./settings.ts";

const FAMILIES =
  "anthropic|amazon|meta|mistral|cohere|ai21|deepseek|qwen|writer|twelvelabs|stability";

/** Bedrock model ids: a family, optionally behind a region / inference-profile prefix. */
export const BEDROCK_MODEL_PATTERN = new RegExp(
  `^(?:(?:us|us-gov|eu|apac|au|ca|jp|global)\\.)?(?:(?:${FAMILIES})\\.|openai\\.gpt-oss)`,
);

/** Bedrock ARNs (application inference profiles, provisioned and imported models). */
export const BEDROCK_ARN_PATTERN = /^arn:aws(?:-[a-z]+)*:bedrock:/;

export { bedrockSettings } from "./settings.ts";

/** The `bedrock` kind. */
export const bedrockKind = defineProviderKind({
  name: "bedrock",
  settings: bedrockSettings,
  patterns: [BEDROCK_MODEL_PATTERN, BEDROCK_ARN_PATTERN],
  create(id, settings, runtime) {
    const clients = bedrockClients(
      id,
      {
        region: settings.region,
        roleArn: settings.role_arn,
        externalId: settings.external_id,
        roleSessionName: settings.role_session_name,
        webIdentityTokenFile: (runtime.env.AWS_WEB_IDENTITY_TOKEN_FILE ?? "") !== "",
        profile: settings.profile,
        staticKeys: settings.access_key_id === undefined || settings.secret_access_key === undefined
          ? undefined
          : {
            accessKeyId: settings.access_key_id,
            secretAccessKey: settings.secret_access_key,
            ...(settings.session_token === undefined
              ? {}
              : { sessionToken: settings.session_token }),
          },
      },
      runtime,
      settings.endpoint,
    );
    const provider = createBedrockProvider({
      id,
      client: clients.runtime,
      controlClient: clients.control,
      fetchMedia: runtime.fetchMedia,
      logger: runtime.logger,
    });
    // Resolve the credentials once, in the background, so /health can tell "a source is
    // visible" from "it works". A Bedrock API key needs no SigV4 credentials.
    let credentials: CredentialState = clients.configured ? "checking" : "not_configured";
    if ((runtime.env.AWS_BEARER_TOKEN_BEDROCK ?? "") !== "") credentials = "resolved";
    else if (clients.configured) {
      const resolve = clients.credentials;
      checkCredentials(() => typeof resolve === "function" ? resolve() : Promise.resolve(resolve))
        .then((state) => credentials = state);
    }
    const state = clients.configured ? "configured" : "not_configured";
    return { provider, health: () => ({ state, credentials }) };
  },
});

/**
 * The Bedrock runtime and control-plane SDK clients of one instance. Credentials are the
 * instance's static keys, its profile or the SDK default chain (plus `role_arn` assumed on top;
 * `credentials.ts`); the runtime client goes to the instance's `endpoint` when it names one.
 * `AWS_BEARER_TOKEN_BEDROCK` and the `AWS_ENDPOINT_URL_BEDROCK[_RUNTIME]` overrides are read by
 * the SDK itself.
 */
import { BedrockClient } from "@aws-sdk/client-bedrock";
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import http from "node:http";
import https from "node:https";
import type { ProviderRuntime } from "../provider.ts";
import { BoundedHttpHandler } from "./bounded_handler.ts";
import {
  type BedrockCredentialOptions,
  type BedrockCredentialProvider,
  createBedrockCredentials,
  hasCredentialHints,
  hasOwnCredentials,
} from "./credentials.ts";
import type { BedrockControlClient } from "./models.ts";
import { withResilientSend } from "./resilient_send.ts";

/** An instance's clients, and whether a credential source is visible. */
export interface BedrockClients {
  runtime: ReturnType<typeof withResilientSend<BedrockRuntimeClient>>;
  credentials: BedrockCredentialProvider;
  /** Undefined without a visible credential source: the model list is then the catalog. */
  control: BedrockControlClient | undefined;
  configured: boolean;
}

/**
 * Builds the clients of instance `id`; `endpoint` is a custom runtime endpoint URL.
 *
 * @example
 * const clients = bedrockClients("bedrock", { region: "us-east-1" }, runtime);
 */
export function bedrockClients(
  id: string,
  credentialOptions: BedrockCredentialOptions,
  runtime: ProviderRuntime,
  endpoint?: string,
): BedrockClients {
  const credentials = createBedrockCredentials(credentialOptions);
  const common = { region: credentialOptions.region, credentials };
  const requestTimeout = runtime.retry.timeoutMs; // idle time without a byte from Bedrock
  // Without a visible credential source the model list is the built-in catalog: listing would
  // otherwise probe the instance metadata service on every refresh.
  const configured = hasOwnCredentials(credentialOptions) ||
    hasCredentialHints(runtime.env, runtime.fileExists);
  return {
    // HTTP/1.1 with keep-alive: the SDK's default HTTP/2 handler opened a session per request
    // (about 40% more CPU per request in `deno task bench`). Retries and deadlines are the
    // gateway's (withResilientSend; the SDK's own retries are off and the handler's socket timer
    // does not fire under Deno); the handler bounds JSON answers (MAX_RESPONSE_BYTES).
    runtime: withResilientSend(
      new BedrockRuntimeClient({
        ...common,
        ...(endpoint === undefined ? {} : { endpoint }),
        maxAttempts: 1,
        requestHandler: new BoundedHttpHandler(runtime.maxResponseBytes, {
          requestTimeout,
          httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
          httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256 }),
        }),
      }),
      { retry: runtime.retry, logger: runtime.logger, provider: id },
    ),
    credentials,
    control: configured
      ? new BedrockClient({
        ...common,
        maxAttempts: runtime.retry.maxRetries + 1,
        requestHandler: { requestTimeout },
      })
      : undefined,
    configured,
  };
}

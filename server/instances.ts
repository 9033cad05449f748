/**
 * The process's provider instances: the ones the environment configures, or a config file's
 * (`GATEWAY_CONFIG`, `./gateway.yaml`), and what the AWS credential chain needs besides the
 * environment it reads itself. Used by `main.ts` (the composition root) and the tests.
 */
import { type Config, ConfigError } from "../core/config.ts";
import { ConfigFileError, configFilePath, loadConfigFile } from "../core/config_file/load.ts";
import { type InstanceSpec, PROVIDER_KINDS } from "../core/providers/registry.ts";
import type { AliasConfig, RouterConfig } from "../core/deployments/schema.ts";
import type { Price } from "../core/usage/prices.ts";
import type { ModelLimits } from "../core/limits/schema.ts";

/** Whether `path` is an existing file. */
export const fileExists = (path: string) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
};

/** What the AWS credential chain needs besides the process environment it reads itself. */
export function credentialOptions(config: Config) {
  return {
    region: config.awsRegion,
    roleArn: config.awsRoleArn,
    externalId: config.awsExternalId,
    roleSessionName: config.awsRoleSessionName,
    webIdentityTokenFile: (Deno.env.get("AWS_WEB_IDENTITY_TOKEN_FILE") ?? "") !== "",
  };
}

/**
 * The provider instances today's environment configures: `openai` (OPENAI_API_KEY,
 * OPENAI_BASE_URL), `bedrock` (AWS_REGION and the AWS credential chain), `anthropic` when
 * ANTHROPIC_API_KEY is set (it claims no ids: `anthropic/<model>`) and `mock` (MOCK_MODELS), in
 * this order, which is the order their model-id patterns are tried in.
 */
export function envInstances(config: Config): InstanceSpec[] {
  return [
    {
      id: "openai",
      kind: "openai",
      settings: {
        api_key: config.openaiApiKey,
        base_url: config.openaiBaseUrl,
        organization: config.openaiOrganization,
        project: config.openaiProject,
        responses_api: config.openaiResponsesApi,
      },
    },
    {
      id: "bedrock",
      kind: "bedrock",
      settings: {
        region: config.awsRegion,
        role_arn: config.awsRoleArn,
        external_id: config.awsExternalId,
        role_session_name: config.awsRoleSessionName,
      },
    },
    ...(config.anthropicApiKey === undefined ? [] : [{
      id: "anthropic",
      kind: "anthropic",
      settings: { api_key: config.anthropicApiKey, base_url: config.anthropicBaseUrl },
    }]),
    { id: "mock", kind: "mock", settings: { enabled: config.mockModels } },
  ];
}

/** What {@link configuredInstances} found: the provider instances, the file's aliases and
 * routing settings, and the config file they come from (undefined: the environment's). */
export interface ConfiguredInstances {
  instances: InstanceSpec[];
  aliases?: readonly AliasConfig[];
  router?: RouterConfig;
  /** Price overrides (USD per million tokens) over the built-in table. */
  prices?: Readonly<Record<string, Price>>;
  /** Rate limits per model id or alias (the file's `limits.models`). */
  modelLimits?: Readonly<ModelLimits>;
  file?: string;
}

/**
 * The provider instances, aliases and routing settings: the config file's (`GATEWAY_CONFIG`, or
 * `./gateway.yaml` when it exists) when there is one, else the environment's instances
 * ({@link envInstances}) and no aliases. Throws {@link ConfigFileError} with one line per
 * problem.
 */
export function configuredInstances(
  config: Config,
  env: Record<string, string | undefined>,
): ConfiguredInstances {
  const file = configFilePath(config.gatewayConfig, fileExists);
  if (file === undefined) {
    const instances = envInstances(config);
    const ids = instances.map((i) => i.id);
    if (config.defaultProvider !== undefined && !ids.includes(config.defaultProvider)) {
      throw new ConfigError(
        `Invalid configuration: DEFAULT_PROVIDER '${config.defaultProvider}' is not a provider (${
          ids.join(", ")
        }; more come from a config file, GATEWAY_CONFIG)`,
      );
    }
    return { instances };
  }
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "not found" : (error as Error).message;
    throw new ConfigFileError([`${file}: cannot read the config file (GATEWAY_CONFIG): ${reason}`]);
  }
  const { instances, aliases, router, prices, modelLimits } = loadConfigFile(
    text,
    file,
    env,
    PROVIDER_KINDS,
  );
  const ids = instances.map((i) => i.id);
  if (config.defaultProvider !== undefined && !ids.includes(config.defaultProvider)) {
    throw new ConfigFileError([
      `${file}: providers: DEFAULT_PROVIDER '${config.defaultProvider}' is not one of them (${
        ids.join(", ")
      })`,
    ]);
  }
  return { instances, aliases, router, prices, modelLimits, file };
}

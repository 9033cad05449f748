/**
 * The process environment as the gateway reads it: `./.env` under the real environment, and the
 * secrets the logger redacts. Used by `main.ts` (the composition root).
 */
import { type Config, databaseUrlSecrets } from "../core/config.ts";
import { mergeEnv, parseDotenv } from "../core/dotenv.ts";
import type { InstanceSpec } from "../core/providers/registry.ts";

/** Reads `./.env` (if any) under the real environment, and exports its values to `Deno.env` so
 * the AWS SDK's credential chain sees them too. Real environment variables win. */
export function loadEnvironment(): Record<string, string | undefined> {
  let dotenv: Record<string, string> = {};
  try {
    dotenv = parseDotenv(Deno.readTextFileSync(".env"));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const env = mergeEnv(Deno.env.toObject(), dotenv);
  for (const [key, value] of Object.entries(dotenv)) {
    if (Deno.env.get(key) === undefined) Deno.env.set(key, value);
  }
  return env;
}

/** Settings that hold a secret, whatever the kind. */
const SECRET_SETTINGS = ["api_key", "azure_ad_token", "secret_access_key", "session_token"];

/** Header names that carry a credential (`x-api-key`, `proxy-authorization`, `x-auth-token`…). */
const CREDENTIAL_HEADER = /auth|key|token|secret|password|credential|cookie|signature/i;

/**
 * Every secret-looking value of the instances' settings (interpolated from the config file):
 * the secret settings and the values of credential-named `headers`, for log redaction.
 *
 * @example
 * instanceSecrets([{ id: "a", kind: "openai", settings: { api_key: "sk-1", headers: { "x-api-key": "k2" } } }]);
 * // ["sk-1", "k2"]
 */
export function instanceSecrets(instances: readonly InstanceSpec[]): string[] {
  const secrets: string[] = [];
  for (const { settings } of instances) {
    if (typeof settings !== "object" || settings === null) continue;
    const values = settings as Record<string, unknown>;
    for (const name of SECRET_SETTINGS) {
      if (typeof values[name] === "string") secrets.push(values[name]);
    }
    const headers = values.headers;
    if (typeof headers !== "object" || headers === null) continue;
    for (const [name, value] of Object.entries(headers)) {
      if (CREDENTIAL_HEADER.test(name) && typeof value === "string") secrets.push(value);
    }
  }
  return secrets.filter((secret) => secret !== "");
}

/** Every secret the gateway knows of at start-up: client keys, provider keys (the instances'
 * and the environment's), AWS secrets, the database and Redis passwords. */
export function secretsOf(config: Config, instances: readonly InstanceSpec[]): string[] {
  return [
    ...config.apiKeys,
    config.adminApiKey,
    ...instanceSecrets(instances),
    config.openaiApiKey,
    Deno.env.get("AWS_SECRET_ACCESS_KEY"),
    Deno.env.get("AWS_SESSION_TOKEN"),
    Deno.env.get("AWS_BEARER_TOKEN_BEDROCK"),
    ...databaseUrlSecrets(config.databaseUrl),
    ...databaseUrlSecrets(config.redisUrl),
  ]
    .filter((s): s is string => s !== undefined && s !== "");
}

/** The text of a file, or undefined when it cannot be read. */
export const readTextIfExists = (path: string): string | undefined => {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
};

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

/** The `api_key` settings of the instances (a config file's secrets, interpolated). */
export function instanceSecrets(instances: readonly InstanceSpec[]): string[] {
  return instances.map((i) => (i.settings as { api_key?: unknown } | undefined)?.api_key)
    .filter((key): key is string => typeof key === "string");
}

/** Every secret the gateway knows of at start-up: client keys, provider keys (the instances'
 * and the environment's), AWS secrets, the database password. */
export function secretsOf(config: Config, instances: readonly InstanceSpec[]): string[] {
  return [
    ...config.apiKeys,
    ...instanceSecrets(instances),
    config.openaiApiKey,
    Deno.env.get("AWS_SECRET_ACCESS_KEY"),
    Deno.env.get("AWS_SESSION_TOKEN"),
    Deno.env.get("AWS_BEARER_TOKEN_BEDROCK"),
    ...databaseUrlSecrets(config.databaseUrl),
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

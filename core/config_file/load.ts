/**
 * Loads the optional config file (`GATEWAY_CONFIG`, default `./gateway.yaml` when present):
 * parse YAML or JSON (by extension, else by content), interpolate `${VAR}` from the environment
 * passed in, validate with zod. Pure: the caller reads the file and passes its text; every
 * problem becomes one line `<file>: <path>: <message>`.
 */
import { LineCounter, parseDocument } from "yaml";
import { ConfigError } from "../config.ts";
import { type FileProblem, interpolate } from "./interpolate.ts";
import type { AliasConfig, RouterConfig } from "../deployments/schema.ts";
import type { Price } from "../usage/prices.ts";
import type { ModelLimits } from "../limits/schema.ts";
import { type KindSchema, validateFile } from "./schema.ts";

/** The file looked for when `GATEWAY_CONFIG` is unset. */
export const DEFAULT_CONFIG_FILE = "gateway.yaml";

/** Thrown for a bad config file: `problems` holds one line per problem (also the message). */
export class ConfigFileError extends ConfigError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ConfigFileError";
  }
}

/** One provider instance of the file: the shape `createProviders` takes (`InstanceSpec`). */
export interface FileInstance {
  id: string;
  kind: string;
  settings: unknown;
}

/** A loaded config file: the provider instances it describes (in file order), its aliases and
 * routing settings. */
export interface LoadedConfigFile {
  file: string;
  instances: FileInstance[];
  aliases: AliasConfig[];
  router: RouterConfig;
  /** Price overrides (USD per million tokens), by model id or name. */
  prices: Record<string, Price>;
  /** Rate limits per model id or alias (`limits.models`). */
  modelLimits: ModelLimits;
}

/**
 * Which file to load: `GATEWAY_CONFIG` when set (it must exist), else `./gateway.yaml` when it
 * exists, else none.
 *
 * @example
 * configFilePath(undefined, () => false); // undefined
 */
export function configFilePath(
  configured: string | undefined,
  exists: (path: string) => boolean,
): string | undefined {
  if (configured !== undefined && configured.trim() !== "") return configured.trim();
  return exists(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
}

function parseText(text: string, file: string): { data: unknown; problems: FileProblem[] } {
  const json = /\.json$/i.test(file) || (!/\.ya?ml$/i.test(file) && /^\s*\{/.test(text));
  if (json) {
    try {
      return { data: JSON.parse(text), problems: [] };
    } catch (error) {
      return {
        data: undefined,
        problems: [{ path: "(file)", message: `invalid JSON: ${(error as Error).message}` }],
      };
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length > 0) {
    return {
      data: undefined,
      problems: doc.errors.map((e) => ({
        path: `line ${lineCounter.linePos(e.pos[0]).line}`,
        message: `invalid YAML: ${e.message.split("\n")[0]}`,
      })),
    };
  }
  return { data: doc.toJS(), problems: [] };
}

/**
 * Parses, interpolates and validates a config file's text. Throws {@link ConfigFileError}
 * with one line per problem, each naming the file and the path.
 *
 * @example
 * loadConfigFile("providers: {m: {kind: mock}}", "gateway.yaml", {}, PROVIDER_KINDS)
 *   .instances; // [{ id: "m", kind: "mock", settings: {} }]
 */
export function loadConfigFile(
  text: string,
  file: string,
  env: Record<string, string | undefined>,
  kinds: readonly KindSchema[],
): LoadedConfigFile {
  const fail = (problems: FileProblem[]) => {
    throw new ConfigFileError(problems.map((p) => `${file}: ${p.path}: ${p.message}`));
  };
  const parsed = parseText(text, file);
  if (parsed.problems.length > 0) fail(parsed.problems);
  const interpolated = interpolate(parsed.data, env);
  if (interpolated.problems.length > 0) fail(interpolated.problems);
  const { providers, aliases, router, prices, modelLimits, problems } = validateFile(
    interpolated.value,
    kinds,
  );
  if (problems.length > 0) fail(problems);
  return {
    file,
    instances: providers.map((p) => ({ id: p.id, kind: p.kind, settings: p.settings })),
    aliases,
    router,
    prices,
    modelLimits,
  };
}

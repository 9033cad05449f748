/**
 * The configuration the CLI knows about: the gateway's keys (SPEC §2) plus its own
 * (`GATEWAY_URL`, `GATEWAY_API_KEY`, `DEFAULT_MODEL`, `CHAT_HISTORY_DIR`), each resolved to its
 * effective value and source (environment, `.env` or default), and validation of edits with
 * core/config.ts `parseConfig` on the merged result. Pure: callers pass the environment in.
 */
import { ConfigError, parseConfig, redactDatabaseUrl } from "../core/config.ts";
import { mergeEnv } from "../core/dotenv.ts";
import { maskSecret } from "./render.ts";

/** A configuration key. */
export interface KnownKey {
  key: string;
  description: string;
  secret?: boolean;
  /** Used by the CLI rather than the gateway. */
  cli?: boolean;
  /** Asked for by the interactive `config set`. */
  prompt?: boolean;
  /** The default, given the merged environment (undefined: unset). */
  fallback?: (env: Env) => string | undefined;
}

/** An environment record. */
export type Env = Record<string, string | undefined>;

const constant = (v: string) => () => v;

/** Every key `config` shows, in display order. */
export const KNOWN_KEYS: KnownKey[] = [
  {
    key: "GATEWAY_URL",
    description: "gateway URL the CLI talks to",
    cli: true,
    prompt: true,
    fallback: (e) => defaultGatewayUrl(e),
  },
  {
    key: "GATEWAY_API_KEY",
    description: "client key the CLI sends",
    cli: true,
    secret: true,
    prompt: true,
    fallback: (e) => firstApiKey(e),
  },
  {
    key: "DEFAULT_MODEL",
    description: "model for `chat` without --model",
    cli: true,
    prompt: true,
    fallback: constant("mock-echo"),
  },
  {
    key: "CHAT_HISTORY_DIR",
    description: "where chat sessions are saved",
    cli: true,
    fallback: (e) => defaultHistoryDir(e),
  },
  {
    key: "CHAT_PROMPT_HISTORY",
    description: "file of the prompts typed in chat (↑/↓)",
    cli: true,
    fallback: (e) => defaultPromptHistoryFile(e),
  },
  {
    key: "CHAT_STATS",
    description: "footer with tokens and latency after each answer (true/false)",
    cli: true,
    fallback: constant("false"),
  },
  { key: "HOST", description: "bind address", prompt: true, fallback: constant("127.0.0.1") },
  { key: "PORT", description: "port", prompt: true, fallback: constant("8000") },
  { key: "API_KEY", description: "comma-separated client keys", secret: true, prompt: true },
  {
    key: "ADMIN_API_KEY",
    description: "admin key (virtual keys, /admin/*)",
    secret: true,
    fallback: (e) => firstApiKey(e),
  },
  { key: "OPENAI_API_KEY", description: "OpenAI upstream key", secret: true, prompt: true },
  {
    key: "OPENAI_BASE_URL",
    description: "OpenAI-compatible upstream",
    prompt: true,
    fallback: constant("https://api.openai.com/v1"),
  },
  {
    key: "AWS_REGION",
    description: "Bedrock region",
    prompt: true,
    fallback: (e) => nonEmpty(e.AWS_DEFAULT_REGION) ?? "us-east-1",
  },
  { key: "AWS_DEFAULT_REGION", description: "Bedrock region (fallback)" },
  { key: "AWS_PROFILE", description: "AWS shared-config profile" },
  { key: "AWS_ACCESS_KEY_ID", description: "AWS access key id", secret: true },
  { key: "AWS_SECRET_ACCESS_KEY", description: "AWS secret key", secret: true },
  { key: "AWS_SESSION_TOKEN", description: "AWS session token", secret: true },
  { key: "AWS_BEARER_TOKEN_BEDROCK", description: "Bedrock API key", secret: true },
  { key: "AWS_ROLE_ARN", description: "role assumed on top of the credentials" },
  { key: "AWS_EXTERNAL_ID", description: "external id for AWS_ROLE_ARN" },
  { key: "AWS_ROLE_SESSION_NAME", description: "session name for AWS_ROLE_ARN" },
  { key: "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", description: "Bedrock runtime endpoint override" },
  { key: "AWS_ENDPOINT_URL_S3", description: "S3 endpoint override" },
  {
    key: "DEFAULT_PROVIDER",
    description: "provider instance id for unrouted model ids",
    prompt: true,
  },
  { key: "FILES_BACKEND", description: "local or s3", fallback: constant("local") },
  {
    key: "FILES_DIR",
    description: "directory of the local files backend",
    fallback: constant("./data/files"),
  },
  { key: "S3_FILES_BUCKET", description: "bucket of the s3 files backend" },
  { key: "MAX_REQUEST_BYTES", description: "request body limit", fallback: constant("20971520") },
  { key: "MAX_FILE_BYTES", description: "upload limit", fallback: constant("26214400") },
  { key: "UPSTREAM_TIMEOUT_MS", description: "upstream timeout", fallback: constant("600000") },
  { key: "UPSTREAM_MAX_RETRIES", description: "upstream retries", fallback: constant("2") },
  {
    key: "LOG_LEVEL",
    description: "debug, info, warn or error",
    prompt: true,
    fallback: constant("info"),
  },
  { key: "MOCK_MODELS", description: "serve the mock-* models", fallback: constant("true") },
  {
    key: "FILES_CONTEXT_MAX_CHARS",
    description: "bound on file context",
    fallback: constant("200000"),
  },
  {
    key: "ALLOW_PRIVATE_IMAGE_URLS",
    description: "fetch images on private addresses",
    fallback: constant("false"),
  },
  {
    key: "WORKERS",
    description: "serving workers (default: one per CPU core)",
    fallback: () => String(navigator.hardwareConcurrency),
  },
  {
    key: "MAX_JSON_DEPTH",
    description: "deepest JSON nesting accepted",
    fallback: constant("128"),
  },
  {
    key: "MAX_RESPONSE_BYTES",
    description: "largest non-streaming upstream answer",
    fallback: constant("67108864"),
  },
  { key: "CORS_ORIGINS", description: "origins allowed from browsers (comma-separated, or *)" },
  {
    key: "MAX_CONNECTIONS",
    description: "open connections per process (0: from the open-files limit)",
    fallback: constant("0"),
  },
  {
    key: "MAX_CONNECTIONS_PER_IP",
    description: "open connections per client address (0: MAX_CONNECTIONS)",
    fallback: constant("0"),
  },
  {
    key: "HEADERS_TIMEOUT_MS",
    description: "request headers deadline",
    fallback: constant("10000"),
  },
  {
    key: "KEEPALIVE_TIMEOUT_MS",
    description: "idle keep-alive connection lifetime",
    fallback: constant("65000"),
  },
  {
    key: "SHUTDOWN_GRACE_MS",
    description: "in-flight time allowed on SIGTERM",
    fallback: constant("10000"),
  },
  {
    key: "GATEWAY_CONFIG",
    description: "providers file (YAML or JSON); default ./gateway.yaml when present",
  },
  {
    key: "DATA_DIR",
    description: "directory of the SQLite state store",
    fallback: constant("./data"),
  },
  {
    key: "DATABASE_URL",
    description: "PostgreSQL for the state store (instead of SQLite)",
    secret: true,
  },
  {
    key: "RESPONSES_TTL_DAYS",
    description: "days stored responses are kept",
    fallback: constant("30"),
  },
];

const BY_NAME = new Map(KNOWN_KEYS.map((k) => [k.key, k]));

/** The known key named `name` (case-insensitive), if any. */
export function findKey(name: string): KnownKey | undefined {
  return BY_NAME.get(name.trim().toUpperCase());
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/** `API_KEY`'s first key, if any. */
export function firstApiKey(env: Env): string | undefined {
  return nonEmpty(env.API_KEY)?.split(",").map((k) => k.trim()).find((k) => k !== "");
}

/** `http://127.0.0.1:<PORT or 8000>`. */
export function defaultGatewayUrl(env: Env): string {
  const port = nonEmpty(env.PORT);
  return `http://127.0.0.1:${port !== undefined && /^\d+$/.test(port) ? port : "8000"}`;
}

/** The CLI's directory under the user's config directory, joined with `name`. */
function configPath(env: Env, name: string): string {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  if (xdg !== undefined) return `${xdg}/llm-gateway/${name}`;
  const appData = nonEmpty(env.APPDATA);
  if (appData !== undefined) return `${appData}\\llm-gateway\\${name}`;
  const home = nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? ".";
  return `${home}/.config/llm-gateway/${name}`;
}

/**
 * The default chat history directory under the user's config directory:
 * `$XDG_CONFIG_HOME/llm-gateway/history`, else `~/.config/…` (`%APPDATA%\…` on Windows).
 */
export function defaultHistoryDir(env: Env): string {
  return configPath(env, "history");
}

/** The default prompt history file, next to the history directory: `…/llm-gateway/prompts`. */
export function defaultPromptHistoryFile(env: Env): string {
  return configPath(env, "prompts");
}

/** Whether a boolean setting's value is on (`true`, `1`, `yes`, `on`). */
export function isOn(value: string | undefined): boolean {
  return value !== undefined && /^(true|1|yes|on)$/i.test(value.trim());
}

/** Where a value came from. */
export type Source = "environment" | ".env" | "default" | "unset";

/** A key's effective value and its source. */
export interface Resolved {
  key: string;
  value: string | undefined;
  source: Source;
}

/**
 * Resolves a key the way the gateway does: a non-empty environment variable wins over `.env`,
 * which wins over the default.
 *
 * @example
 * resolveKey("PORT", { PORT: "1" }, { PORT: "2" }); // { key: "PORT", value: "1", source: "environment" }
 */
export function resolveKey(key: string, env: Env, dotenv: Record<string, string>): Resolved {
  const fromEnv = env[key];
  if (fromEnv !== undefined && fromEnv !== "") {
    return { key, value: fromEnv, source: "environment" };
  }
  if (dotenv[key] !== undefined && dotenv[key] !== "") {
    return { key, value: dotenv[key], source: ".env" };
  }
  const fallback = BY_NAME.get(key)?.fallback?.(mergeEnv(env, dotenv));
  return fallback === undefined
    ? { key, value: undefined, source: "unset" }
    : { key, value: fallback, source: "default" };
}

/** The value as shown to the user: secrets masked, unset as `(unset)`. */
export function displayValue(key: string, value: string | undefined): string {
  if (value === undefined) return "(unset)";
  if (key === "DATABASE_URL") return redactDatabaseUrl(value);
  return BY_NAME.get(key)?.secret ? maskSecret(value) : value;
}

function validateCliKey(key: string, value: string): string | undefined {
  switch (key) {
    case "GATEWAY_URL":
      if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
        return `GATEWAY_URL must be an http(s) URL, got '${value}'`;
      }
      return undefined;
    case "CHAT_STATS":
      return /^(true|false|1|0|yes|no|on|off)$/i.test(value.trim())
        ? undefined
        : `CHAT_STATS must be true or false, got '${value}'`;
    case "DEFAULT_MODEL":
    case "CHAT_HISTORY_DIR":
    case "CHAT_PROMPT_HISTORY":
      return value.trim() === "" ? `${key} must not be empty` : undefined;
    default:
      return undefined;
  }
}

function configProblem(env: Env): string | undefined {
  try {
    parseConfig(env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(/^Invalid configuration: /, "");
    throw error;
  }
}

/**
 * Checks `.env` edits: each new value on its own, then the whole merged configuration with
 * `parseConfig` — with the edited keys taking their new values even where the environment
 * overrides them. A problem that already existed before the edit is not blamed on it. Returns
 * the problem, or undefined when the edit is valid.
 *
 * @example
 * validateEdit({}, {}, { PORT: "x" }); // "PORT must be an integer between 0 and 65535, got 'x'"
 */
export function validateEdit(
  env: Env,
  before: Record<string, string>,
  changes: Record<string, string | undefined>,
): string | undefined {
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const problem = validateCliKey(key, value);
    if (problem !== undefined) return problem;
  }
  const after: Record<string, string> = { ...before };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete after[key];
    else after[key] = value;
  }
  const mergedAfter: Env = mergeEnv(env, after);
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) mergedAfter[key] = value;
  }
  const problem = configProblem(mergedAfter);
  if (problem === undefined) return undefined;
  return problem === configProblem(mergeEnv(env, before)) ? undefined : problem;
}

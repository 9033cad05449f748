/**
 * Gateway configuration parsed from an environment record (SPEC §2). Pure: `main.ts` passes
 * the merged environment in; nothing here reads the process environment.
 */
import { z } from "zod";

/** Log levels in increasing severity. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

const boolFromEnv = (name: string, fallback: boolean) =>
  z.string().optional().transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return fallback;
    const s = v.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(s)) return true;
    if (["0", "false", "no", "off"].includes(s)) return false;
    ctx.addIssue({ code: "custom", message: `${name} must be true or false, got '${v}'` });
    return z.NEVER;
  });

const intFromEnv = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.string().optional().transform((v, ctx) => {
    if (v === undefined || v.trim() === "") return fallback;
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({
        code: "custom",
        message: `${name} must be an integer between ${min} and ${max}, got '${v}'`,
      });
      return z.NEVER;
    }
    return n;
  });

const optionalString = z.string().optional().transform((v) =>
  v === undefined || v.trim() === "" ? undefined : v.trim()
);

const envSchema = z.object({
  HOST: optionalString.transform((v) => v ?? "127.0.0.1"),
  PORT: intFromEnv("PORT", 8000, 0, 65535),
  API_KEY: optionalString.transform((v) =>
    v === undefined ? [] : v.split(",").map((k) => k.trim()).filter((k) => k !== "")
  ),
  ADMIN_API_KEY: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalString.transform((v, ctx) => {
    const url = v ?? "https://api.openai.com/v1";
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      ctx.addIssue({ code: "custom", message: `OPENAI_BASE_URL must be an http(s) URL` });
      return z.NEVER;
    }
    return url.replace(/\/+$/, "");
  }),
  OPENAI_ORG_ID: optionalString,
  OPENAI_PROJECT_ID: optionalString,
  OPENAI_RESPONSES_API: optionalString.transform((v, ctx) => {
    const value = (v ?? "auto").toLowerCase();
    if (value !== "auto" && value !== "true" && value !== "false") {
      ctx.addIssue({ code: "custom", message: "OPENAI_RESPONSES_API must be auto, true or false" });
      return z.NEVER;
    }
    return value as "auto" | "true" | "false";
  }),
  ANTHROPIC_API_KEY: optionalString,
  ANTHROPIC_BASE_URL: optionalString.transform((v, ctx) => {
    const url = v ?? "https://api.anthropic.com";
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      ctx.addIssue({ code: "custom", message: `ANTHROPIC_BASE_URL must be an http(s) URL` });
      return z.NEVER;
    }
    return url.replace(/\/+$/, "");
  }),
  AWS_REGION: optionalString,
  AWS_DEFAULT_REGION: optionalString,
  AWS_ROLE_ARN: optionalString,
  AWS_EXTERNAL_ID: optionalString,
  AWS_ROLE_SESSION_NAME: optionalString,
  DEFAULT_PROVIDER: optionalString.pipe(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, {
      error: "DEFAULT_PROVIDER must be a provider id (e.g. openai, bedrock, or a config file's)",
    }).optional(),
  ),
  FILES_BACKEND: optionalString.pipe(
    z.enum(["local", "s3"], { error: "FILES_BACKEND must be 'local' or 's3'" }).optional(),
  ),
  FILES_DIR: optionalString,
  S3_FILES_BUCKET: optionalString,
  MAX_REQUEST_BYTES: intFromEnv("MAX_REQUEST_BYTES", 20_971_520, 1),
  MAX_JSON_DEPTH: intFromEnv("MAX_JSON_DEPTH", 128, 8, 512),
  MAX_FILE_BYTES: intFromEnv("MAX_FILE_BYTES", 26_214_400, 1),
  UPSTREAM_TIMEOUT_MS: intFromEnv("UPSTREAM_TIMEOUT_MS", 600_000, 1),
  UPSTREAM_MAX_RETRIES: intFromEnv("UPSTREAM_MAX_RETRIES", 2, 0, 10),
  MAX_RESPONSE_BYTES: intFromEnv("MAX_RESPONSE_BYTES", 67_108_864, 1),
  LOG_LEVEL: optionalString.pipe(
    z.enum(LOG_LEVELS, { error: "LOG_LEVEL must be one of debug, info, warn, error" })
      .optional(),
  ),
  MOCK_MODELS: boolFromEnv("MOCK_MODELS", true),
  FILES_CONTEXT_MAX_CHARS: intFromEnv("FILES_CONTEXT_MAX_CHARS", 200_000, 1),
  ALLOW_PRIVATE_IMAGE_URLS: boolFromEnv("ALLOW_PRIVATE_IMAGE_URLS", false),
  WORKERS: intFromEnv("WORKERS", 0, 0, 1024),
  CORS_ORIGINS: optionalString.transform((v, ctx) => {
    if (v === undefined) return [];
    const origins: string[] = [];
    for (const item of v.split(",").map((o) => o.trim()).filter((o) => o !== "")) {
      const origin = item === "*" ? "*" : canonicalOrigin(item);
      if (origin === undefined) {
        ctx.addIssue({
          code: "custom",
          message:
            `CORS_ORIGINS must list origins like https://app.example.com or *, got '${item}'`,
        });
        return z.NEVER;
      }
      origins.push(origin);
    }
    return origins.includes("*") ? ["*"] : origins;
  }),
  MAX_CONNECTIONS: intFromEnv("MAX_CONNECTIONS", 0, 0, 1_000_000),
  MAX_CONNECTIONS_PER_IP: intFromEnv("MAX_CONNECTIONS_PER_IP", 0, 0, 1_000_000),
  HEADERS_TIMEOUT_MS: intFromEnv("HEADERS_TIMEOUT_MS", 10_000, 1),
  KEEPALIVE_TIMEOUT_MS: intFromEnv("KEEPALIVE_TIMEOUT_MS", 65_000, 1),
  SHUTDOWN_GRACE_MS: intFromEnv("SHUTDOWN_GRACE_MS", 10_000, 0),
  DATA_DIR: optionalString,
  DATABASE_URL: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    if (!URL.canParse(v) || !/^postgres(ql)?:$/.test(new URL(v).protocol)) {
      ctx.addIssue({
        code: "custom",
        message: "DATABASE_URL must be a postgres:// or postgresql:// URL",
      });
      return z.NEVER;
    }
    return v;
  }),
  REDIS_URL: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined;
    if (!URL.canParse(v) || !/^rediss?:$/.test(new URL(v).protocol)) {
      ctx.addIssue({
        code: "custom",
        message: "REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379",
      });
      return z.NEVER;
    }
    return v;
  }),
  REDIS_FAIL_CLOSED: boolFromEnv("REDIS_FAIL_CLOSED", false),
  RESPONSES_TTL_DAYS: intFromEnv("RESPONSES_TTL_DAYS", 30, 1, 36_500),
  GATEWAY_CONFIG: optionalString,
});

/** `scheme://host[:port]` (lower-case, default port dropped) of an http(s) origin, or undefined
 * for anything with a path, query, fragment or credentials. */
function canonicalOrigin(text: string): string | undefined {
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  const bare = url.pathname === "/" && url.search === "" && url.hash === "" &&
    url.username === "" && url.password === "";
  return bare && /^https?:$/.test(url.protocol) ? url.origin : undefined;
}

/** The effective gateway configuration. */
export interface Config {
  host: string;
  port: number;
  /** Client keys; empty (and no `adminApiKey`) means authentication is off (loopback only). */
  apiKeys: string[];
  /** The key that manages virtual keys (`/admin/*`) and may do all a client key may
   * (`ADMIN_API_KEY`, else the first `API_KEY`); it holds a secret. */
  adminApiKey?: string;
  openaiApiKey?: string;
  openaiBaseUrl: string;
  /** Sent upstream as `OpenAI-Organization` (`OPENAI_ORG_ID`). */
  openaiOrganization?: string;
  /** Sent upstream as `OpenAI-Project` (`OPENAI_PROJECT_ID`). */
  openaiProject?: string;
  /** Whether the OpenAI upstream speaks the Responses API (`OPENAI_RESPONSES_API`; `auto`: when
   * the base URL is api.openai.com). */
  openaiResponsesApi: "auto" | "true" | "false";
  /** The key of the implicit `anthropic` instance (`ANTHROPIC_API_KEY`); without it there is
   * no such instance. */
  anthropicApiKey?: string;
  /** The Anthropic API root (`ANTHROPIC_BASE_URL`). */
  anthropicBaseUrl: string;
  awsRegion: string;
  /** Role assumed on top of the default credential chain (`AWS_ROLE_ARN`). */
  awsRoleArn?: string;
  awsExternalId?: string;
  awsRoleSessionName?: string;
  /** A provider instance id: the environment's (`openai`, `bedrock`…) or a config file's. */
  defaultProvider?: string;
  filesBackend: "local" | "s3";
  filesDir: string;
  s3FilesBucket?: string;
  maxRequestBytes: number;
  /** Deepest nesting of objects and arrays accepted in a JSON body. */
  maxJsonDepth: number;
  maxFileBytes: number;
  /**
   * The longest a client waits for the upstream's first byte (all retries included), and the
   * longest silence allowed once bytes flow (see `core/providers/retry.ts`).
   */
  upstreamTimeoutMs: number;
  /** Gateway retries of 429/5xx/connection errors/timeouts before the first byte reaches the client. */
  upstreamMaxRetries: number;
  /** Bound on a non-streaming upstream answer; larger is a 502. */
  maxResponseBytes: number;
  logLevel: LogLevel;
  mockModels: boolean;
  filesContextMaxChars: number;
  allowPrivateImageUrls: boolean;
  /** Serving workers; 0 means one per CPU core. */
  workers: number;
  /** Origins allowed to call from a browser (`CORS_ORIGINS`); `["*"]` for any, empty for none. */
  corsOrigins: string[];
  /** Open client connections per process, all workers together; 0: derived from the open-files
   * limit (see `server/conn_limits.ts`). */
  maxConnections: number;
  /** Open client connections per client address (IPv6: per /64); 0: as `maxConnections`. */
  maxConnectionsPerIp: number;
  /** A connection whose first request headers have not arrived by then is closed. */
  headersTimeoutMs: number;
  /** A keep-alive connection idle (no request in flight) for this long is closed. */
  keepAliveTimeoutMs: number;
  /** How long SIGTERM/SIGINT let in-flight requests finish before open streams are ended with
   * a `server_shutting_down` error event. */
  shutdownGraceMs: number;
  /** Where the SQLite state store (`gateway.db`) lives when there is no `databaseUrl`. */
  dataDir: string;
  /** PostgreSQL for the state store, shared by several instances (`DATABASE_URL`); it holds a
   * password: log it only through {@link redactDatabaseUrl}. */
  databaseUrl?: string;
  /** Redis for rate-limit counters shared by several instances (`REDIS_URL`); it may hold a
   * password: log it only through {@link redactDatabaseUrl}. */
  redisUrl?: string;
  /** While Redis cannot be reached: refuse rate-limited requests with a 503 (true) instead of
   * counting per instance (false, the default); true also refuses to start without it. */
  redisFailClosed: boolean;
  /** Stored responses expire this many days after they were stored. */
  responsesTtlDays: number;
  /** The config file (`GATEWAY_CONFIG`) when set; unset: `./gateway.yaml` if it exists
   * (core/config_file/load.ts). */
  gatewayConfig?: string;
}

/** Thrown when the environment holds an invalid value; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** A DATABASE_URL (or REDIS_URL: any URL) with its password replaced by `***` (for logs and
 * messages). */
export function redactDatabaseUrl(url: string): string {
  if (!URL.canParse(url)) return "(unparsable URL)";
  const parsed = new URL(url);
  if (parsed.password !== "") parsed.password = "***";
  return parsed.href;
}

/** The password of a DATABASE_URL (or REDIS_URL) as written and decoded (for redaction lists); empty when
 * it has none. */
export function databaseUrlSecrets(url: string | undefined): string[] {
  if (url === undefined || !URL.canParse(url)) return [];
  const raw = new URL(url).password;
  if (raw === "") return [];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // a malformed escape: the raw text is all there is
  }
  return [...new Set([raw, decoded])];
}

/** True for `localhost`, `127.0.0.0/8` and `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Parses and validates the environment. Throws {@link ConfigError} with one line naming the
 * offending variable.
 *
 * @example
 * parseConfig({ PORT: "9000" }).port; // 9000
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? "configuration");
    const message = issue.message.includes(variable)
      ? issue.message
      : `${variable}: ${issue.message}`;
    throw new ConfigError(`Invalid configuration: ${message}`);
  }
  const e = parsed.data;
  if (e.API_KEY.length === 0 && e.ADMIN_API_KEY === undefined && !isLoopbackHost(e.HOST)) {
    throw new ConfigError(
      `Invalid configuration: API_KEY must be set when HOST (${e.HOST}) is not a loopback address`,
    );
  }
  if (e.FILES_BACKEND === "s3" && e.S3_FILES_BUCKET === undefined) {
    throw new ConfigError(
      "Invalid configuration: S3_FILES_BUCKET must be set when FILES_BACKEND=s3",
    );
  }
  return {
    host: e.HOST,
    port: e.PORT,
    apiKeys: e.API_KEY,
    adminApiKey: e.ADMIN_API_KEY ?? e.API_KEY[0],
    openaiApiKey: e.OPENAI_API_KEY,
    openaiBaseUrl: e.OPENAI_BASE_URL,
    openaiOrganization: e.OPENAI_ORG_ID,
    openaiProject: e.OPENAI_PROJECT_ID,
    openaiResponsesApi: e.OPENAI_RESPONSES_API,
    anthropicApiKey: e.ANTHROPIC_API_KEY,
    anthropicBaseUrl: e.ANTHROPIC_BASE_URL,
    awsRegion: e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? "us-east-1",
    awsRoleArn: e.AWS_ROLE_ARN,
    awsExternalId: e.AWS_EXTERNAL_ID,
    awsRoleSessionName: e.AWS_ROLE_SESSION_NAME,
    defaultProvider: e.DEFAULT_PROVIDER,
    filesBackend: e.FILES_BACKEND ?? "local",
    filesDir: e.FILES_DIR ?? "./data/files",
    s3FilesBucket: e.S3_FILES_BUCKET,
    maxRequestBytes: e.MAX_REQUEST_BYTES,
    maxJsonDepth: e.MAX_JSON_DEPTH,
    maxFileBytes: e.MAX_FILE_BYTES,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    upstreamMaxRetries: e.UPSTREAM_MAX_RETRIES,
    maxResponseBytes: e.MAX_RESPONSE_BYTES,
    logLevel: e.LOG_LEVEL ?? "info",
    mockModels: e.MOCK_MODELS,
    filesContextMaxChars: e.FILES_CONTEXT_MAX_CHARS,
    allowPrivateImageUrls: e.ALLOW_PRIVATE_IMAGE_URLS,
    workers: e.WORKERS,
    corsOrigins: e.CORS_ORIGINS,
    maxConnections: e.MAX_CONNECTIONS,
    maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: e.KEEPALIVE_TIMEOUT_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    dataDir: e.DATA_DIR ?? "./data",
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisFailClosed: e.REDIS_FAIL_CLOSED,
    responsesTtlDays: e.RESPONSES_TTL_DAYS,
    gatewayConfig: e.GATEWAY_CONFIG,
  };
}

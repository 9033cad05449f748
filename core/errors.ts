/**
 * The gateway's one error vocabulary. Core code throws {@link GatewayError}; each transport maps
 * its `kind` to a wire status (HTTP: `server/errors.ts`, tRPC: `routers/trpc.ts`).
 */

/** What went wrong, independent of any transport. */
export type ErrorKind =
  | "invalid_request"
  | "auth"
  | "permission"
  | "not_found"
  | "method_not_allowed"
  | "too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "upstream"
  | "unavailable"
  | "timeout"
  | "internal";

/** The machine-readable code each kind carries unless a more specific one is given. */
export const DEFAULT_CODES: Record<ErrorKind, string> = {
  invalid_request: "invalid_value",
  auth: "invalid_api_key",
  permission: "upstream_access_denied",
  not_found: "not_found",
  method_not_allowed: "method_not_allowed",
  too_large: "request_too_large",
  unsupported_media_type: "unsupported_media_type",
  rate_limited: "rate_limit_exceeded",
  upstream: "upstream_error",
  unavailable: "upstream_unavailable",
  timeout: "upstream_timeout",
  internal: "internal_error",
};

/** The OpenAI/Anthropic error `type` each kind is reported as. */
const ERROR_TYPES: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  auth: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  method_not_allowed: "invalid_request_error",
  too_large: "invalid_request_error",
  unsupported_media_type: "invalid_request_error",
  rate_limited: "rate_limit_error",
  upstream: "api_error",
  unavailable: "api_error",
  timeout: "api_error",
  internal: "api_error",
};

/** Optional details of a {@link GatewayError}. */
export interface GatewayErrorOptions {
  /** Machine-readable code; defaults to {@link DEFAULT_CODES}[kind]. */
  code?: string;
  /** The request field at fault, e.g. `messages[0].role`. */
  param?: string | null;
  /** Seconds the client should wait before retrying (rate limits). */
  retryAfterSeconds?: number;
  /** The underlying error, kept for logs only; never sent to clients. */
  cause?: unknown;
}

/**
 * An error with a transport-independent kind, a safe client-facing message and an optional
 * field name. Messages never contain secrets or stack traces.
 *
 * @example
 * throw new GatewayError("not_found", "The model 'x' does not exist", { code: "model_not_found", param: "model" });
 */
export class GatewayError extends Error {
  /** What went wrong. */
  readonly kind: ErrorKind;
  /** Machine-readable code, e.g. `model_not_found`. */
  readonly code: string;
  /** The request field at fault, or null. */
  readonly param: string | null;
  /** Seconds to wait before retrying, when known. */
  readonly retryAfterSeconds?: number;

  constructor(kind: ErrorKind, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "GatewayError";
    this.kind = kind;
    this.code = options.code ?? DEFAULT_CODES[kind];
    this.param = options.param ?? null;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** Wraps anything thrown into a GatewayError; unknown errors become `internal`. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError("internal", "The gateway failed to process the request.", {
    cause: error,
  });
}

/** True when the error is (or wraps) an abort caused by the client going away. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error &&
    (error.name === "AbortError" || error.name === "APIUserAbortError");
}

/** The code (and, as OpenAI reports it, the type) of a spent budget: 429, retrying does not
 * help before the budget resets. */
export const INSUFFICIENT_QUOTA = "insufficient_quota";

/** OpenAI reports unknown models and files as invalid requests; other 404s are `not_found_error`. */
const INVALID_REQUEST_CODES = new Set(["model_not_found", "file_not_found"]);

/**
 * The error `type` string for the wire envelope.
 *
 * @example
 * errorType(new GatewayError("rate_limited", "slow down")); // "rate_limit_error"
 */
export function errorType(error: GatewayError): string {
  if (error.code === INSUFFICIENT_QUOTA) return INSUFFICIENT_QUOTA;
  return INVALID_REQUEST_CODES.has(error.code) ? "invalid_request_error" : ERROR_TYPES[error.kind];
}

/** The code of {@link shuttingDownError}. */
export const SHUTTING_DOWN_CODE = "server_shutting_down";

/**
 * The error a stream still open when the shutdown grace period ends is closed with: 503-class
 * (`unavailable`, type `api_error`), so a client can tell a cut stream from a finished one and
 * retry elsewhere.
 *
 * @example
 * shuttingDownError().code; // "server_shutting_down"
 */
export function shuttingDownError(): GatewayError {
  return new GatewayError("unavailable", "server shutting down; retry the request", {
    code: SHUTTING_DOWN_CODE,
  });
}

/** The code of a stream its client left before the end (for the access log and usage). */
export const CLIENT_CLOSED_CODE = "client_closed";

/**
 * How a stream the client cancelled ended, for the access log and the usage record: nobody is
 * told (the client is gone), but the record says the answer was cut, not complete.
 *
 * @example
 * clientClosedError().code; // "client_closed"
 */
export function clientClosedError(): GatewayError {
  return new GatewayError("invalid_request", "the client closed the stream before its end", {
    code: CLIENT_CLOSED_CODE,
  });
}

/** Exhaustiveness check: reaching it means a union member is not handled. */
export function assertNever(value: never): never {
  throw new GatewayError("internal", `Unhandled value: ${JSON.stringify(value)}`);
}

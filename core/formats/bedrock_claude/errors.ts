/**
 * Anthropic's error envelope `{"type":"error","error":{type, message}}` with Anthropic's
 * documented error types, both ways: gateway errors → Anthropic bodies, Anthropic types read from
 * upstream Claude streams and bodies → gateway kinds.
 */
import type { ErrorKind, GatewayError } from "../../errors.ts";
import type { ClaudeErrorBody } from "./schema.ts";

/** Anthropic's error `type` for each kind (docs.claude.com/en/api/errors). */
const ANTHROPIC_TYPES: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  auth: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  method_not_allowed: "invalid_request_error",
  too_large: "request_too_large",
  unsupported_media_type: "invalid_request_error",
  rate_limited: "rate_limit_error",
  upstream: "api_error",
  unavailable: "overloaded_error",
  timeout: "timeout_error",
  internal: "api_error",
};

/** Codes whose Anthropic type differs from their kind's. */
const ANTHROPIC_TYPES_BY_CODE: Record<string, string> = {
  provider_not_configured: "api_error",
  model_not_found: "not_found_error",
  file_not_found: "not_found_error",
};

/**
 * The Anthropic error type of an error.
 *
 * @example
 * anthropicErrorType(new GatewayError("rate_limited", "slow down")); // "rate_limit_error"
 */
export function anthropicErrorType(error: GatewayError): string {
  return ANTHROPIC_TYPES_BY_CODE[error.code] ?? ANTHROPIC_TYPES[error.kind];
}

/**
 * Anthropic's error body (also the streamed `error` event).
 *
 * @example
 * anthropicErrorBody(new GatewayError("invalid_request", "max_tokens: required", { param: "max_tokens" }));
 * // { type: "error", error: { type: "invalid_request_error", message: "max_tokens: required" } }
 */
export function anthropicErrorBody(error: GatewayError): ClaudeErrorBody {
  return { type: "error", error: { type: anthropicErrorType(error), message: error.message } };
}

/** Anthropic error type → gateway kind (for errors read from Claude streams and bodies). */
const KINDS_BY_ANTHROPIC_TYPE: Record<string, ErrorKind> = {
  invalid_request_error: "invalid_request",
  authentication_error: "auth",
  permission_error: "permission",
  not_found_error: "not_found",
  request_too_large: "too_large",
  rate_limit_error: "rate_limited",
  api_error: "upstream",
  overloaded_error: "unavailable",
  timeout_error: "timeout",
};

/**
 * The gateway kind for an Anthropic error type; unknown types → `upstream`.
 *
 * @example
 * kindOfAnthropicError("overloaded_error"); // "unavailable"
 */
export function kindOfAnthropicError(type: string | undefined): ErrorKind {
  return (type !== undefined ? KINDS_BY_ANTHROPIC_TYPE[type] : undefined) ?? "upstream";
}

/**
 * A {@link GatewayError} in each format's error envelope. bedrock_claude uses Anthropic's
 * `{"type":"error","error":{type, message}}` with Anthropic's documented error types; openai and
 * bedrock_titan use OpenAI's `{"error":{message, type, param, code}}` (SPEC §3.2–3.4).
 */
import { type ErrorKind, errorType, type GatewayError } from "../errors.ts";
import type { ClaudeErrorBody } from "./bedrock_claude/schema.ts";
import type { FormatName } from "./detect.ts";

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

/** OpenAI's error envelope (openai and bedrock_titan). */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * OpenAI's error envelope for an error.
 *
 * @example
 * openaiErrorBody(new GatewayError("not_found", "no such model", { code: "model_not_found" }));
 * // { error: { message: "no such model", type: "invalid_request_error", param: null, code: "model_not_found" } }
 */
export function openaiErrorBody(error: GatewayError): OpenAIErrorBody {
  return {
    error: { message: error.message, type: errorType(error), param: error.param, code: error.code },
  };
}

/**
 * The error body in the envelope of `format`: Anthropic's for bedrock_claude, OpenAI's otherwise.
 *
 * @example
 * errorBodyFor("bedrock_claude", error); // { type: "error", error: {...} }
 */
export function errorBodyFor(
  format: FormatName,
  error: GatewayError,
): ClaudeErrorBody | OpenAIErrorBody {
  switch (format) {
    case "bedrock_claude":
      return anthropicErrorBody(error);
    case "openai":
    case "bedrock_titan":
      return openaiErrorBody(error);
    default: {
      const unhandled: never = format;
      return unhandled;
    }
  }
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

/**
 * Maps {@link GatewayError} kinds to HTTP statuses and OpenAI error envelopes (SPEC §3.4).
 */
import { type ErrorKind, type GatewayError, INSUFFICIENT_QUOTA } from "../core/errors.ts";
import { codecOf, type FormatName } from "../core/formats/registry.ts";

const STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  auth: 401,
  permission: 403,
  not_found: 404,
  method_not_allowed: 405,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  upstream: 502,
  unavailable: 503,
  timeout: 504,
  internal: 500,
};

/** The HTTP status for an error. */
export function statusOf(error: GatewayError): number {
  return STATUS[error.kind];
}

/**
 * A JSON error response with status, the envelope of `format` (OpenAI's
 * `{"error":{message,type,param,code}}` unless Anthropic's is asked for) and `Retry-After` when
 * known. A spent budget (`insufficient_quota`) adds `x-should-retry: false`, which OpenAI's SDKs
 * obey instead of retrying a 429 that cannot succeed before the reset.
 */
export function errorResponse(error: GatewayError, format: FormatName = "openai"): Response {
  const headers = new Headers({ "content-type": "application/json" });
  if (error.retryAfterSeconds !== undefined) {
    headers.set("retry-after", String(error.retryAfterSeconds));
  }
  if (error.code === INSUFFICIENT_QUOTA) headers.set("x-should-retry", "false");
  return new Response(JSON.stringify(codecOf(format).errorBody(error)), {
    status: statusOf(error),
    headers,
  });
}

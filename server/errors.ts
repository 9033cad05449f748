/**
 * Maps {@link GatewayError} kinds to HTTP statuses and OpenAI error envelopes (SPEC §3.4).
 */
import { type ErrorKind, errorType, type GatewayError } from "../core/errors.ts";

/** OpenAI's `{error:{message,type,param,code}}` body. */
export interface ErrorEnvelope {
  error: { message: string; type: string; param: string | null; code: string | null };
}

const STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  auth: 401,
  permission: 403,
  not_found: 404,
  method_not_allowed: 405,
  too_large: 413,
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

/** The OpenAI error envelope for an error. */
export function envelopeOf(error: GatewayError): ErrorEnvelope {
  return {
    error: { message: error.message, type: errorType(error), param: error.param, code: error.code },
  };
}

/** A JSON error response with status, envelope and `Retry-After` when known. */
export function errorResponse(error: GatewayError): Response {
  const headers = new Headers({ "content-type": "application/json" });
  if (error.retryAfterSeconds !== undefined) {
    headers.set("retry-after", String(error.retryAfterSeconds));
  }
  return new Response(JSON.stringify(envelopeOf(error)), { status: statusOf(error), headers });
}

/**
 * Maps `@anthropic-ai/sdk` errors to {@link GatewayError}s (SPEC §3.4): 400/422 → 400
 * `invalid_request` (Anthropic's message passed on), 401/403 → 403 `upstream_access_denied` (the
 * gateway's own credentials, never the client's 401), 404 → `model_not_found`, 413 → too large,
 * 429 → 429 with `Retry-After`, 529 `overloaded_error` and 503 → 503 `upstream_unavailable`,
 * 504 → 504, other 5xx → 502. A mid-stream `error` event (no status) is mapped by its Anthropic
 * error type. Messages never carry the API key: only request-shaped errors pass Anthropic's text.
 */
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import { GatewayError, isAbortError } from "../../errors.ts";
import { unreachableMessage } from "../../net/connection_failure.ts";
import { kindOfAnthropicError } from "../../formats/bedrock_claude/errors.ts";
import { retryAfterSeconds } from "../openai/errors.ts";

const LABEL = "The Anthropic API";

/** Anthropic's own message of an SDK error (the envelope's `error.message`), else the SDK's. */
function upstreamMessage(error: APIError): string {
  const body = error.error as { error?: { message?: unknown } } | undefined;
  const message = body?.error?.message;
  return `Anthropic API: ${typeof message === "string" ? message : error.message}`;
}

/** A status-less error: an `error` event inside a stream, mapped by its Anthropic type. */
function streamError(error: APIError): GatewayError {
  const kind = kindOfAnthropicError(error.type ?? undefined);
  if (kind === "invalid_request" || kind === "not_found" || kind === "too_large") {
    return new GatewayError(kind, upstreamMessage(error), { cause: error });
  }
  if (kind === "auth" || kind === "permission") return denied(error);
  if (kind === "upstream") {
    return new GatewayError("upstream", `${LABEL} failed mid-stream.`, { cause: error });
  }
  return new GatewayError(kind, `${LABEL} reported ${error.type ?? "an error"} mid-stream.`, {
    cause: error,
  });
}

const denied = (error: unknown) =>
  new GatewayError(
    "permission",
    "The Anthropic API rejected the gateway's credentials (check ANTHROPIC_API_KEY or the instance's api_key).",
    { cause: error },
  );

/**
 * Converts anything the Anthropic SDK (or a call through it) throws into a GatewayError.
 *
 * @example
 * mapAnthropicError(APIError.generate(529, { type: "error", error: { type: "overloaded_error",
 *   message: "Overloaded" } }, undefined, new Headers()));
 * // GatewayError unavailable (503 upstream_unavailable)
 */
export function mapAnthropicError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof APIUserAbortError || isAbortError(error)) {
    return new GatewayError("upstream", "The request was cancelled.", {
      code: "request_cancelled",
      cause: error,
    });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new GatewayError("timeout", `${LABEL} did not answer in time.`, { cause: error });
  }
  // The SDK reports what its `fetch` threw as a connection error: a bound the gateway's own
  // fetch enforced (MAX_RESPONSE_BYTES) stays what it is.
  if (error instanceof APIConnectionError && error.cause instanceof GatewayError) {
    return error.cause;
  }
  if (error instanceof APIConnectionError) {
    return new GatewayError("unavailable", unreachableMessage(LABEL, error.cause ?? error), {
      cause: error,
    });
  }
  if (!(error instanceof APIError)) {
    // An answer the SDK could not read (malformed JSON…): no cause, so it is not retried.
    return new GatewayError("upstream", `${LABEL} sent something unexpected.`);
  }
  const status = error.status;
  if (status === undefined) return streamError(error);
  if (status === 400 || status === 422) {
    return new GatewayError("invalid_request", upstreamMessage(error), {
      code: "invalid_value",
      cause: error,
    });
  }
  if (status === 401 || status === 403) return denied(error);
  if (status === 404) {
    return new GatewayError("not_found", upstreamMessage(error), {
      code: "model_not_found",
      param: "model",
      cause: error,
    });
  }
  if (status === 408 || status === 504) {
    return new GatewayError("timeout", `${LABEL} timed out.`, { cause: error });
  }
  if (status === 413) {
    return new GatewayError("too_large", upstreamMessage(error), { cause: error });
  }
  if (status === 429) {
    return new GatewayError("rate_limited", `${LABEL} is rate limiting requests.`, {
      retryAfterSeconds: retryAfterSeconds(error.headers),
      cause: error,
    });
  }
  if (status === 529 || status === 503) {
    return new GatewayError("unavailable", `${LABEL} is overloaded (status ${status}).`, {
      retryAfterSeconds: retryAfterSeconds(error.headers),
      cause: error,
    });
  }
  return new GatewayError("upstream", `${LABEL} failed with status ${status}.`, { cause: error });
}

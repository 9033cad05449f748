/**
 * Maps `openai` SDK errors to {@link GatewayError}s (SPEC §3.4). An upstream 401/403 is the
 * gateway's own credential problem and becomes 403 `upstream_access_denied`, never the client's
 * 401. Upstream messages are passed on only for request-shaped errors (400/404/422), which
 * carry no secrets.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { GatewayError, isAbortError } from "../../errors.ts";
import { unreachableMessage } from "../../net/connection_failure.ts";

/** Reads the `Retry-After` header (seconds or HTTP date) from upstream headers. */
export function retryAfterSeconds(
  headers: Headers | undefined,
  now = Date.now(),
): number | undefined {
  const value = headers?.get("retry-after");
  if (value === null || value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function upstreamDetail(error: APIError): { code?: string; param: string | null } {
  const body = (error.error ?? {}) as { code?: unknown; param?: unknown };
  return {
    code: typeof body.code === "string" ? body.code : undefined,
    param: typeof body.param === "string" ? body.param : null,
  };
}

/**
 * Converts anything the OpenAI SDK throws into a GatewayError.
 *
 * @example
 * mapOpenAIError(new APIError(429, {}, "slow down", new Headers({ "retry-after": "2" })));
 * // GatewayError rate_limited, retryAfterSeconds 2
 */
export function mapOpenAIError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof APIUserAbortError || isAbortError(error)) {
    return new GatewayError("upstream", "The request was cancelled.", {
      code: "request_cancelled",
      cause: error,
    });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new GatewayError("timeout", "The OpenAI upstream did not answer in time.", {
      cause: error,
    });
  }
  if (error instanceof APIConnectionError) {
    return new GatewayError("unavailable", unreachableMessage("The OpenAI upstream", error), {
      cause: error,
    });
  }
  if (error instanceof APIError) {
    const status = error.status;
    const { code, param } = upstreamDetail(error);
    const message = `OpenAI upstream: ${error.message}`;
    if (status === 400 || status === 422) {
      return new GatewayError("invalid_request", message, {
        code: code ?? "invalid_value",
        param,
        cause: error,
      });
    }
    if (status === 401 || status === 403) {
      return new GatewayError(
        "permission",
        "The OpenAI upstream rejected the gateway's credentials (check OPENAI_API_KEY).",
        { cause: error },
      );
    }
    if (status === 404) {
      return new GatewayError("not_found", message, {
        code: code ?? "model_not_found",
        param,
        cause: error,
      });
    }
    if (status === 408) {
      return new GatewayError("timeout", "The OpenAI upstream timed out.", { cause: error });
    }
    if (status === 413) {
      return new GatewayError("too_large", message, { cause: error });
    }
    if (status === 429) {
      return new GatewayError("rate_limited", "The OpenAI upstream is rate limiting requests.", {
        retryAfterSeconds: retryAfterSeconds(error.headers),
        cause: error,
      });
    }
    if (status === 503) {
      return new GatewayError("unavailable", "The OpenAI upstream is unavailable.", {
        cause: error,
      });
    }
    if (status === 504) {
      return new GatewayError("timeout", "The OpenAI upstream timed out.", { cause: error });
    }
    return new GatewayError(
      "upstream",
      status === undefined
        ? "The OpenAI upstream failed."
        : `The OpenAI upstream failed with status ${status}.`,
      { cause: error },
    );
  }
  return new GatewayError("upstream", "The OpenAI upstream sent something unexpected.", {
    cause: error,
  });
}

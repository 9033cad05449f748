/**
 * Maps what the AWS SDK throws for Bedrock (service exceptions, stream exception frames, request
 * handler timeouts, connection errors, credential-provider failures) to {@link GatewayError}s
 * (SPEC §3.4, issue 3). Nothing maps to `internal`: an unknown upstream failure is a 502.
 * Upstream messages are passed on only for request-shaped errors (validation, not found,
 * access denied), which carry no secrets.
 */
import { GatewayError, isAbortError } from "../../errors.ts";
import { unreachableMessage } from "../../net/connection_failure.ts";

/** The fields of an AWS SDK error the mapper reads. */
interface SdkErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_HTTP2_STREAM_ERROR",
  "ERR_HTTP2_SESSION_ERROR",
  "ERR_HTTP2_GOAWAY_SESSION",
  "ERR_HTTP2_STREAM_CANCEL",
]);

/** The connection-level error code of the error or one of its causes, if any. */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 4) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return typeof code === "string" && NETWORK_CODES.has(code) ? code : networkCode(cause, depth + 1);
}

const CREDENTIAL_ERRORS = new Set(["CredentialsProviderError", "TokenProviderError"]);

const AUTH_ERRORS = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "MissingAuthenticationTokenException",
  "ExpiredTokenException",
  "IncompleteSignatureException",
  "SignatureDoesNotMatch",
]);

/** The fix for missing credentials, shown to the client. */
export const CREDENTIALS_HINT =
  "set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_BEARER_TOKEN_BEDROCK, the instance's access_key_id/secret_access_key or a profile the shared AWS files define, or run the gateway with an IAM role";

/** Reads `Retry-After` (seconds or HTTP date) from SDK response headers. */
function retryAfter(headers: Record<string, string | undefined> | undefined, now: number) {
  const entry = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === "retry-after");
  const value = entry?.[1];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Exception names normalised: stream frames use camelCase (`throttlingException`). */
function exceptionName(name: string | undefined): string {
  if (name === undefined || name === "") return "";
  return name[0].toUpperCase() + name.slice(1);
}

function byStatus(status: number | undefined, upstream: string, error: unknown): GatewayError {
  switch (status) {
    case 400:
    case 422:
      return new GatewayError("invalid_request", `Bedrock rejected the request: ${upstream}`, {
        cause: error,
      });
    case 401:
    case 403:
      return new GatewayError(
        "permission",
        "Bedrock denied access with the gateway's AWS credentials.",
        { cause: error },
      );
    case 404:
      return new GatewayError("not_found", `Bedrock: ${upstream}`, {
        code: "model_not_found",
        param: "model",
        cause: error,
      });
    case 408:
    case 504:
      return new GatewayError("timeout", "Bedrock did not answer in time.", { cause: error });
    case 429:
      return new GatewayError("rate_limited", "Bedrock is throttling requests.", {
        cause: error,
      });
    case 503:
      return new GatewayError("unavailable", "Bedrock is unavailable.", { cause: error });
    default:
      return new GatewayError(
        "upstream",
        status === undefined
          ? "Bedrock failed to answer."
          : `Bedrock failed with status ${status}.`,
        { cause: error },
      );
  }
}

/**
 * Converts anything thrown by a Bedrock SDK call (or its event stream) into a GatewayError.
 *
 * @example
 * const e = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
 * mapBedrockError(e).kind; // "rate_limited"
 */
export function mapBedrockError(error: unknown, now = Date.now()): GatewayError {
  if (error instanceof GatewayError) return error;
  if (isAbortError(error)) {
    return new GatewayError("upstream", "The request was cancelled.", {
      code: "request_cancelled",
      cause: error,
    });
  }
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkErrorLike;
  const name = exceptionName(e.name);
  const upstream = typeof e.message === "string" && e.message !== "" ? e.message : name;
  const status = e.$metadata?.httpStatusCode;

  if (
    CREDENTIAL_ERRORS.has(name) || /could not load credentials|token not present/i.test(upstream)
  ) {
    return new GatewayError(
      "unavailable",
      `AWS credentials for Bedrock models are missing: ${CREDENTIALS_HINT}.`,
      { code: "provider_not_configured", cause: error },
    );
  }
  if (AUTH_ERRORS.has(name)) {
    return new GatewayError(
      "permission",
      "Bedrock rejected the gateway's AWS credentials (check the access key, session token or API key).",
      { cause: error },
    );
  }
  // The SDK's HTTP handler names ECONNRESET and EPIPE `TimeoutError` (as transient errors): a
  // broken connection is unavailability, only ETIMEDOUT is a timeout.
  const network = status === undefined ? networkCode(error) : undefined;
  if (network !== undefined) {
    return network === "ETIMEDOUT"
      ? new GatewayError("timeout", "Bedrock did not answer in time.", { cause: error })
      : new GatewayError("unavailable", unreachableMessage("Bedrock", error), { cause: error });
  }
  switch (name) {
    case "ThrottlingException":
    case "ServiceQuotaExceededException":
      return new GatewayError("rate_limited", `Bedrock is throttling requests: ${upstream}`, {
        retryAfterSeconds: retryAfter(e.$response?.headers, now),
        cause: error,
      });
    case "ValidationException":
      return new GatewayError("invalid_request", `Bedrock rejected the request: ${upstream}`, {
        cause: error,
      });
    case "AccessDeniedException":
      return new GatewayError("permission", `Bedrock denied access: ${upstream}`, {
        cause: error,
      });
    case "ResourceNotFoundException":
      return new GatewayError("not_found", `Bedrock: ${upstream}`, {
        code: "model_not_found",
        param: "model",
        cause: error,
      });
    case "ModelTimeoutException":
    case "TimeoutError":
      return new GatewayError("timeout", "Bedrock did not answer in time.", { cause: error });
    case "ServiceUnavailableException":
    case "ModelNotReadyException":
      return new GatewayError("unavailable", `Bedrock is unavailable: ${upstream}`, {
        cause: error,
      });
    case "InternalServerException":
    case "ModelErrorException":
    case "ModelStreamErrorException":
      return new GatewayError("upstream", `Bedrock failed: ${name}.`, { cause: error });
  }
  return byStatus(status, upstream, error);
}

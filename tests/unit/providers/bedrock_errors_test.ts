/**
 * Bedrock SDK errors → GatewayError kinds, codes and statuses (SPEC §3.4, issue 3).
 */
import assert from "node:assert/strict";
import {
  AccessDeniedException,
  InternalServerException,
  ModelErrorException,
  ModelNotReadyException,
  ModelStreamErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-bedrock-runtime";
import { GatewayError } from "../../../core/errors.ts";
import { mapBedrockError } from "../../../core/providers/bedrock/errors.ts";

const meta = (httpStatusCode?: number) => ({ $metadata: { httpStatusCode } });
const named = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });

Deno.test("Bedrock exceptions map to the SPEC §3.4 kinds and codes", async (t) => {
  const rows: Array<{ name: string; error: unknown; kind: string; code: string; param?: string }> =
    [
      {
        name: "ThrottlingException",
        error: new ThrottlingException({ message: "Too many requests", ...meta(429) }),
        kind: "rate_limited",
        code: "rate_limit_exceeded",
      },
      {
        name: "ServiceQuotaExceededException",
        error: new ServiceQuotaExceededException({ message: "quota", ...meta(400) }),
        kind: "rate_limited",
        code: "rate_limit_exceeded",
      },
      {
        name: "ValidationException",
        error: new ValidationException({ message: "bad input", ...meta(400) }),
        kind: "invalid_request",
        code: "invalid_value",
      },
      {
        name: "AccessDeniedException",
        error: new AccessDeniedException({ message: "no access", ...meta(403) }),
        kind: "permission",
        code: "upstream_access_denied",
      },
      {
        name: "ResourceNotFoundException",
        error: new ResourceNotFoundException({ message: "no such model", ...meta(404) }),
        kind: "not_found",
        code: "model_not_found",
        param: "model",
      },
      {
        name: "ModelTimeoutException",
        error: new ModelTimeoutException({ message: "slow", ...meta(408) }),
        kind: "timeout",
        code: "upstream_timeout",
      },
      {
        name: "ServiceUnavailableException",
        error: new ServiceUnavailableException({ message: "down", ...meta(503) }),
        kind: "unavailable",
        code: "upstream_unavailable",
      },
      {
        name: "ModelNotReadyException",
        error: new ModelNotReadyException({ message: "warming", ...meta(429) }),
        kind: "unavailable",
        code: "upstream_unavailable",
      },
      {
        name: "InternalServerException",
        error: new InternalServerException({ message: "oops", ...meta(500) }),
        kind: "upstream",
        code: "upstream_error",
      },
      {
        name: "ModelErrorException",
        error: new ModelErrorException({ message: "model failed", ...meta(424) }),
        kind: "upstream",
        code: "upstream_error",
      },
      {
        name: "ModelStreamErrorException (mid-stream)",
        error: new ModelStreamErrorException({ message: "stream broke", ...meta(200) }),
        kind: "upstream",
        code: "upstream_error",
      },
      {
        name: "stream frame name in camelCase",
        error: named("serviceUnavailableException", "down"),
        kind: "unavailable",
        code: "upstream_unavailable",
      },
      {
        name: "request handler timeout",
        error: named("TimeoutError", "Stream timed out because of no activity for 300 ms"),
        kind: "timeout",
        code: "upstream_timeout",
      },
      {
        name: "connection refused",
        error: named("Error", "connect ECONNREFUSED 127.0.0.1:1", { code: "ECONNREFUSED" }),
        kind: "unavailable",
        code: "upstream_unavailable",
      },
      {
        name: "connection refused under an HTTP/2 stream cancel",
        error: named("Error", "The pending stream has been canceled", {
          code: "ERR_HTTP2_STREAM_CANCEL",
          cause: named("Error", "connect ECONNREFUSED", { code: "ECONNREFUSED" }),
          $metadata: { attempts: 1 },
        }),
        kind: "unavailable",
        code: "upstream_unavailable",
      },
      {
        name: "missing credentials",
        error: named("CredentialsProviderError", "Could not load credentials from any providers"),
        kind: "unavailable",
        code: "provider_not_configured",
      },
      {
        name: "invalid security token",
        error: named("UnrecognizedClientException", "The security token is invalid", meta(403)),
        kind: "permission",
        code: "upstream_access_denied",
      },
      {
        name: "unknown exception with a 5xx status",
        error: named("WeirdException", "??", meta(500)),
        kind: "upstream",
        code: "upstream_error",
      },
      {
        name: "unknown exception with a 429 status",
        error: named("SomethingNew", "??", meta(429)),
        kind: "rate_limited",
        code: "rate_limit_exceeded",
      },
      {
        name: "not an Error at all",
        error: "a string",
        kind: "upstream",
        code: "upstream_error",
      },
      {
        name: "client abort",
        error: named("AbortError", "Request aborted"),
        kind: "upstream",
        code: "request_cancelled",
      },
    ];
  for (const row of rows) {
    await t.step(row.name, () => {
      const mapped = mapBedrockError(row.error);
      assert.ok(mapped instanceof GatewayError);
      assert.equal(mapped.kind, row.kind);
      assert.equal(mapped.code, row.code);
      assert.notEqual(mapped.kind, "internal");
      if (row.param !== undefined) assert.equal(mapped.param, row.param);
      assert.equal(mapped.cause, row.error);
    });
  }
});

Deno.test("ThrottlingException carries Retry-After (seconds or date) when Bedrock sends it", () => {
  const withHeader = (value: string) =>
    Object.assign(new ThrottlingException({ message: "slow", ...meta(429) }), {
      $response: { statusCode: 429, headers: { "Retry-After": value } },
    });
  assert.equal(mapBedrockError(withHeader("7")).retryAfterSeconds, 7);
  const now = Date.parse("2030-01-01T00:00:00Z");
  assert.equal(
    mapBedrockError(withHeader("Tue, 01 Jan 2030 00:00:30 GMT"), now).retryAfterSeconds,
    30,
  );
  const without = new ThrottlingException({ message: "slow", ...meta(429) });
  assert.equal(mapBedrockError(without).retryAfterSeconds, undefined);
});

Deno.test("the missing-credentials message gives the fix and no secrets", () => {
  const error = named("CredentialsProviderError", "Could not load credentials from any providers");
  const mapped = mapBedrockError(error);
  assert.match(mapped.message, /AWS_ACCESS_KEY_ID/);
  assert.match(mapped.message, /AWS_PROFILE/);
  assert.match(mapped.message, /AWS_BEARER_TOKEN_BEDROCK/);
});

Deno.test("GatewayErrors pass through unchanged", () => {
  const original = new GatewayError("invalid_request", "bad", { param: "messages" });
  assert.equal(mapBedrockError(original), original);
});

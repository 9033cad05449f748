import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { CliError, explainError, UsageError } from "../../../cli/errors.ts";

const ctx = { url: "http://gw", model: "m-1", apiKeyGiven: true };

function gatewayError(code: string, message = "upstream said no", httpStatus = 500) {
  return Object.assign(new Error(message), {
    name: "TRPCClientError",
    data: { code: "X", httpStatus, gateway: { type: "t", code, param: null } },
  });
}

Deno.test("explainError: one sentence with the fix per situation", async (t) => {
  const rows: Array<{ name: string; error: unknown; ctx?: typeof ctx; expected: RegExp }> = [
    {
      name: "connection refused",
      error: new TypeError("fetch failed"),
      expected: /^Cannot reach the gateway at http:\/\/gw: start it with `deno task start`/,
    },
    {
      name: "wrapped connection failure",
      error: new TRPCClientError("fetch failed", { cause: new TypeError("error sending request") }),
      expected: /^Cannot reach the gateway/,
    },
    {
      name: "SSE connection error event",
      error: new TRPCClientError("Unknown error", {
        cause: new Event("error") as unknown as Error,
      }),
      expected: /^Cannot reach the gateway/,
    },
    {
      name: "401 with a key",
      error: gatewayError("invalid_api_key"),
      expected: /rejected the API key \(401\): pass a valid one with --api-key/,
    },
    {
      name: "401 without a key",
      error: gatewayError("invalid_api_key"),
      ctx: { ...ctx, apiKeyGiven: false },
      expected: /requires an API key \(401\)/,
    },
    {
      name: "unknown model",
      error: gatewayError("model_not_found"),
      expected:
        /^The model 'm-1' does not exist on the gateway \(404\): run `deno task cli models`/,
    },
    {
      name: "429",
      error: gatewayError("rate_limit_exceeded"),
      expected: /rate limiting requests for 'm-1' \(429\): wait a moment/,
    },
    {
      name: "502",
      error: gatewayError("upstream_error", "Bad thing."),
      expected: /failed \(502: Bad thing\): try again later/,
    },
    {
      name: "503 not configured",
      error: gatewayError("provider_not_configured"),
      expected: /not configured on the gateway \(503\)/,
    },
    {
      name: "503 unavailable",
      error: gatewayError("upstream_unavailable"),
      expected: /is unavailable \(503\)/,
    },
    {
      name: "504",
      error: gatewayError("upstream_timeout"),
      expected: /timed out \(504\).*UPSTREAM_TIMEOUT_MS/,
    },
    {
      name: "500",
      error: gatewayError("internal_error"),
      expected: /internal error \(500\): check the gateway's logs/,
    },
    { name: "413", error: gatewayError("request_too_large"), expected: /too large .*\/clear/ },
    {
      name: "403",
      error: gatewayError("upstream_access_denied"),
      expected: /denied access to 'm-1' \(403\)/,
    },
    {
      name: "other gateway code names the param",
      error: Object.assign(new Error("temperature too high."), {
        data: {
          httpStatus: 400,
          gateway: { type: "invalid_request_error", code: "invalid_value", param: "temperature" },
        },
      }),
      expected:
        /^The gateway rejected the request \(400 invalid_value \(temperature\)\): temperature too high\.$/,
    },
    {
      name: "not a gateway",
      error: new TRPCClientError("Unexpected token '<'"),
      expected: /^Unexpected answer from http:\/\/gw .*--url/,
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      const e = explainError(row.error, row.ctx ?? ctx);
      assert.ok(e instanceof CliError);
      assert.equal(e.exitCode, 1);
      assert.match(e.message, row.expected);
      assert.ok(!e.message.includes("\n"), "one line");
      assert.ok(e.message.endsWith("."), "one sentence");
    });
  }
});

Deno.test("CliErrors pass through; usage errors exit 2", () => {
  const usage = new UsageError("bad");
  assert.equal(explainError(usage, ctx), usage);
  assert.equal(usage.exitCode, 2);
});

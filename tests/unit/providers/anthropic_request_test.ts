/**
 * The Anthropic provider's pure parts: a Claude body split into the Messages API body and its
 * headers, the count-tokens body, and SDK errors mapped to gateway errors (SPEC §3.4).
 */
import assert from "node:assert/strict";
import { APIConnectionError, APIError } from "@anthropic-ai/sdk";
import { anthropicCall, countTokensBody } from "../../../core/providers/anthropic/request_body.ts";
import { mapAnthropicError } from "../../../core/providers/anthropic/errors.ts";
import { isRetryable } from "../../../core/providers/retry.ts";

Deno.test("anthropicCall: Bedrock and gateway fields removed, betas as the header", async (t) => {
  const rows = [
    {
      name: "Bedrock version, betas, model and stream removed",
      input: {
        anthropic_version: "bedrock-2023-05-31",
        anthropic_beta: ["a-1", "b-2"],
        model: "claude-x",
        stream: true,
        file_ids: ["file-1"],
        max_tokens: 5,
        messages: [],
        top_k: 0,
      },
      expected: {
        body: { max_tokens: 5, messages: [], top_k: 0 },
        headers: { "anthropic-beta": "a-1,b-2" },
      },
    },
    {
      name: "no betas: no header",
      input: { max_tokens: 1, messages: [], anthropic_beta: [] },
      expected: { body: { max_tokens: 1, messages: [] }, headers: {} },
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () => assert.deepEqual(anthropicCall(row.input), row.expected));
  }
});

Deno.test("countTokensBody: only the fields count_tokens takes", () => {
  assert.deepEqual(
    countTokensBody({
      max_tokens: 5,
      temperature: 0,
      metadata: { user_id: "u" },
      system: "s",
      messages: [],
      tools: [],
      thinking: { type: "enabled", budget_tokens: 1024 },
    }),
    { system: "s", messages: [], tools: [], thinking: { type: "enabled", budget_tokens: 1024 } },
  );
});

const envelope = (type: string, message: string) => ({ type: "error", error: { type, message } });

Deno.test("mapAnthropicError: statuses and stream error types", async (t) => {
  const rows = [
    { status: 400, type: "invalid_request_error", kind: "invalid_request", retry: false },
    { status: 401, type: "authentication_error", kind: "permission", retry: false },
    { status: 403, type: "permission_error", kind: "permission", retry: false },
    { status: 404, type: "not_found_error", kind: "not_found", retry: false },
    { status: 413, type: "request_too_large", kind: "too_large", retry: false },
    { status: 429, type: "rate_limit_error", kind: "rate_limited", retry: true },
    { status: 500, type: "api_error", kind: "upstream", retry: true },
    { status: 529, type: "overloaded_error", kind: "unavailable", retry: true },
    { status: 504, type: "timeout_error", kind: "timeout", retry: true },
  ];
  for (const row of rows) {
    await t.step(`${row.status} ${row.type}`, () => {
      const headers = new Headers(row.status === 429 ? { "retry-after": "3" } : {});
      const error = mapAnthropicError(
        APIError.generate(row.status, envelope(row.type, "m"), undefined, headers),
      );
      assert.equal(error.kind, row.kind);
      assert.equal(isRetryable(error), row.retry);
      if (row.status === 429) assert.equal(error.retryAfterSeconds, 3);
      if (row.status === 404) assert.equal(error.code, "model_not_found");
    });
  }
  await t.step("mid-stream overloaded_error event → unavailable", () => {
    const event = new APIError(
      undefined,
      envelope("overloaded_error", "Overloaded"),
      undefined,
      new Headers(),
      "overloaded_error",
    );
    assert.equal(mapAnthropicError(event).kind, "unavailable");
  });
  await t.step("connection error → unavailable, retryable", () => {
    const error = mapAnthropicError(new APIConnectionError({ message: "Connection error." }));
    assert.equal(error.kind, "unavailable");
    assert.equal(isRetryable(error), true);
  });
  await t.step("anything else → upstream, not retried", () => {
    const error = mapAnthropicError(new TypeError("boom"));
    assert.equal(error.kind, "upstream");
    assert.equal(isRetryable(error), false);
  });
});

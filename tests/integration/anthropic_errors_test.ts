/**
 * The `anthropic` provider kind's upstream errors, mapped per SPEC §3.4 and retried per the
 * gateway's policy (before the first byte, never by the SDK): 400, 401, 404, 429 with
 * Retry-After, 529 overloaded → 503, 500 → 502, a refused connection → 503, and an instance
 * without a key → 503 `provider_not_configured`. The key never reaches a log line or a body.
 */
import assert from "node:assert/strict";
import {
  anthropicError,
  anthropicMessage,
  startFakeAnthropic,
} from "../fakes/anthropic_upstream.ts";
import { chatBody, testApp, testAppWithInstances } from "../helpers/app.ts";
import { readSse } from "../helpers/sse.ts";
import { checkAnthropicStream } from "../helpers/anthropic_stream_checker.ts";
import { anthropicGateway, KEY } from "./anthropic_harness.ts";

const messages = (model = "anthropic/claude-sonnet-4-5", extra = {}) => ({
  model,
  max_tokens: 20,
  messages: [{ role: "user", content: "Hi" }],
  ...extra,
});

Deno.test("anthropic errors: each upstream status maps to the gateway's", async (t) => {
  const rows = [
    {
      name: "400 → 400 invalid_request_error, Anthropic's message kept",
      reply: anthropicError(400, "invalid_request_error", "messages: roles must alternate"),
      status: 400,
      openaiCode: "invalid_value",
      anthropicType: "invalid_request_error",
      message: /roles must alternate/,
    },
    {
      name: "429 → 429 rate_limit_error with Retry-After",
      reply: anthropicError(429, "rate_limit_error", "Number of requests exceeded", 7),
      status: 429,
      openaiCode: "rate_limit_exceeded",
      anthropicType: "rate_limit_error",
      retryAfter: "7",
    },
    {
      name: "529 overloaded → 503 upstream_unavailable",
      reply: anthropicError(529, "overloaded_error", "Overloaded"),
      status: 503,
      openaiCode: "upstream_unavailable",
      anthropicType: "overloaded_error",
    },
    {
      name: "500 → 502 upstream_error",
      reply: anthropicError(500, "api_error", "Internal server error"),
      status: 502,
      openaiCode: "upstream_error",
      anthropicType: "api_error",
    },
  ];
  for (const row of rows) {
    await t.step(row.name, async () => {
      await using fake = startFakeAnthropic({ requireKey: KEY });
      const gw = anthropicGateway(fake);
      fake.script(row.reply, row.reply);
      const viaOpenAI = await gw.post(
        "/v1/chat/completions",
        chatBody("anthropic/claude-sonnet-4-5"),
      );
      assert.equal(viaOpenAI.status, row.status);
      const openai = await viaOpenAI.json();
      assert.equal(openai.error.code, row.openaiCode);
      if (row.message) assert.match(openai.error.message, row.message);
      if (row.retryAfter) assert.equal(viaOpenAI.headers.get("retry-after"), row.retryAfter);
      const viaMessages = await gw.post("/v1/messages", messages(undefined, { stream: true }));
      assert.equal(viaMessages.status, row.status);
      const claude = await viaMessages.json();
      assert.equal(claude.type, "error");
      assert.equal(claude.error.type, row.anthropicType);
      // UPSTREAM_MAX_RETRIES=0 in tests: one attempt each, no SDK retries on top.
      assert.equal(fake.messageRequests.length, 2);
    });
  }
});

Deno.test("anthropic errors: the gateway's credentials rejected (401) → 403, key never shown", async () => {
  await using fake = startFakeAnthropic({ requireKey: "another-key" });
  const gw = anthropicGateway(fake);
  const res = await gw.post("/v1/chat/completions", chatBody("anthropic/claude-sonnet-4-5"));
  assert.equal(res.status, 403);
  const text = await res.text();
  assert.equal(JSON.parse(text).error.code, "upstream_access_denied");
  assert.ok(!text.includes(KEY));
  assert.ok(!gw.logLines.some((l) => l.includes(KEY)), "the key is never logged");
  assert.equal(fake.requests[0].headers.get("x-api-key"), KEY);
});

Deno.test("anthropic errors: an unknown model → 404 model_not_found", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake);
  const res = await gw.post("/v1/chat/completions", chatBody("anthropic/claude-nope"));
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, "model_not_found");
  assert.match(body.error.message, /claude-nope/);
});

Deno.test("anthropic errors: retried before the first byte on 529 and 429 (gateway policy)", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake, {}, { UPSTREAM_MAX_RETRIES: "2" });
  fake.script(
    anthropicError(529, "overloaded_error", "Overloaded"),
    anthropicError(429, "rate_limit_error", "slow down", 0),
    anthropicMessage([{ type: "text", text: "third time" }]),
  );
  const res = await gw.post("/v1/messages", messages(undefined, { stream: true }));
  assert.equal(res.status, 200);
  const frames = await readSse(res);
  assert.equal(checkAnthropicStream(frames.map((f) => JSON.parse(f.data))).text, "third time");
  assert.equal(fake.messageRequests.length, 3);
  const attempts = gw.logs().filter((l) => l.msg === "upstream attempt failed");
  assert.deepEqual(attempts.map((a) => a.provider), ["anthropic", "anthropic"]);
  // A 400 is final: one attempt.
  fake.script(anthropicError(400, "invalid_request_error", "bad"));
  const bad = await gw.post("/v1/messages", messages());
  assert.equal(bad.status, 400);
  assert.equal(fake.messageRequests.length, 4);
});

Deno.test("anthropic errors: a refused connection → 503 upstream_unavailable", async () => {
  const fake = startFakeAnthropic({ requireKey: KEY });
  await fake.close();
  const gw = anthropicGateway(fake);
  const res = await gw.post("/v1/chat/completions", chatBody("anthropic/claude-sonnet-4-5"));
  assert.equal(res.status, 503);
  const body = await res.json();
  assert.equal(body.error.code, "upstream_unavailable");
  assert.match(body.error.message, /Anthropic API/);
  assert.ok(!JSON.stringify(body).includes(KEY));
});

Deno.test("anthropic errors: an error event mid-stream ends the stream with Anthropic's error event", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake);
  fake.script({
    kind: "events",
    events: [
      {
        type: "message_start",
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          model: "claude-sonnet-4-5",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 3, output_tokens: 1 },
        },
      },
      { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    ],
  });
  const res = await gw.post("/v1/messages", messages(undefined, { stream: true }));
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.match(text, /event: message_start/);
  assert.match(text, /event: error\ndata: .*overloaded_error/);
});

Deno.test("anthropic: an instance without api_key answers 503 provider_not_configured", async () => {
  const gw = testAppWithInstances([{ id: "anthropic", kind: "anthropic", settings: {} }]);
  const res = await gw.post("/v1/messages", messages());
  assert.equal(res.status, 503);
  const body = await res.json();
  assert.equal(body.error.type, "api_error");
  const viaOpenAI = await gw.post("/v1/chat/completions", chatBody("anthropic/claude-sonnet-4-5"));
  assert.equal(viaOpenAI.status, 503);
  assert.equal((await viaOpenAI.json()).error.code, "provider_not_configured");
  const health = await (await gw.get("/health")).json();
  assert.equal(health.providers.anthropic, "not_configured");
});

Deno.test("anthropic: ANTHROPIC_API_KEY alone adds the anthropic instance (no config file)", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = testApp({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url });
  fake.script(anthropicMessage([{ type: "text", text: "from env" }]));
  const res = await gw.post("/v1/chat/completions", chatBody("anthropic/claude-haiku-4-5"));
  assert.equal(res.status, 200);
  assert.equal((await res.json()).choices[0].message.content, "from env");
  const health = await (await gw.get("/health")).json();
  assert.equal(health.providers.anthropic, "configured");
  const without = await (await testApp().get("/health")).json();
  assert.equal(without.providers.anthropic, undefined);
});

Deno.test("anthropic: a JSON answer over MAX_RESPONSE_BYTES → 502, not retried", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake, {}, { MAX_RESPONSE_BYTES: "4096", UPSTREAM_MAX_RETRIES: "2" });
  fake.script(anthropicMessage([{ type: "text", text: "x".repeat(10_000) }]));
  const res = await gw.post("/v1/messages", messages());
  assert.equal(res.status, 502);
  assert.match((await res.json()).error.message, /MAX_RESPONSE_BYTES/);
  assert.equal(fake.messageRequests.length, 1);
});

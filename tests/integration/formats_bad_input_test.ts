/**
 * Bad input in each format → 400 naming the field, in the envelope of the format the answer
 * would have had (Anthropic's `{"type":"error",…}` on `/v1/messages` and with
 * `target_format=bedrock_claude`; OpenAI's, with `param` and `code`, on `/v1/chat/completions`
 * otherwise — whatever the input format); unknown `target_format` → 400; a failure after a
 * Claude stream started → `event: error` as the last event. No upstream is called for bad input.
 */
import assert from "node:assert/strict";
import { textFrames } from "../fakes/bedrock_runtime.ts";
import { readSse } from "../helpers/sse.ts";
import { checkAnthropicStream } from "../helpers/anthropic_stream_checker.ts";
import { claudeBody, formatsGateway, MOCK_MODEL, NOVA_MODEL } from "./formats_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const claudeRows: Array<{ name: string; body: Record<string, unknown>; field: RegExp }> = [
  {
    name: "no max_tokens",
    body: claudeBody(MOCK_MODEL, { max_tokens: undefined }),
    field: /max_tokens/,
  },
  {
    name: "role other than user/assistant/system",
    body: claudeBody(MOCK_MODEL, { messages: [{ role: "tool", content: "x" }] }),
    field: /messages\[0\]\.role/,
  },
  {
    name: "tool_result without a matching tool_use",
    body: claudeBody(MOCK_MODEL, {
      messages: [{
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "toolu_missing", content: "42" }],
      }],
    }),
    field: /messages\[0\]\.content\[0\]\.tool_use_id/,
  },
  {
    name: "unknown content block type",
    body: claudeBody(MOCK_MODEL, {
      messages: [{ role: "user", content: [{ type: "hologram", data: "x" }] }],
    }),
    field: /messages\[0\]\.content\[0\]\.type/,
  },
  {
    name: "tool_use block in a user message",
    body: claudeBody(MOCK_MODEL, {
      messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] }],
    }),
    field: /messages\[0\]\.content\[0\]\.type/,
  },
  {
    // Found by the fuzz test: a Bedrock model id that cannot be put in the URL path was a 502.
    name: "Bedrock model id with a lone surrogate",
    body: claudeBody("anthropic.a\ud83d"),
    field: /'model'.*lone surrogate/,
  },
];

Deno.test("bad Claude bodies → 400 in Anthropic's envelope naming the field", async (t) => {
  await using h = await formatsGateway();
  for (const row of claudeRows) {
    for (const route of ["/v1/chat/completions?target_format=bedrock_claude", "/v1/messages"]) {
      await t.step(`${row.name} (${route})`, async () => {
        const res = await h.gw.post(route, row.body);
        assert.equal(res.status, 400);
        const body = await res.json() as Json;
        assert.deepEqual(Object.keys(body).sort(), ["error", "type"]);
        assert.equal(body.type, "error");
        assert.equal(body.error.type, "invalid_request_error");
        assert.match(body.error.message, row.field);
      });
    }
  }
  assert.equal(h.bedrock.requests.length + h.openai.chatRequests.length, 0);
});

Deno.test("bad Claude bodies answered in OpenAI format → 400 in OpenAI's envelope", async (t) => {
  await using h = await formatsGateway();
  for (const row of claudeRows) {
    await t.step(row.name, async () => {
      const res = await h.gw.post("/v1/chat/completions", row.body);
      assert.equal(res.status, 400);
      const body = await res.json() as Json;
      assert.deepEqual(Object.keys(body), ["error"]);
      assert.equal(body.error.type, "invalid_request_error");
      assert.match(body.error.message, row.field);
      assert.ok(typeof body.error.param === "string" && body.error.param !== "", "param named");
      assert.equal(typeof body.error.code, "string");
    });
  }
  assert.equal(h.bedrock.requests.length + h.openai.chatRequests.length, 0);
});

Deno.test("Titan body without inputText → 400 in OpenAI's envelope, param inputText", async () => {
  await using h = await formatsGateway();
  const res = await h.gw.post("/v1/chat/completions", {
    model: "amazon.titan-text-express-v1",
    textGenerationConfig: { maxTokenCount: 10 },
  });
  assert.equal(res.status, 400);
  const body = await res.json() as Json;
  assert.equal(body.error.type, "invalid_request_error");
  assert.equal(body.error.param, "inputText");
  assert.match(body.error.message, /inputText/);
});

Deno.test("a Titan body whose Bedrock model id has a lone surrogate → 400 param model", async () => {
  // Found by the fuzz test: it was a 502 "Bedrock failed to answer" (the URL path cannot hold it).
  await using h = await formatsGateway();
  const res = await h.gw.post("/v1/chat/completions", {
    model: "amazon.titan-\ud800",
    inputText: "Hi",
  });
  assert.equal(res.status, 400);
  const body = await res.json() as Json;
  assert.equal(body.error.param, "model");
  assert.equal(body.error.code, "invalid_value");
  assert.equal(h.bedrock.requests.length, 0);
});

Deno.test("a Titan body with a bad textGenerationConfig names the field", async () => {
  await using h = await formatsGateway();
  const res = await h.gw.post("/v1/chat/completions", {
    model: MOCK_MODEL,
    inputText: "Hi",
    textGenerationConfig: { temperature: 7 },
  });
  assert.equal(res.status, 400);
  const body = await res.json() as Json;
  assert.equal(body.error.param, "textGenerationConfig.temperature");
});

Deno.test("unknown target_format → 400 param target_format, before reading the body", async () => {
  await using h = await formatsGateway();
  const res = await h.gw.post("/v1/chat/completions?target_format=bedrock_llama", {
    model: MOCK_MODEL,
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.equal(res.status, 400);
  const body = await res.json() as Json;
  assert.equal(body.error.param, "target_format");
  assert.equal(body.error.code, "invalid_value");
  assert.match(body.error.message, /openai, bedrock_claude, bedrock_titan/);
});

Deno.test("a body that fits no format lists the formats tried", async () => {
  await using h = await formatsGateway();
  const res = await h.gw.post("/v1/chat/completions", { prompt: "Hi" });
  assert.equal(res.status, 400);
  const body = await res.json() as Json;
  assert.match(body.error.message, /bedrock_claude.*bedrock_titan/);
});

Deno.test("an upstream failure after a Claude stream started → event: error last (hub path)", async () => {
  await using h = await formatsGateway();
  h.bedrock.enqueue({
    kind: "stream",
    frames: [
      ...textFrames(["Hel"]).slice(0, 2),
      { exception: "modelStreamErrorException", message: "broken" },
    ],
  });
  const res = await h.gw.post("/v1/messages", claudeBody(NOVA_MODEL, { stream: true }));
  assert.equal(res.status, 200);
  const events = await readSse(res);
  const summary = checkAnthropicStream(events, { allowError: true });
  assert.equal(summary.text, "Hel");
  assert.equal(events.at(-1)?.event, "error");
  assert.equal(JSON.parse(events.at(-1)!.data).type, "error");
});

/**
 * The `anthropic` provider kind, native fast path: `/v1/messages` bodies reach the fake Anthropic
 * API (real `@anthropic-ai/sdk` client inside the gateway) unchanged but for the removed Bedrock
 * and gateway fields, with the instance's key, version and the request's betas as headers; JSON
 * and streamed answers come back unchanged (events with Anthropic's names).
 */
import assert from "node:assert/strict";
import { anthropicMessage, startFakeAnthropic } from "../fakes/anthropic_upstream.ts";
import { anthropicGateway, KEY } from "./anthropic_harness.ts";
import { readSse } from "../helpers/sse.ts";
import { checkAnthropicStream } from "../helpers/anthropic_stream_checker.ts";

const claudeBody = {
  model: "anthropic/claude-sonnet-4-5",
  anthropic_version: "bedrock-2023-05-31",
  anthropic_beta: ["interleaved-thinking-2025-05-14"],
  max_tokens: 300,
  system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
  messages: [{
    role: "user",
    content: [
      { type: "text", text: "What is in the image?" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
    ],
  }],
  tools: [{ name: "lookup", description: "Look up", input_schema: { type: "object" } }],
  temperature: 0,
  top_k: 5,
  context_management: { edits: [] },
};

const { model: _model, anthropic_version: _v, anthropic_beta: _b, ...expectedBody } = claudeBody;

Deno.test("anthropic native JSON: body unchanged but for removed fields; answer unchanged", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake, { headers: { "x-team": "blue" } });
  fake.script(anthropicMessage([{ type: "text", text: "A cat." }], { inputTokens: 30 }));
  const res = await gw.post("/v1/messages", claudeBody, {
    "anthropic-beta": "context-1m-2025-08-07",
  });
  assert.equal(res.status, 200);
  const answer = await res.json();
  assert.deepEqual(answer, {
    id: "msg_fake01",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [{ type: "text", text: "A cat." }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 30, output_tokens: 7 },
  });
  const [sent] = fake.messageRequests;
  assert.deepEqual(sent.body, { ...expectedBody, model: "claude-sonnet-4-5", stream: false });
  assert.equal(sent.headers.get("x-api-key"), KEY);
  assert.equal(sent.headers.get("authorization"), null);
  assert.equal(sent.headers.get("anthropic-version"), "2023-06-01");
  assert.equal(
    sent.headers.get("anthropic-beta"),
    "interleaved-thinking-2025-05-14,context-1m-2025-08-07",
  );
  assert.equal(sent.headers.get("x-team"), "blue");
  const access = gw.accessLogs().at(-1)!;
  assert.equal(access.provider, "anthropic");
  assert.ok(!gw.logLines.some((l) => l.includes(KEY)), "the key is never logged");
});

Deno.test("anthropic native stream: the upstream's events pass with Anthropic's event names", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake, { anthropic_version: "2024-01-01" });
  fake.script(anthropicMessage([
    { type: "thinking", thinking: "Let me see.", signature: "sig-abc" },
    { type: "text", text: "Hello there, friend" },
    { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "cats" } },
  ]));
  const res = await gw.post("/v1/messages", { ...claudeBody, stream: true });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const frames = await readSse(res);
  for (const frame of frames) assert.equal(frame.event, JSON.parse(frame.data).type);
  const summary = checkAnthropicStream(
    frames.map((f) => ({ event: f.event, data: JSON.parse(f.data) })),
  );
  assert.equal(summary.text, "Hello there, friend");
  assert.equal(summary.thinking, "Let me see.");
  assert.deepEqual(summary.signatures, ["sig-abc"]);
  assert.deepEqual(summary.toolCalls, [{ id: "toolu_1", name: "lookup", input: { q: "cats" } }]);
  assert.equal(summary.stopReason, "tool_use");
  const [sent] = fake.messageRequests;
  assert.deepEqual(sent.body, { ...expectedBody, model: "claude-sonnet-4-5", stream: true });
  assert.equal(sent.headers.get("anthropic-version"), "2024-01-01");
  const access = gw.accessLogs().at(-1)!;
  assert.equal(access.status, 200);
});

Deno.test("anthropic thinking signature round trip: a signed thinking block goes back unchanged", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake);
  const turn = [
    { role: "user", content: "Think, then call lookup." },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "I should look.", signature: "sig-xyz" },
        { type: "tool_use", id: "toolu_9", name: "lookup", input: { q: "x" } },
      ],
    },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_9", content: "found" }] },
  ];
  const res = await gw.post("/v1/messages", {
    model: "anthropic/claude-opus-4-1",
    max_tokens: 2000,
    thinking: { type: "enabled", budget_tokens: 1024 },
    messages: turn,
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.deepEqual(fake.messageRequests[0].body?.messages, turn);
});

Deno.test("anthropic: no ids claimed by pattern; the ids its upstream lists route to it", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake);
  const unlisted = await gw.post("/v1/messages", { ...claudeBody, model: "claude-unlisted-9" });
  assert.equal(unlisted.status, 404);
  assert.equal((await unlisted.json()).error.type, "not_found_error");
  assert.equal(fake.messageRequests.length, 0);
  const listed = await gw.post("/v1/messages", { ...claudeBody, model: "claude-sonnet-4-5" });
  assert.equal(listed.status, 200);
  assert.equal(listed.headers.get("x-gateway-deployment"), "anthropic/claude-sonnet-4-5");
  await listed.body?.cancel();
  assert.equal(fake.messageRequests.length, 1);
});

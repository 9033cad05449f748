/** Canonical chunks → Responses events, each sequence checked by the stream checker. */
import assert from "node:assert/strict";
import { GatewayError } from "../../../../core/errors.ts";
import { chunkOf, usageChunkOf } from "../../../../core/formats/openai/chunks.ts";
import type { ChunkDelta, FinishReason } from "../../../../core/formats/openai/schema.ts";
import { ResponsesStreamEncoder } from "../../../../core/formats/openai_responses/stream_encoder.ts";
import { checkResponsesStream } from "../../../helpers/responses_stream_checker.ts";

const C = { id: "c", created: 0, model: "m" };
const chunk = (delta: ChunkDelta, finish: FinishReason | null = null) => chunkOf(C, delta, finish);

function encode(chunks: ReturnType<typeof chunk>[], fail?: GatewayError) {
  let n = 0;
  const encoder = new ResponsesStreamEncoder({
    id: "resp_1",
    createdAt: 0,
    model: "m",
    newId: (p) => `${p}${++n}`,
  });
  const events = chunks.flatMap((c) => encoder.push(c));
  events.push(...(fail ? encoder.fail(fail) : encoder.end()));
  return events as Array<Record<string, unknown> & { type: string }>;
}

Deno.test("text only: the exact event order", () => {
  const events = encode([
    chunk({ role: "assistant", content: "" }),
    chunk({ content: "Hel" }),
    chunk({ content: "lo" }),
    chunk({}, "stop"),
    usageChunkOf(C, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }),
  ]);
  assert.deepEqual(events.map((e) => e.type), [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
  ]);
  const s = checkResponsesStream(events);
  assert.equal(s.text, "Hello");
  assert.equal((s.response.usage as { total_tokens: number }).total_tokens, 3);
});

Deno.test("reasoning with a signature, text, then two tool calls", () => {
  const events = encode([
    chunk({ reasoning_content: "Let me " }),
    chunk({ reasoning_content: "think" }),
    chunk({ reasoning_signature: "SIG" }),
    chunk({ reasoning_content: "More" }),
    chunk({ reasoning_signature: "SIG2" }),
    chunk({ content: "Calling" }),
    chunk({
      tool_calls: [{
        index: 0,
        id: "call_a",
        type: "function",
        function: { name: "f", arguments: "" },
      }],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"x":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
    chunk({
      tool_calls: [{
        index: 1,
        id: "call_b",
        type: "function",
        function: { name: "g", arguments: "{}" },
      }],
    }),
    chunk({}, "tool_calls"),
  ]);
  const s = checkResponsesStream(events);
  assert.deepEqual(s.itemTypes, [
    "reasoning",
    "reasoning",
    "message",
    "function_call",
    "function_call",
  ]);
  assert.equal(s.reasoning, "Let me thinkMore");
  const output = s.response.output as Array<Record<string, unknown>>;
  assert.equal(output[0].encrypted_content, "sig:SIG");
  assert.equal(output[1].encrypted_content, "sig:SIG2");
  assert.deepEqual(s.calls, [
    { call_id: "call_a", name: "f", arguments: '{"x":1}' },
    { call_id: "call_b", name: "g", arguments: "{}" },
  ]);
  assert.equal(s.terminal, "response.completed");
});

Deno.test("redacted reasoning is a reasoning item with no summary", () => {
  const events = encode([
    chunk({ reasoning_details: [{ type: "reasoning.encrypted", data: "QUJD" }] }),
    chunk({ content: "ok" }, "stop"),
  ]);
  const s = checkResponsesStream(events);
  const output = s.response.output as Array<Record<string, unknown>>;
  assert.deepEqual(output[0].summary, []);
  assert.equal(output[0].encrypted_content, "redacted:QUJD");
});

Deno.test("refusal, then text: two parts of one message", () => {
  const events = encode([chunk({ refusal: "No" }), chunk({ content: "but" }, "stop")]);
  const s = checkResponsesStream(events);
  const message = (s.response.output as Array<{ content: unknown[] }>)[0];
  assert.deepEqual(message.content, [
    { type: "refusal", refusal: "No" },
    { type: "output_text", text: "but", annotations: [], logprobs: [] },
  ]);
});

Deno.test("length → response.incomplete with max_output_tokens", () => {
  const s = checkResponsesStream(encode([chunk({ content: "cu" }, "length")]));
  assert.equal(s.terminal, "response.incomplete");
  assert.deepEqual(s.response.incomplete_details, { reason: "max_output_tokens" });
});

Deno.test("no chunks at all: created, in_progress, completed with an empty output", () => {
  const s = checkResponsesStream(encode([]));
  assert.deepEqual(s.types, ["response.created", "response.in_progress", "response.completed"]);
});

Deno.test("a failure after the start: response.failed with error {code, message}, last", () => {
  const events = encode(
    [chunk({ content: "partial" })],
    new GatewayError("rate_limited", "slow down"),
  );
  const s = checkResponsesStream(events);
  assert.equal(s.terminal, "response.failed");
  assert.deepEqual(s.response.error, { code: "rate_limit_exceeded", message: "slow down" });
  assert.equal(s.response.status, "failed");
});

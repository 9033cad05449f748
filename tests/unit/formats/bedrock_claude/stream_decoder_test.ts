/**
 * Anthropic events → canonical chunks: recorded Claude streams (`tests/fixtures/claude_events_*`)
 * replayed with snapshots; encoder → decoder round trips; errors.
 */
import assert from "node:assert/strict";
import {
  ClaudeStreamDecoder,
  claudeStreamToChunks,
} from "../../../../core/formats/bedrock_claude/stream_decoder.ts";
import { ClaudeStreamEncoder } from "../../../../core/formats/bedrock_claude/stream_encoder.ts";
import { GatewayError } from "../../../../core/errors.ts";
import type { ClaudeStreamEvent } from "../../../../core/formats/bedrock_claude/schema.ts";
import type { ChatCompletionChunk } from "../../../../core/formats/openai/schema.ts";
import { checkAnthropicStream } from "../../../helpers/anthropic_stream_checker.ts";

const fixtures = new URL("../../../fixtures/", import.meta.url);
const ctx = { id: "chatcmpl-claude", created: 1_700_000_000, model: "claude-test" };

async function readEvents(name: string): Promise<ClaudeStreamEvent[]> {
  const text = await Deno.readTextFile(new URL(name, fixtures));
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
}

async function* replay<T>(items: T[]): AsyncIterable<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

async function collect(events: ClaudeStreamEvent[]): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const chunk of claudeStreamToChunks(replay(events), ctx)) out.push(chunk);
  return out;
}

const joined = (chunks: ChatCompletionChunk[], key: "content" | "reasoning_content") =>
  chunks.map((c) => c.choices[0]?.delta[key] ?? "").join("");

function toolCalls(chunks: ChatCompletionChunk[]) {
  const calls: Array<{ id?: string; name?: string; arguments: string }> = [];
  for (const chunk of chunks) {
    for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
      const entry = calls[call.index] ??= { arguments: "" };
      if (call.id !== undefined) entry.id = call.id;
      if (call.function?.name !== undefined) entry.name = call.function.name;
      entry.arguments += call.function?.arguments ?? "";
    }
  }
  return calls;
}

Deno.test("Claude event fixtures → chunks (snapshots)", async (t) => {
  await t.step("claude_events_text.jsonl", async () => {
    const events = await readEvents("claude_events_text.jsonl");
    checkAnthropicStream(events);
    const chunks = await collect(events);
    assert.equal(joined(chunks, "content"), "Hello!");
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    assert.deepEqual(chunks.at(-1)?.usage, {
      prompt_tokens: 114,
      completion_tokens: 5,
      total_tokens: 119,
      prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 0 },
    });
    assert.equal(chunks.at(-2)?.choices[0].finish_reason, "stop");
    await t.assertSnapshot(chunks);
  });
  await t.step("claude_events_thinking_tool.jsonl", async () => {
    const events = await readEvents("claude_events_thinking_tool.jsonl");
    checkAnthropicStream(events);
    const chunks = await collect(events);
    assert.equal(joined(chunks, "reasoning_content"), "Need the weather");
    assert.deepEqual(toolCalls(chunks), [
      { id: "toolu_01", name: "get_weather", arguments: '{"city": "Paris"}' },
      { id: "toolu_02", name: "get_time", arguments: "{}" },
    ]);
    assert.equal(chunks.at(-2)?.choices[0].finish_reason, "tool_calls");
    await t.assertSnapshot(chunks);
  });
});

Deno.test("ClaudeStreamDecoder rules", async (t) => {
  await t.step("stop_sequence is kept as the choice's stop_reason", () => {
    const decoder = new ClaudeStreamDecoder(ctx);
    const chunks = decoder.push({
      type: "message_delta",
      delta: { stop_reason: "stop_sequence", stop_sequence: "END" },
      usage: { output_tokens: 3 },
    });
    const choice = chunks[1].choices[0] as { finish_reason: string; stop_reason?: string };
    assert.equal(choice.finish_reason, "stop");
    assert.equal(choice.stop_reason, "END");
    decoder.end();
  });
  await t.step("an error event throws a GatewayError of the matching kind", () => {
    const decoder = new ClaudeStreamDecoder(ctx);
    assert.throws(
      () =>
        decoder.push({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
      (e: unknown) => e instanceof GatewayError && e.kind === "unavailable",
    );
  });
  await t.step("a stream ending before message_delta is an upstream error", async () => {
    const events = (await readEvents("claude_events_text.jsonl")).slice(0, 4);
    await assert.rejects(
      () => collect(events),
      (e: unknown) => e instanceof GatewayError && e.kind === "upstream",
    );
  });
});

Deno.test("encoder → decoder round trip keeps text, reasoning and tool calls", async () => {
  const text = await Deno.readTextFile(
    new URL("claude_encoder_tools_after_reasoning.jsonl", fixtures),
  );
  const chunks: ChatCompletionChunk[] = text.trim().split("\n").map((l) => JSON.parse(l));
  const encoder = new ClaudeStreamEncoder({ id: "msg_1", model: "m" });
  const events = [...chunks.flatMap((c) => encoder.push(c)), ...encoder.end()];
  const back = await collect(events);
  assert.equal(joined(back, "content"), joined(chunks, "content"));
  assert.equal(joined(back, "reasoning_content"), joined(chunks, "reasoning_content"));
  assert.deepEqual(toolCalls(back), toolCalls(chunks));
  assert.deepEqual(back.at(-1)?.usage, chunks.at(-1)?.usage);
});

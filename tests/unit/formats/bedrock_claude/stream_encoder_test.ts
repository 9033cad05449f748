/**
 * Canonical chunks → Anthropic events: fixtures (`tests/fixtures/claude_encoder_*.jsonl`, one
 * chunk per line) replayed through the encoder, every stream validated by the Anthropic stream
 * checker and compared with snapshots; Converse fixtures replayed through the Converse converter
 * and then the encoder; targeted rules.
 */
import assert from "node:assert/strict";
import { ClaudeStreamEncoder } from "../../../../core/formats/bedrock_claude/stream_encoder.ts";
import { ConverseStreamConverter } from "../../../../core/providers/bedrock/converse/stream_to_canonical.ts";
import { GatewayError } from "../../../../core/errors.ts";
import type { AnthropicEvent } from "../../../../core/formats/bedrock_claude/schema.ts";
import type {
  ChatCompletionChunk,
  ChunkDelta,
  FinishReason,
} from "../../../../core/formats/openai/schema.ts";
import { checkAnthropicStream } from "../../../helpers/anthropic_stream_checker.ts";

const fixtures = new URL("../../../fixtures/", import.meta.url);

async function readLines<T>(name: string): Promise<T[]> {
  const text = await Deno.readTextFile(new URL(name, fixtures));
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
}

function encode(chunks: ChatCompletionChunk[]): AnthropicEvent[] {
  const encoder = new ClaudeStreamEncoder({ id: "msg_test", model: "claude-test" });
  return [...chunks.flatMap((chunk) => encoder.push(chunk)), ...encoder.end()];
}

const chunk = (
  delta: ChunkDelta,
  finish: FinishReason | null = null,
  extra: Record<string, unknown> = {},
): ChatCompletionChunk => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 0,
  model: "m",
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});

const usageChunk = (prompt: number, completion: number): ChatCompletionChunk => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 0,
  model: "m",
  choices: [],
  usage: {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  },
});

Deno.test("canonical chunk fixtures → Anthropic events (snapshots)", async (t) => {
  const cases: Array<[string, (s: ReturnType<typeof checkAnthropicStream>) => void]> = [
    ["claude_encoder_text.jsonl", (s) => {
      assert.equal(s.text, "Hello, world");
      assert.equal(s.stopReason, "end_turn");
      assert.deepEqual(s.usage, { output_tokens: 3, input_tokens: 12 });
    }],
    ["claude_encoder_tools_after_reasoning.jsonl", (s) => {
      assert.deepEqual(s.blockTypes, ["thinking", "text", "tool_use"]);
      assert.equal(s.thinking, "The user wants the weather.");
      assert.deepEqual(s.signatures, ["EqQBCkYIBBgCIkA="]);
      assert.deepEqual(s.toolCalls, [{
        id: "toolu_01",
        name: "get_weather",
        input: { city: "Paris" },
      }]);
      assert.equal(s.stopReason, "tool_use");
      assert.deepEqual(s.usage, {
        output_tokens: 58,
        input_tokens: 120,
        cache_read_input_tokens: 1000,
      });
    }],
    ["claude_encoder_parallel_tools.jsonl", (s) => {
      assert.deepEqual(s.toolCalls.map((c) => [c.id, c.input]), [
        ["call_a", { city: "Paris" }],
        ["call_b", { tz: "CET" }],
      ]);
    }],
    ["claude_encoder_redacted_length_usage_in_finish.jsonl", (s) => {
      assert.deepEqual(s.blockTypes, ["redacted_thinking", "text"]);
      assert.equal(s.stopReason, "max_tokens");
      assert.equal(s.usage.output_tokens, 16);
    }],
    ["claude_encoder_stop_sequence_no_usage.jsonl", (s) => {
      assert.equal(s.stopReason, "stop_sequence");
      assert.equal(s.stopSequence, "4");
      assert.deepEqual(s.usage, { output_tokens: 0 });
    }],
  ];
  for (const [name, expect] of cases) {
    await t.step(name, async () => {
      const events = encode(await readLines<ChatCompletionChunk>(name));
      expect(checkAnthropicStream(events));
      await t.assertSnapshot(events);
    });
  }
});

Deno.test("Converse fixtures → canonical chunks → Anthropic events pass the checker", async (t) => {
  for (
    const name of [
      "converse_text.jsonl",
      "converse_tools_after_reasoning.jsonl",
      "converse_parallel_tools.jsonl",
      "converse_truncated.jsonl",
    ]
  ) {
    await t.step(name, async () => {
      const converter = new ConverseStreamConverter({
        id: "chatcmpl-x",
        created: 0,
        model: "m",
        toolNameMap: {},
      });
      const chunks = (await readLines<Record<string, unknown>>(name)).flatMap((e) =>
        converter.push(e)
      );
      const summary = checkAnthropicStream(encode(chunks));
      assert.ok(summary.blockTypes.length > 0);
    });
  }
});

Deno.test("ClaudeStreamEncoder rules", async (t) => {
  await t.step("message_delta waits for the usage chunk after finish_reason", () => {
    const encoder = new ClaudeStreamEncoder({ id: "msg_1", model: "m" });
    const first = encoder.push(chunk({ role: "assistant", content: "Hi" }));
    assert.deepEqual(first.map((e) => e.type), [
      "message_start",
      "content_block_start",
      "content_block_delta",
    ]);
    assert.deepEqual(encoder.push(chunk({}, "stop")).map((e) => e.type), ["content_block_stop"]);
    const last = encoder.push(usageChunk(5, 2));
    assert.deepEqual(last.map((e) => e.type), ["message_delta", "message_stop"]);
    assert.deepEqual(encoder.end(), []);
    assert.deepEqual(encoder.push(chunk({ content: "late" })), []);
  });

  await t.step("an empty stream still yields a complete sequence", () => {
    const encoder = new ClaudeStreamEncoder({ id: "msg_1", model: "m", inputTokens: 7 });
    const events = encoder.end();
    const summary = checkAnthropicStream(events);
    assert.equal(summary.inputTokens, 7);
    assert.equal(summary.stopReason, "end_turn");
  });

  await t.step("content_filter → refusal; refusal text is a text block", () => {
    const events = encode([chunk({ refusal: "I can't help with that." }, "content_filter")]);
    const summary = checkAnthropicStream(events);
    assert.equal(summary.stopReason, "refusal");
    assert.equal(summary.text, "I can't help with that.");
  });

  await t.step("reasoning after a signature opens a new thinking block", () => {
    const events = encode([
      chunk({ reasoning_content: "a" }),
      chunk({ reasoning_signature: "s1" }),
      chunk({ reasoning_content: "b" }),
      chunk({ reasoning_signature: "s2" }),
      chunk({}, "stop"),
    ]);
    const summary = checkAnthropicStream(events);
    assert.deepEqual(summary.blockTypes, ["thinking", "thinking"]);
    assert.deepEqual(summary.signatures, ["s1", "s2"]);
  });

  await t.step("text, then tool, then text again: three blocks", () => {
    const events = encode([
      chunk({ content: "a" }),
      chunk({ tool_calls: [{ index: 0, id: "t", function: { name: "f", arguments: "{}" } }] }),
      chunk({ content: "b" }),
      chunk({}, "tool_calls"),
    ]);
    assert.deepEqual(checkAnthropicStream(events).blockTypes, ["text", "tool_use", "text"]);
  });

  await t.step("a tool call without id gets a stable generated id", () => {
    const events = encode([chunk({ tool_calls: [{ index: 0, function: { name: "f" } }] })]);
    assert.deepEqual(checkAnthropicStream(events).toolCalls, [
      { id: "toolu_msg_test_0", name: "f", input: {} },
    ]);
  });

  await t.step("a late fragment of a closed tool call is dropped, the stream stays valid", () => {
    const events = encode([
      chunk({ tool_calls: [{ index: 0, id: "a", function: { name: "f", arguments: "{}" } }] }),
      chunk({ tool_calls: [{ index: 1, id: "b", function: { name: "g", arguments: "{}" } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: " " } }] }),
    ]);
    assert.equal(checkAnthropicStream(events).toolCalls.length, 2);
  });

  await t.step("only choice 0 is encoded", () => {
    const two: ChatCompletionChunk = {
      ...chunk({ content: "zero" }),
      choices: [
        { index: 1, delta: { content: "one" }, finish_reason: null },
        { index: 0, delta: { content: "zero" }, finish_reason: null },
      ],
    };
    assert.equal(checkAnthropicStream(encode([two])).text, "zero");
  });

  await t.step("error() gives Anthropic's error event and ends the stream", () => {
    const encoder = new ClaudeStreamEncoder({ id: "msg_1", model: "m" });
    const events = encoder.push(chunk({ content: "partial" }));
    events.push(encoder.error(new GatewayError("rate_limited", "Slow down")));
    assert.deepEqual(events.at(-1), {
      type: "error",
      error: { type: "rate_limit_error", message: "Slow down" },
    });
    assert.deepEqual(encoder.end(), []);
    checkAnthropicStream(events, { allowError: true });
  });
});

Deno.test("the stream checker rejects broken sequences", async (t) => {
  const good = encode([chunk({ content: "Hi" }, "stop"), usageChunk(1, 1)]);
  const rows: Array<[string, unknown[]]> = [
    ["missing message_start", good.slice(1)],
    ["missing message_stop", good.slice(0, -1)],
    ["delta before start", [good[0], good[2], good[1], ...good.slice(3)]],
    [
      "wrong delta type",
      good.map((e) =>
        e.type === "content_block_delta"
          ? { ...e, delta: { type: "input_json_delta", partial_json: "{}" } }
          : e
      ),
    ],
    ["index not from 0", good.map((e) => ("index" in e ? { ...e, index: 1 } : e))],
    ["no usage", good.map((e) => (e.type === "message_delta" ? { ...e, usage: {} } : e))],
    ["error without allowError", [...good.slice(0, 3), {
      type: "error",
      error: { type: "api_error", message: "x" },
    }]],
  ];
  for (const [name, events] of rows) {
    await t.step(name, () => assert.throws(() => checkAnthropicStream(events)));
  }
  await t.step("SSE frames are accepted", () => {
    checkAnthropicStream(good.map((e) => ({ event: e.type, data: JSON.stringify(e) })));
  });
});

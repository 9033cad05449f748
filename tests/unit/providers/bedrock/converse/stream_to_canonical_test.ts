/**
 * ConverseStream → chunks: recorded event fixtures (`tests/fixtures/converse_*.jsonl`, one event
 * per line) replayed through the converter and compared with snapshots, plus targeted checks.
 */
import assert from "node:assert/strict";
import {
  ConverseStreamConverter,
  converseStreamToChunks,
} from "../../../../../core/providers/bedrock/converse/stream_to_canonical.ts";
import type { ConverseResponseContext } from "../../../../../core/providers/bedrock/converse/to_canonical.ts";
import { GatewayError } from "../../../../../core/errors.ts";
import type { ConverseStreamEvent } from "../../../../../core/providers/bedrock/converse/wire.ts";
import type { ChatCompletionChunk } from "../../../../../core/formats/openai/schema.ts";

const fixtures = new URL("../../../../fixtures/", import.meta.url);

async function readEvents(name: string): Promise<ConverseStreamEvent[]> {
  const text = await Deno.readTextFile(new URL(name, fixtures));
  return text.split("\n").filter((line) => line.trim() !== "").map((line) => JSON.parse(line));
}

async function* replay(events: ConverseStreamEvent[]): AsyncIterable<ConverseStreamEvent> {
  for (const event of events) {
    await Promise.resolve();
    yield event;
  }
}

const ctx: ConverseResponseContext = {
  id: "chatcmpl-stream",
  created: 1_700_000_000,
  model: "us.anthropic.claude-sonnet-4-20250514-v1:0",
  toolNameMap: { get_weather: "get_weather", get_time_2: "get.time" },
};

/** Replays a fixture; returns the chunks and, if the stream failed, the error. */
async function run(name: string, overrides: Partial<ConverseResponseContext> = {}) {
  const chunks: ChatCompletionChunk[] = [];
  let error: { kind: string; message: string } | undefined;
  try {
    for await (
      const chunk of converseStreamToChunks(replay(await readEvents(name)), {
        ...ctx,
        ...overrides,
      })
    ) {
      chunks.push(chunk);
    }
  } catch (e) {
    assert.ok(e instanceof GatewayError, String(e));
    error = { kind: e.kind, message: e.message };
  }
  return { chunks, error };
}

const contentOf = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

Deno.test("ConverseStream fixtures → chunks (snapshots)", async (t) => {
  await t.step(
    "text only: role first, text deltas, finish on the last choice chunk, usage chunk",
    async (t) => {
      const out = await run("converse_text.jsonl");
      assert.equal(out.error, undefined);
      assert.deepStrictEqual(out.chunks[0].choices[0].delta, { role: "assistant", content: "" });
      assert.equal(contentOf(out.chunks), "Hello, world!");
      const choiceChunks = out.chunks.filter((c) => c.choices.length > 0);
      assert.ok(choiceChunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null));
      assert.equal(choiceChunks.at(-1)?.choices[0].finish_reason, "stop");
      assert.deepStrictEqual(out.chunks.at(-1)?.choices, []);
      await t.assertSnapshot(out);
    },
  );

  await t.step(
    "tool call after reasoning and text: tool index 0, arguments streamed",
    async (t) => {
      const out = await run("converse_tools_after_reasoning.jsonl");
      assert.equal(out.error, undefined);
      const toolDeltas = out.chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      assert.deepStrictEqual(toolDeltas[0], {
        index: 0,
        id: "tooluse_abc",
        type: "function",
        function: { name: "get_weather", arguments: "" },
      });
      assert.ok(toolDeltas.every((d) => d.index === 0));
      assert.equal(
        toolDeltas.map((d) => d.function?.arguments ?? "").join(""),
        '{"city": "Paris"}',
      );
      const reasoning = out.chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? "").join("");
      assert.equal(reasoning, "The user wants weather; call the tool.");
      assert.equal(
        out.chunks.filter((c) => c.choices.length > 0).at(-1)?.choices[0].finish_reason,
        "tool_calls",
      );
      await t.assertSnapshot(out);
    },
  );

  await t.step("parallel tool calls: indexes 0 and 1, names mapped back", async (t) => {
    const out = await run("converse_parallel_tools.jsonl");
    const starts = out.chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).filter((d) =>
      d.id
    );
    assert.deepStrictEqual(starts.map((d) => [d.index, d.id, d.function?.name]), [
      [0, "tooluse_1", "get_weather"],
      [1, "tooluse_2", "get.time"],
    ]);
    assert.deepStrictEqual(out.chunks.at(-1)?.usage?.prompt_tokens_details, {
      cached_tokens: 1024,
    });
    await t.assertSnapshot(out);
  });

  await t.step("exception mid-stream: chunks so far, then a rate_limited error", async (t) => {
    const out = await run("converse_exception_mid_stream.jsonl");
    assert.equal(out.error?.kind, "rate_limited");
    assert.equal(contentOf(out.chunks), "Partial ans");
    await t.assertSnapshot(out);
  });

  await t.step("truncated stream without messageStop: upstream error, not a success", async (t) => {
    const out = await run("converse_truncated.jsonl");
    assert.equal(out.error?.kind, "upstream");
    assert.match(out.error?.message ?? "", /ended early/);
    assert.ok(out.chunks.every((c) => c.choices[0]?.finish_reason === null));
    await t.assertSnapshot(out);
  });

  await t.step("forced JSON tool: arguments become content, finish_reason stop", async (t) => {
    const out = await run("converse_forced_json_tool.jsonl", { forcedJsonTool: "json_response" });
    assert.equal(out.error, undefined);
    assert.deepStrictEqual(JSON.parse(contentOf(out.chunks)), { name: "Ada", age: 36 });
    assert.ok(out.chunks.every((c) => c.choices[0]?.delta.tool_calls === undefined));
    assert.equal(
      out.chunks.filter((c) => c.choices.length > 0).at(-1)?.choices[0].finish_reason,
      "stop",
    );
    await t.assertSnapshot(out);
  });
});

Deno.test("stream exception events → GatewayError kinds", async (t) => {
  const rows: Array<[keyof ConverseStreamEvent, string]> = [
    ["throttlingException", "rate_limited"],
    ["validationException", "invalid_request"],
    ["serviceUnavailableException", "unavailable"],
    ["modelStreamErrorException", "upstream"],
    ["internalServerException", "upstream"],
  ];
  for (const [name, kind] of rows) {
    await t.step(`${name} → ${kind}`, () => {
      const converter = new ConverseStreamConverter(ctx);
      converter.push({ messageStart: { role: "assistant" } });
      assert.throws(
        () => converter.push({ [name]: { message: "boom" } }),
        (e: unknown) => e instanceof GatewayError && e.kind === kind && e.message.includes("boom"),
      );
    });
  }
});

Deno.test("stream converter details", async (t) => {
  await t.step("content before messageStart still gets the role chunk first", () => {
    const converter = new ConverseStreamConverter(ctx);
    const chunks = converter.push({
      contentBlockDelta: { contentBlockIndex: 0, delta: { text: "x" } },
    });
    assert.deepStrictEqual(chunks.map((c) => c.choices[0].delta), [
      { role: "assistant", content: "" },
      { content: "x" },
    ]);
  });
  await t.step("redacted reasoning and signatures are streamed as gateway extension fields", () => {
    const converter = new ConverseStreamConverter(ctx);
    converter.push({ messageStart: { role: "assistant" } });
    const chunks = converter.push({
      contentBlockDelta: {
        contentBlockIndex: 0,
        delta: { reasoningContent: { redactedContent: new Uint8Array([1, 2, 3]) } },
      },
    });
    assert.deepStrictEqual(chunks[0].choices[0].delta, {
      reasoning_details: [{ type: "reasoning.encrypted", data: "AQID" }],
    });
  });
  await t.step("messageStop without metadata ends cleanly with no usage chunk", () => {
    const converter = new ConverseStreamConverter(ctx);
    converter.push({ messageStart: { role: "assistant" } });
    const chunks = converter.push({ messageStop: { stopReason: "max_tokens" } });
    assert.equal(chunks[0].choices[0].finish_reason, "length");
    converter.end();
  });
  await t.step("events after messageStop other than metadata are ignored", () => {
    const converter = new ConverseStreamConverter(ctx);
    converter.push({ messageStop: { stopReason: "end_turn" } });
    assert.deepStrictEqual(
      converter.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: "late" } } }),
      [],
    );
  });
  await t.step("empty text and empty tool input fragments produce no chunks", () => {
    const converter = new ConverseStreamConverter(ctx);
    converter.push({ messageStart: { role: "assistant" } });
    assert.deepStrictEqual(
      converter.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: "" } } }),
      [],
    );
  });
});

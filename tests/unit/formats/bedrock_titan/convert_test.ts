/**
 * Titan ⇄ canonical: transcripts, parameters, responses, completion reasons and streams (the
 * canonical chunk fixtures replayed through the Titan encoder with snapshots).
 */
import assert from "node:assert/strict";
import {
  parseTitanTranscript,
  titanFinishReason,
  TitanStreamDecoder,
  titanStreamToChunks,
  titanToOpenAIRequest,
  titanToOpenAIResponse,
} from "../../../../core/formats/bedrock_titan/to_canonical.ts";
import {
  openaiToTitanRequest,
  openaiToTitanResponse,
  titanCompletionReason,
  TitanStreamEncoder,
  titanTranscript,
} from "../../../../core/formats/bedrock_titan/from_canonical.ts";
import { GatewayError } from "../../../../core/errors.ts";
import {
  titanRequestSchema,
  type TitanStreamChunk,
} from "../../../../core/formats/bedrock_titan/schema.ts";
import {
  type ChatCompletionChunk,
  chatRequestSchema,
  type FinishReason,
} from "../../../../core/formats/openai/schema.ts";
import { assistant, call, toolMsg, user } from "../../converter_helpers.ts";

const fixtures = new URL("../../../fixtures/", import.meta.url);

Deno.test("parseTitanTranscript", async (t) => {
  const rows: Array<[string, string, unknown[]]> = [
    ["plain text → one user message, unchanged", "  Tell me\na joke ", [
      user("  Tell me\na joke "),
    ]],
    ["a Bot: label alone is not a transcript", "Bot: hi", [user("Bot: hi")]],
    ["User/Bot turns, final Bot: cue dropped", "User: Hi\nBot: Hello\nUser: Bye\nBot:", [
      user("Hi"),
      assistant("Hello"),
      user("Bye"),
    ]],
    ["preamble → system; multi-line turns trimmed", "Be kind.\n\nUser: line 1\nline 2\n\nBot:  ", [
      { role: "system", content: "Be kind." },
      user("line 1\nline 2"),
    ]],
    ["a final non-empty Bot turn is a prefill", "User: Count\nBot: 1, 2", [
      user("Count"),
      assistant("1, 2"),
    ]],
    ["labels mid-line are text", "User: say User: hi\nBot:", [user("say User: hi")]],
  ];
  for (const [name, input, expected] of rows) {
    await t.step(name, () => assert.deepStrictEqual(parseTitanTranscript(input), expected));
  }
});

Deno.test("titanToOpenAIRequest", async (t) => {
  await t.step("textGenerationConfig → parameters (0 kept); gateway fields", () => {
    const request = titanRequestSchema.parse({
      model: "amazon.titan-text-express-v1",
      inputText: "Hi",
      stream: true,
      file_ids: ["file-1"],
      textGenerationConfig: { maxTokenCount: 50, temperature: 0, topP: 0.9, stopSequences: ["|"] },
    });
    const out = titanToOpenAIRequest(request);
    assert.deepStrictEqual(out, {
      model: "amazon.titan-text-express-v1",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
      file_ids: ["file-1"],
      max_tokens: 50,
      temperature: 0,
      top_p: 0.9,
      stop: ["|"],
    });
    chatRequestSchema.parse(out);
  });
});

Deno.test("openaiToTitanRequest", async (t) => {
  const convert = (request: Record<string, unknown>) =>
    openaiToTitanRequest(chatRequestSchema.parse({ model: "amazon.titan", ...request }));
  await t.step("one user message is sent unchanged; parameters", () => {
    assert.deepStrictEqual(
      convert({ messages: [user("Hi")], max_tokens: 5, temperature: 1.5, top_p: 0, stop: "END" }),
      {
        model: "amazon.titan",
        inputText: "Hi",
        textGenerationConfig: { maxTokenCount: 5, temperature: 1, topP: 0, stopSequences: ["END"] },
      },
    );
  });
  await t.step("a conversation → transcript ending with Bot:", () => {
    const out = convert({
      messages: [
        { role: "system", content: "Be kind." },
        user([{ type: "text", text: "Hi" }]),
        assistant("Hello"),
        user("Bye"),
      ],
    });
    assert.equal(out.inputText, "Be kind.\n\nUser: Hi\nBot: Hello\nUser: Bye\nBot:");
    assert.equal(out.textGenerationConfig, undefined);
  });
  await t.step("tool history is kept as text; a final assistant turn is a prefill", () => {
    assert.equal(
      titanTranscript(
        chatRequestSchema.parse({
          model: "m",
          messages: [
            user("Weather?"),
            assistant(null, { tool_calls: [call("c1", "get_weather", '{"city":"Paris"}')] }),
            toolMsg("c1", "sunny"),
            assistant("It is"),
          ],
        }).messages,
      ),
      "User: Weather?\nBot: [Called tool get_weather (call id c1) with arguments: " +
        '{"city":"Paris"}]\nUser: [Result of tool call c1: sunny]\nBot: It is',
    );
  });
  await t.step("images → 400 naming the part", () => {
    assert.throws(
      () =>
        convert({
          messages: [user([{ type: "image_url", image_url: { url: "https://x/a.png" } }])],
        }),
      (e: unknown) => e instanceof GatewayError && e.param === "messages[0].content[0]",
    );
  });
});

Deno.test("Titan responses and completion reasons", async (t) => {
  await t.step("Titan response → completion", () => {
    const out = titanToOpenAIResponse({
      inputTextTokenCount: 3,
      results: [{ tokenCount: 0, outputText: "", completionReason: "LENGTH" }],
    }, { id: "chatcmpl-t", created: 5, model: "amazon.titan" });
    assert.deepStrictEqual(out, {
      id: "chatcmpl-t",
      object: "chat.completion",
      created: 5,
      model: "amazon.titan",
      choices: [{
        index: 0,
        message: { role: "assistant", content: "", refusal: null },
        finish_reason: "length",
        logprobs: null,
      }],
      usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 },
    });
  });
  await t.step("completion → Titan response (tool calls as text)", () => {
    const out = openaiToTitanResponse({
      id: "c",
      object: "chat.completion",
      created: 0,
      model: "m",
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: "Sure.",
          refusal: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        finish_reason: "tool_calls",
      }],
      usage: { prompt_tokens: 4, completion_tokens: 6, total_tokens: 10 },
    });
    assert.deepStrictEqual(out, {
      inputTextTokenCount: 4,
      results: [{
        tokenCount: 6,
        outputText: "Sure.\n[Called tool f (call id c1) with arguments: {}]",
        completionReason: "FINISH",
      }],
    });
  });
  const reasons: Array<[string | null, FinishReason]> = [
    ["FINISH", "stop"],
    ["LENGTH", "length"],
    ["CONTENT_FILTERED", "content_filter"],
    ["STOP_CRITERIA_MET", "stop"],
    [null, "stop"],
  ];
  for (const [reason, finish] of reasons) {
    await t.step(`${reason} → ${finish}`, () => assert.equal(titanFinishReason(reason), finish));
  }
  const back: Array<[FinishReason | null, string]> = [
    ["stop", "FINISH"],
    ["length", "LENGTH"],
    ["content_filter", "CONTENT_FILTERED"],
    ["tool_calls", "FINISH"],
    [null, "FINISH"],
  ];
  for (const [finish, reason] of back) {
    await t.step(
      `${finish} → ${reason}`,
      () => assert.equal(titanCompletionReason(finish), reason),
    );
  }
});

async function readChunks(name: string): Promise<ChatCompletionChunk[]> {
  const text = await Deno.readTextFile(new URL(name, fixtures));
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

function checkTitanStream(chunks: TitanStreamChunk[]): void {
  assert.ok(chunks.length > 0);
  const last = chunks.at(-1)!;
  assert.notEqual(last.completionReason, null, "the last chunk has a completionReason");
  assert.equal(typeof last.totalOutputTextTokenCount, "number");
  assert.equal(typeof last.inputTextTokenCount, "number");
  for (const chunk of chunks.slice(0, -1)) {
    assert.equal(chunk.completionReason, null);
    assert.equal(chunk.index, 0);
  }
}

Deno.test("TitanStreamEncoder replays canonical chunk fixtures (snapshots)", async (t) => {
  for (
    const name of [
      "claude_encoder_text.jsonl",
      "claude_encoder_parallel_tools.jsonl",
      "claude_encoder_redacted_length_usage_in_finish.jsonl",
      "claude_encoder_stop_sequence_no_usage.jsonl",
    ]
  ) {
    await t.step(name, async () => {
      const encoder = new TitanStreamEncoder();
      const chunks = await readChunks(name);
      const out = [...chunks.flatMap((c) => encoder.push(c)), ...encoder.end()];
      checkTitanStream(out);
      await t.assertSnapshot(out);
    });
  }
  await t.step("usage after finish fills the last chunk's counts", async () => {
    const encoder = new TitanStreamEncoder();
    const out = (await readChunks("claude_encoder_text.jsonl")).flatMap((c) => encoder.push(c));
    assert.deepStrictEqual(out.at(-1), {
      outputText: "",
      index: 0,
      totalOutputTextTokenCount: 3,
      completionReason: "FINISH",
      inputTextTokenCount: 12,
    });
    assert.deepStrictEqual(encoder.end(), []);
  });
  await t.step("error() gives the OpenAI error payload", () => {
    const encoder = new TitanStreamEncoder();
    assert.deepStrictEqual(encoder.error(new GatewayError("timeout", "slow")), {
      error: { message: "slow", type: "api_error", param: null, code: "upstream_timeout" },
    });
    assert.deepStrictEqual(encoder.end(), []);
  });
});

Deno.test("Titan stream → canonical chunks", async (t) => {
  const titan: TitanStreamChunk[] = [
    {
      outputText: "Hello",
      index: 0,
      totalOutputTextTokenCount: null,
      completionReason: null,
      inputTextTokenCount: 6,
    },
    {
      outputText: " world",
      index: 0,
      totalOutputTextTokenCount: 2,
      completionReason: "FINISH",
      inputTextTokenCount: null,
      "amazon-bedrock-invocationMetrics": { inputTokenCount: 6, outputTokenCount: 2 },
    },
  ];
  const ctx = { id: "chatcmpl-t", created: 0, model: "amazon.titan" };
  await t.step("text, finish and usage", async () => {
    async function* gen() {
      yield* titan;
    }
    const out: ChatCompletionChunk[] = [];
    for await (const chunk of titanStreamToChunks(gen(), ctx)) out.push(chunk);
    await t.assertSnapshot(out);
    assert.equal(out.map((c) => c.choices[0]?.delta.content ?? "").join(""), "Hello world");
    assert.equal(out.at(-2)?.choices[0].finish_reason, "stop");
    assert.deepStrictEqual(out.at(-1)?.usage, {
      prompt_tokens: 6,
      completion_tokens: 2,
      total_tokens: 8,
    });
  });
  await t.step("a stream without completionReason is an upstream error", () => {
    const decoder = new TitanStreamDecoder(ctx);
    decoder.push(titan[0]);
    assert.throws(() => decoder.end(), (e: unknown) => e instanceof GatewayError);
  });
  await t.step("encoder → decoder keeps text, reason and counts", async () => {
    const encoder = new TitanStreamEncoder();
    const chunks = await readChunks("claude_encoder_redacted_length_usage_in_finish.jsonl");
    const encoded = [...chunks.flatMap((c) => encoder.push(c)), ...encoder.end()];
    const decoder = new TitanStreamDecoder(ctx);
    const back = encoded.flatMap((c) => decoder.push(c));
    decoder.end();
    assert.equal(back.map((c) => c.choices[0]?.delta.content ?? "").join(""), "Once upon a");
    assert.equal(back.at(-2)?.choices[0].finish_reason, "length");
    assert.deepStrictEqual(back.at(-1)?.usage, chunks.at(-1)?.usage);
  });
});

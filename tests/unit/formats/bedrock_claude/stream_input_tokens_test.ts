import assert from "node:assert/strict";
import { ClaudeStreamEncoder } from "../../../../core/formats/bedrock_claude/stream_encoder.ts";
import { estimatePromptTokens } from "../../../../core/formats/openai/token_estimate.ts";
import type { ChatCompletionChunk } from "../../../../core/formats/openai/schema.ts";

const chunk = (extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
  id: "c",
  object: "chat.completion.chunk",
  created: 0,
  model: "m",
  choices: [{ index: 0, delta: { role: "assistant", content: "Hi" }, finish_reason: null }],
  ...extra,
});

const startTokens = (encoder: ClaudeStreamEncoder, first: ChatCompletionChunk) => {
  const [start] = encoder.push(first);
  assert.equal(start.type, "message_start");
  return (start as { message: { usage: { input_tokens: number } } }).message.usage.input_tokens;
};

Deno.test("message_start input tokens on converted streams", async (t) => {
  await t.step("the count known before the stream", () => {
    const encoder = new ClaudeStreamEncoder({ id: "msg_1", model: "m", inputTokens: 42 });
    assert.equal(startTokens(encoder, chunk()), 42);
  });
  await t.step("a first chunk with usage wins (vLLM continuous usage)", () => {
    const encoder = new ClaudeStreamEncoder({ id: "msg_1", model: "m", inputTokens: 42 });
    const usage = { prompt_tokens: 17, completion_tokens: 1, total_tokens: 18 };
    assert.equal(startTokens(encoder, chunk({ usage })), 17);
  });
  await t.step("usage: null is no count", () => {
    const encoder = new ClaudeStreamEncoder({ id: "msg_1", model: "m", inputTokens: 42 });
    assert.equal(startTokens(encoder, chunk({ usage: null })), 42);
  });
});

Deno.test("estimatePromptTokens: about 4 characters per token, at least 1", () => {
  assert.equal(estimatePromptTokens({ model: "m", messages: [{ role: "user", content: "" }] }), 1);
  assert.equal(
    estimatePromptTokens({
      model: "m",
      messages: [
        { role: "system", content: [{ type: "text", text: "a".repeat(40) }] },
        { role: "user", content: "b".repeat(40) },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "t", type: "function", function: { name: "get", arguments: "{}" } }],
        },
      ],
      tools: [{ type: "function", function: { name: "get", parameters: { type: "object" } } }],
    }),
    Math.ceil((40 + 40 + 5 + 3 + 17) / 4),
  );
});

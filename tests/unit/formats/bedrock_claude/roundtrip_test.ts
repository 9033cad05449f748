/**
 * Round trips through the canonical hub: Claude → OpenAI → Claude is exact for every valid
 * conversation (property-based), OpenAI → Claude → OpenAI preserves messages, system, tools, tool
 * calls, tool results and images (up to a string being a one-text-part array). Streams:
 * `roundtrip_claude_stream_test.ts`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { claudeToOpenAIRequest } from "../../../../core/formats/bedrock_claude/to_canonical.ts";
import { openaiToClaudeRequest } from "../../../../core/formats/bedrock_claude/from_canonical.ts";
import { claudeRequestSchema } from "../../../../core/formats/bedrock_claude/schema.ts";
import { type ChatRequest, chatRequestSchema } from "../../../../core/formats/openai/schema.ts";

const VERSION = "bedrock-2023-05-31";

// ---------------------------------------------------------------- arbitraries (Claude side)

const key = fc.stringMatching(/^[a-z][a-z_]{0,7}$/);
const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
const jsonObject = fc.dictionary(key, fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })), {
  maxKeys: 4,
});
const text = fc.string({ minLength: 1 });
const id = fc.stringMatching(/^toolu_[A-Za-z0-9]{1,10}$/);
const toolName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/);
const cache = fc.option(fc.constant({ type: "ephemeral" }), { nil: undefined });
const base64 = fc.base64String({ minLength: 4, maxLength: 24 });

const withCache = <T extends object>(block: T, control: unknown) =>
  control === undefined ? block : { ...block, cache_control: control };

const textBlock = fc.tuple(text, cache).map(([t, c]) => withCache({ type: "text", text: t }, c));
const imageBlock = fc.oneof(
  fc.tuple(fc.constantFrom("image/png", "image/jpeg", "image/webp"), base64).map((
    [media_type, data],
  ) => ({ type: "image", source: { type: "base64", media_type, data } })),
  fc.webUrl().map((url) => ({ type: "image", source: { type: "url", url } })),
);
const documentBlock = fc.oneof(
  fc.tuple(base64, fc.option(text, { nil: undefined })).map(([data, title]) => ({
    type: "document",
    source: { type: "base64", media_type: "application/pdf", data },
    ...(title !== undefined ? { title } : {}),
  })),
  text.map((data) => ({
    type: "document",
    source: { type: "text", media_type: "text/plain", data },
  })),
);

/** One assistant turn: reasoning, text, then tool_use blocks (or a plain string). */
const assistantTurn = fc.oneof(
  text.map((content) => ({ content, ids: [] as string[] })),
  fc.record({
    thinking: fc.array(
      fc.oneof(
        fc.tuple(fc.string(), text).map(([thinking, signature]) => ({
          type: "thinking",
          thinking,
          signature,
        })),
        base64.map((data) => ({ type: "redacted_thinking", data })),
      ),
      { maxLength: 2 },
    ),
    texts: fc.array(textBlock, { maxLength: 2 }),
    tools: fc.uniqueArray(fc.tuple(id, toolName, jsonObject), {
      maxLength: 3,
      selector: ([i]) => i,
    }),
  }).map(({ thinking, texts, tools }) => ({
    content: [
      ...thinking,
      ...texts,
      ...tools.map(([i, name, input]) => ({ type: "tool_use", id: i, name, input })),
    ],
    ids: tools.map(([i]) => i),
  })),
);

/** A user turn answering `ids`: tool_result blocks first, then other blocks (or a string). */
function userTurn(ids: string[]) {
  const result = (toolUseId: string) =>
    fc.record({
      content: fc.oneof(
        fc.string(),
        fc.tuple(fc.array(textBlock, { maxLength: 2 }), fc.array(imageBlock, { maxLength: 1 }))
          .map(([texts, images]) => [...texts, ...images]),
      ),
      is_error: fc.option(fc.boolean(), { nil: undefined }),
    }).map(({ content, is_error }) => ({
      type: "tool_result",
      tool_use_id: toolUseId,
      content,
      ...(is_error !== undefined ? { is_error } : {}),
    }));
  const rest = fc.array(fc.oneof(textBlock, imageBlock, documentBlock), { maxLength: 3 });
  if (ids.length === 0) return fc.oneof(fc.string(), rest);
  return fc.tuple(fc.tuple(...ids.map(result)), rest).map(([results, others]) => [
    ...results,
    ...others,
  ]);
}

/** A valid conversation: user, assistant, user, … ending with a user turn. */
const conversation = fc.array(assistantTurn, { maxLength: 3 }).chain((turns) =>
  fc.tuple(
    userTurn([]),
    ...turns.map((turn) => fc.tuple(fc.constant(turn.content), userTurn(turn.ids))),
  ).map(([first, ...pairs]) => [
    { role: "user", content: first },
    ...pairs.flatMap(([assistant, user]) => [
      { role: "assistant", content: assistant },
      { role: "user", content: user },
    ]),
  ])
);

const claudeRequest = fc.record({
  messages: conversation,
  max_tokens: fc.integer({ min: 1, max: 100_000 }),
  system: fc.option(fc.oneof(fc.string(), fc.array(textBlock, { maxLength: 2 })), {
    nil: undefined,
  }),
  tools: fc.option(
    fc.array(
      fc.record({
        name: toolName,
        description: fc.option(fc.string(), { nil: undefined }),
        input_schema: fc.constant({ type: "object", properties: {} }),
      }).map((tool) =>
        tool.description === undefined ? { name: tool.name, input_schema: tool.input_schema } : tool
      ),
      { maxLength: 2 },
    ),
    { nil: undefined },
  ),
  tool_choice: fc.option(
    fc.oneof(
      fc.constant({ type: "auto" }),
      fc.boolean().map((d) => ({ type: "any", disable_parallel_tool_use: d })),
      toolName.map((name) => ({ type: "tool", name })),
      fc.constant({ type: "none" }),
    ),
    { nil: undefined },
  ),
  temperature: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  top_p: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  top_k: fc.option(fc.nat(500), { nil: undefined }),
  stop_sequences: fc.option(fc.array(fc.string(), { maxLength: 6 }), { nil: undefined }),
  metadata: fc.option(fc.string().map((user_id) => ({ user_id })), { nil: undefined }),
  thinking: fc.option(
    fc.oneof(
      fc.integer({ min: 1024, max: 64_000 }).map((b) => ({ type: "enabled", budget_tokens: b })),
      fc.constant({ type: "disabled" }),
    ),
    { nil: undefined },
  ),
  stream: fc.option(fc.boolean(), { nil: undefined }),
}).map((fields) => {
  const body: Record<string, unknown> = { anthropic_version: VERSION, model: "anthropic.claude" };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) body[k] = v;
  return body;
});

Deno.test("property: Claude → OpenAI → Claude is exact", () => {
  // The generator reaches the interesting shapes: media inside tool results, thinking.
  const samples = fc.sample(claudeRequest, { numRuns: 300, seed: 42 }).map((b) =>
    JSON.stringify(b)
  );
  assert.ok(samples.some((s) => /"tool_result"[^\]]*"image"/.test(s)), "no image in a tool_result");
  assert.ok(samples.some((s) => s.includes('"redacted_thinking"')), "no redacted thinking");
  assert.ok(samples.some((s) => s.includes('"is_error":true')), "no is_error");
  fc.assert(
    fc.property(claudeRequest, (generated) => {
      const body = JSON.parse(JSON.stringify(generated));
      const request = claudeRequestSchema.parse(body);
      const canonical = claudeToOpenAIRequest(request);
      // Valid canonical, except that Claude allows more than OpenAI's 4 stop sequences (kept).
      chatRequestSchema.parse({ ...canonical, stop: undefined });
      assert.deepStrictEqual(openaiToClaudeRequest(canonical), body);
    }),
    { numRuns: 300 },
  );
});

// ---------------------------------------------------------------- OpenAI → Claude → OpenAI

/** A single text part without extras is the same as a string. */
function normalize(request: ChatRequest): ChatRequest {
  const plain = (content: unknown) =>
    Array.isArray(content) && content.length === 1 && content[0].type === "text" &&
      Object.keys(content[0]).length === 2
      ? content[0].text
      : content;
  return {
    ...request,
    messages: request.messages.map((m) => ({ ...m, content: plain(m.content) }) as typeof m),
  };
}

const openaiRequest = {
  model: "anthropic.claude",
  max_tokens: 500,
  temperature: 0,
  top_p: 1,
  stop: ["END"],
  user: "user-1",
  messages: [
    { role: "system", content: "You are terse." },
    {
      role: "user",
      content: [
        { type: "text", text: "What is in this image, and what's the weather there?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        { type: "image_url", image_url: { url: "https://example.com/paris.jpg" } },
      ],
    },
    {
      role: "assistant",
      content: "Paris. Checking the weather.",
      tool_calls: [
        {
          id: "call_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        },
        { id: "call_2", type: "function", function: { name: "get_time", arguments: "{}" } },
      ],
    },
    { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
    { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "14:00" }] },
    { role: "assistant", content: "21°C at 14:00." },
    { role: "user", content: "Thanks!" },
  ],
  tools: [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Weather for a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        },
      },
    },
    { type: "function", function: { name: "get_time", parameters: { type: "object" } } },
  ],
  tool_choice: "auto",
};

Deno.test("OpenAI → Claude → OpenAI preserves the conversation", () => {
  const request = chatRequestSchema.parse(openaiRequest);
  const back = claudeToOpenAIRequest(claudeRequestSchema.parse(openaiToClaudeRequest(request)));
  assert.deepStrictEqual(normalize(back), normalize(request));
});

const canonicalConversation = fc.array(
  fc.tuple(
    fc.string({ minLength: 1 }),
    fc.uniqueArray(fc.tuple(id, toolName, jsonObject, fc.string()), {
      maxLength: 2,
      selector: ([i]) => i,
    }),
    fc.string({ minLength: 1 }),
  ),
  { minLength: 1, maxLength: 3 },
).map((turns) => {
  const messages: Record<string, unknown>[] = [];
  for (const [question, calls, answer] of turns) {
    messages.push({ role: "user", content: question });
    if (calls.length > 0) {
      messages.push({
        role: "assistant",
        content: null,
        tool_calls: calls.map(([i, name, input]) => ({
          id: i,
          type: "function",
          function: { name, arguments: JSON.stringify(input) },
        })),
      });
      for (const [i, , , result] of calls) {
        messages.push({ role: "tool", tool_call_id: i, content: result });
      }
    }
    messages.push({ role: "assistant", content: answer });
  }
  messages.push({ role: "user", content: "next" });
  return { model: "m", max_tokens: 100, messages };
});

Deno.test("property: OpenAI → Claude → OpenAI preserves tool calls and results", () => {
  fc.assert(
    fc.property(canonicalConversation, (generated) => {
      const request = chatRequestSchema.parse(JSON.parse(JSON.stringify(generated)));
      const back = claudeToOpenAIRequest(
        claudeRequestSchema.parse(openaiToClaudeRequest(request)),
      );
      assert.deepStrictEqual(normalize(back), normalize(request));
    }),
    { numRuns: 200 },
  );
});

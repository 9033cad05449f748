/**
 * Valid-shaped request bodies for the fuzz test, with random field values: OpenAI chat requests,
 * Bedrock Claude requests (`anthropic_version`, mostly well-ordered conversations with tool
 * rounds), Anthropic Messages API requests and Bedrock Titan requests (`inputText`). Each carries
 * its required fields and a few optional ones, so most validate and reach a provider.
 *
 * @example
 * fc.sample(openaiBody, 1); // [{ model: "mock-echo", messages: [{ role: "user", content: "…" }] }]
 */
import fc from "fast-check";
import { model, oddString } from "./fuzz_values.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Stands for the id of a file the test uploaded (swapped in before sending). */
export const UPLOADED_FILE = "file-uploaded-by-the-test";

/** Short texts, some odd. */
export const text = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 30 }) }, {
  weight: 1,
  arbitrary: oddString,
});
/** A valid tool name. */
export const toolName = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/);
const PNG_1PX =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
/** Image URLs, good and bad (private addresses, bad data URLs). */
export const imageUrl = fc.oneof(
  fc.constant(`data:image/png;base64,${PNG_1PX}`),
  fc.constant("data:image/png;base64,AAAA"),
  fc.constant("data:image/gif;base64,R0lGOD"),
  fc.constant("data:text/plain,hello"),
  fc.constant("http://127.0.0.1:1/img.png"),
  fc.constant("http://[::1]/img.png"),
  fc.constant("http://10.0.0.1/img.png"),
  fc.constant("ftp://example.invalid/a.png"),
  fc.constant("not a url"),
);
/** Tool-call arguments, JSON or not. */
export const jsonArgs = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  fc.constantFrom("", "{", "not json", "null", "[]", '{"a":1}'),
);

const userPart = fc.oneof(
  fc.record({ type: fc.constant("text"), text }),
  fc.record({
    type: fc.constant("image_url"),
    image_url: fc.record({ url: imageUrl, detail: fc.constantFrom("auto", "low", "high") }, {
      requiredKeys: ["url"],
    }),
  }),
  fc.record({
    type: fc.constant("input_audio"),
    input_audio: fc.record({ data: fc.base64String({ maxLength: 16 }), format: fc.string() }),
  }),
  fc.record({
    type: fc.constant("file"),
    file: fc.record({
      file_data: fc.oneof(fc.base64String({ maxLength: 16 }), imageUrl),
      file_id: fc.constantFrom(UPLOADED_FILE, "file-nope", ""),
      filename: fc.constantFrom("a.pdf", "b.txt", "c", ""),
    }, { requiredKeys: [] }),
  }),
);

const toolCall = fc.record({
  id: fc.string({ minLength: 1, maxLength: 8 }),
  type: fc.constant("function"),
  function: fc.record({ name: toolName, arguments: jsonArgs }),
});

const reasoningDetail = fc.oneof(
  fc.record({ type: fc.constant("reasoning.text"), text, signature: fc.option(fc.string()) }),
  fc.record({ type: fc.constant("reasoning.encrypted"), data: fc.base64String({ maxLength: 12 }) }),
);

const openaiMessage = fc.oneof(
  fc.record({
    role: fc.constantFrom("system", "developer"),
    content: fc.oneof(
      text,
      fc.array(fc.record({ type: fc.constant("text"), text }), {
        maxLength: 2,
      }),
    ),
  }),
  fc.record({
    role: fc.constant("user"),
    content: fc.oneof(text, fc.array(userPart, { maxLength: 3 })),
    name: fc.string({ maxLength: 5 }),
  }, { requiredKeys: ["role", "content"] }),
  fc.record({
    role: fc.constant("assistant"),
    content: fc.oneof(
      fc.constant(null),
      text,
      fc.array(fc.record({ type: fc.constant("text"), text }), { maxLength: 2 }),
      fc.array(fc.record({ type: fc.constant("refusal"), refusal: text }), { maxLength: 1 }),
    ),
    tool_calls: fc.array(toolCall, { maxLength: 2 }),
    reasoning_content: text,
    reasoning_signature: fc.string({ maxLength: 8 }),
    reasoning_details: fc.array(reasoningDetail, { maxLength: 2 }),
    refusal: fc.option(text),
  }, { requiredKeys: ["role"] }),
  fc.record({
    role: fc.constant("tool"),
    content: fc.oneof(
      text,
      fc.array(fc.record({ type: fc.constant("text"), text }), {
        maxLength: 2,
      }),
    ),
    tool_call_id: fc.string({ maxLength: 8 }),
  }),
);

const jsonSchema = fc.oneof(
  fc.constant({ type: "object", properties: { a: { type: "string" } }, required: ["a"] }),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  // Real tools have parameters named like Object.prototype members.
  fc.constantFrom("constructor", "prototype", "toString", "__proto__").map((name) =>
    JSON.parse(`{"type":"object","properties":{"${name}":{"type":"string"}}}`)
  ),
);

const openaiTool = fc.record({
  type: fc.constant("function"),
  function: fc.record({
    name: toolName,
    description: text,
    parameters: jsonSchema,
    strict: fc.option(fc.boolean()),
  }, { requiredKeys: ["name"] }),
});

/** `stream`: absent (undefined is dropped by JSON), true or false. */
export const streamFlag = fc.constantFrom(undefined, undefined, true, false);

/**
 * An object with every `required` field and a few (at most `maxExtra`) of the `optional` ones,
 * so most shaped bodies stay valid and reach a provider.
 */
export function sparse(
  required: Record<string, fc.Arbitrary<unknown>>,
  optional: Record<string, fc.Arbitrary<unknown>>,
  maxExtra = 3,
): fc.Arbitrary<Json> {
  const keys = Object.keys(optional);
  return fc.tuple(
    fc.record(required),
    fc.record(optional),
    fc.subarray(keys, { maxLength: maxExtra }),
  )
    .map(([base, extra, picked]) => {
      const out: Json = { ...base };
      for (const key of picked) out[key] = (extra as Json)[key];
      return out;
    });
}

/** A valid-shaped OpenAI chat request with random values. */
export const openaiBody: fc.Arbitrary<Json> = sparse({
  model,
  messages: fc.array(openaiMessage, { minLength: 1, maxLength: 4 }),
  stream: streamFlag,
}, {
  tools: fc.array(openaiTool, { maxLength: 2 }),
  tool_choice: fc.oneof(
    fc.constantFrom("none", "auto", "required"),
    toolName.map((name) => ({ type: "function", function: { name } })),
  ),
  parallel_tool_calls: fc.boolean(),
  response_format: fc.oneof(
    fc.constant({ type: "text" }),
    fc.constant({ type: "json_object" }),
    fc.record({
      type: fc.constant("json_schema"),
      json_schema: fc.record({ name: toolName, schema: jsonSchema, strict: fc.boolean() }, {
        requiredKeys: ["name"],
      }),
    }),
  ),
  stream: fc.boolean(),
  stream_options: fc.record({ include_usage: fc.boolean() }),
  temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  max_tokens: fc.integer({ min: 1, max: 100_000 }),
  max_completion_tokens: fc.integer({ min: 1, max: 100_000 }),
  stop: fc.oneof(
    fc.string({ maxLength: 5 }),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }),
  ),
  seed: fc.integer(),
  n: fc.integer({ min: 1, max: 3 }),
  user: fc.string({ maxLength: 8 }),
  metadata: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
  logit_bias: fc.dictionary(fc.string({ maxLength: 5 }), fc.integer({ min: -100, max: 100 }), {
    maxKeys: 2,
  }),
  logprobs: fc.boolean(),
  top_logprobs: fc.integer({ min: 0, max: 20 }),
  presence_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
  frequency_penalty: fc.double({ min: -2, max: 2, noNaN: true }),
  reasoning_effort: fc.constantFrom("none", "minimal", "low", "medium", "high", "xhigh"),
  verbosity: fc.constantFrom("low", "medium", "high"),
  service_tier: fc.string({ maxLength: 5 }),
  file_ids: fc.array(fc.constantFrom(UPLOADED_FILE, UPLOADED_FILE, "file-nope", ""), {
    maxLength: 2,
  }),
});

// ---------------------------------------------------------------- Claude

const claudeSource = fc.oneof(
  fc.record({
    type: fc.constant("base64"),
    media_type: fc.constantFrom("image/png", "image/jpeg", "image/webp", "text/plain", ""),
    data: fc.oneof(fc.constant(PNG_1PX), fc.base64String({ maxLength: 16 }), fc.string()),
  }),
  fc.record({ type: fc.constant("url"), url: imageUrl }),
);
const claudeDocSource = fc.oneof(
  claudeSource,
  fc.record({ type: fc.constant("text"), media_type: fc.constant("text/plain"), data: text }),
  fc.record({
    type: fc.constant("content"),
    content: fc.oneof(
      text,
      fc.array(fc.record({ type: fc.constant("text"), text }), {
        maxLength: 2,
      }),
    ),
  }),
);
const cacheControl = fc.record(
  { type: fc.constant("ephemeral"), ttl: fc.constantFrom("5m", "1h") },
  {
    requiredKeys: ["type"],
  },
);

const claudeText = fc.record({ type: fc.constant("text"), text, cache_control: cacheControl }, {
  requiredKeys: ["type", "text"],
});
const claudeImage = fc.record({ type: fc.constant("image"), source: claudeSource });
const claudeDocument = fc.record({
  type: fc.constant("document"),
  source: claudeDocSource,
  title: fc.string({ maxLength: 5 }),
  context: fc.string({ maxLength: 5 }),
  citations: fc.record({ enabled: fc.boolean() }),
}, { requiredKeys: ["type", "source"] });
const claudeToolUse = (id: string) =>
  fc.record({
    type: fc.constant("tool_use"),
    id: fc.constant(id),
    name: toolName,
    input: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), {
      maxKeys: 3,
    }),
  });
const claudeToolResult = (id: string) =>
  fc.record({
    type: fc.constant("tool_result"),
    tool_use_id: fc.constant(id),
    content: fc.oneof(
      text,
      fc.array(claudeText, { maxLength: 2 }),
      fc.array(claudeImage, { maxLength: 1 }),
    ),
    is_error: fc.boolean(),
  }, { requiredKeys: ["type", "tool_use_id"] });
const claudeThinking = fc.oneof(
  fc.record({
    type: fc.constant("thinking"),
    thinking: text,
    signature: fc.string({ maxLength: 8 }),
  }),
  fc.record({ type: fc.constant("redacted_thinking"), data: fc.base64String({ maxLength: 12 }) }),
);

const userTurn = fc.record({
  role: fc.constant("user"),
  content: fc.oneof(
    { weight: 3, arbitrary: text },
    {
      weight: 2,
      arbitrary: fc.array(
        fc.oneof({ weight: 3, arbitrary: claudeText }, claudeImage, claudeDocument),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
    },
  ),
});
const assistantTurn = fc.record({
  role: fc.constant("assistant"),
  content: fc.oneof(
    text,
    fc.array(fc.oneof(claudeText, claudeThinking), { minLength: 1, maxLength: 2 }),
  ),
});
const toolRound = fc.tuple(
  fc.array(fc.oneof(claudeThinking, claudeText), { maxLength: 1 }),
  claudeToolUse("t1"),
  claudeToolResult("t1"),
  fc.array(claudeText, { maxLength: 1 }),
).map(([before, use, result, after]) => [
  { role: "assistant", content: [...before, use] },
  { role: "user", content: [result, ...after] },
]);

/** Any content block, anywhere (valid or not for its role). */
const claudeAnyBlock = fc.oneof(
  claudeText,
  claudeImage,
  claudeDocument,
  claudeToolUse("t1"),
  claudeToolResult("t2"),
  claudeThinking,
);

/** Conversations: mostly well-ordered (user, assistant, tool rounds), sometimes random turns. */
const claudeMessages = fc.oneof(
  { weight: 4, arbitrary: userTurn.map((m) => [m]) },
  {
    weight: 2,
    arbitrary: fc.tuple(userTurn, assistantTurn, userTurn).map((turns) => [...turns]),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(userTurn, toolRound, fc.option(assistantTurn)).map((
      [first, round, prefill],
    ) => [first, ...round, ...(prefill === null ? [] : [prefill])]),
  },
  {
    weight: 1,
    arbitrary: fc.array(
      fc.record({
        role: fc.constantFrom("user", "assistant"),
        content: fc.oneof(text, fc.array(claudeAnyBlock, { maxLength: 3 })),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  },
);

const claudeRequired = {
  model,
  stream: streamFlag,
  max_tokens: fc.integer({ min: 1, max: 100_000 }),
  messages: claudeMessages,
};

const claudeOptional = {
  system: fc.oneof(
    text,
    fc.array(fc.record({ type: fc.constant("text"), text }), { maxLength: 2 }),
  ),
  tools: fc.array(
    fc.record({
      name: toolName,
      description: text,
      input_schema: jsonSchema,
      type: fc.oneof(
        { weight: 4, arbitrary: fc.constant("custom") },
        fc.constant("bash_20250124"),
      ),
    }, { requiredKeys: ["name"] }),
    { maxLength: 2 },
  ),
  tool_choice: fc.oneof(
    fc.constant({ type: "auto" }),
    fc.constant({ type: "any", disable_parallel_tool_use: true }),
    fc.constant({ type: "none" }),
    toolName.map((name) => ({ type: "tool", name })),
  ),
  temperature: fc.double({ min: 0, max: 1, noNaN: true }),
  top_p: fc.double({ min: 0, max: 1, noNaN: true }),
  top_k: fc.integer({ min: 0, max: 500 }),
  stop_sequences: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  metadata: fc.record({ user_id: fc.option(fc.string({ maxLength: 5 })) }),
  thinking: fc.oneof(
    fc.integer({ min: 1, max: 50_000 }).map((budget_tokens) => ({
      type: "enabled",
      budget_tokens,
    })),
    fc.constant({ type: "disabled" }),
    fc.constant({ type: "adaptive" }),
  ),
  stream: fc.boolean(),
  file_ids: fc.array(fc.constantFrom(UPLOADED_FILE, "file-nope"), { maxLength: 1 }),
};

/** A valid-shaped Bedrock Claude request (`anthropic_version`) with random values. */
export const claudeBody: fc.Arbitrary<Json> = sparse({
  anthropic_version: fc.constantFrom("bedrock-2023-05-31", "2023-06-01", ""),
  ...claudeRequired,
}, claudeOptional);

/** A valid-shaped Anthropic Messages API request (`anthropic_version` optional). */
export const messagesApiBody: fc.Arbitrary<Json> = sparse(claudeRequired, {
  anthropic_version: fc.constantFrom("bedrock-2023-05-31"),
  ...claudeOptional,
});

// ---------------------------------------------------------------- Titan

/** A valid-shaped Bedrock Titan request (`inputText`) with random values. */
export const titanBody: fc.Arbitrary<Json> = sparse(
  { model, inputText: text, stream: streamFlag },
  {
    textGenerationConfig: fc.record({
      maxTokenCount: fc.integer({ min: 1, max: 100_000 }),
      temperature: fc.double({ min: 0, max: 1, noNaN: true }),
      topP: fc.double({ min: 0, max: 1, noNaN: true }),
      stopSequences: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    }, { requiredKeys: [] }),
    stream: fc.boolean(),
    file_ids: fc.array(fc.constantFrom(UPLOADED_FILE, "file-nope"), { maxLength: 1 }),
  },
);

/** A valid-shaped body of any format. */
export const shapedBody: fc.Arbitrary<Json> = fc.oneof(openaiBody, claudeBody, titanBody);

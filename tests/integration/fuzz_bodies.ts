/**
 * fast-check generators for the fuzz test (`fuzz_test.ts`): request bodies of the three formats
 * (OpenAI chat, Bedrock Claude, Bedrock Titan) with random field values, structural mutations of
 * them (wrong types, nulls, huge numbers, NaN-like strings, unicode, deep nesting, empty
 * containers, unknown fields, prototype keys) and mutations of their JSON text (duplicate keys,
 * truncation, non-JSON bytes). Every generated body is aimed at a model of one provider: the mock
 * (`mock-echo`), the fake OpenAI upstream, the fake Bedrock runtime (Converse and native), or
 * none (unknown model).
 *
 * @example
 * fc.sample(fuzzBody(), 3); // [{ text: '{"model":"mock-echo",…}', bytes: undefined }, …]
 */
import fc from "fast-check";

/** Nesting never deeper than this (the edge's depth limit is the lead's; see the brief). */
export const MAX_DEPTH = 190;

/** Model ids by where they route. */
export const MODELS = {
  mock: ["mock-echo"],
  openai: ["gpt-4o-mini", "openai/gpt-fuzz"],
  converse: [
    "amazon.nova-lite-v1:0",
    "meta.llama3-8b-instruct-v1:0",
    "mistral.mistral-large-2402-v1:0",
  ],
  claude: ["us.anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"],
  titan: ["amazon.titan-text-express-v1"],
  unknown: ["nope-model", "mock-unknown"],
} as const;

/** Models routed to an upstream fake (a 502/503/504 there is the upstream's, not a gateway bug). */
export const UPSTREAM_MODELS: ReadonlySet<string> = new Set([
  ...MODELS.openai,
  ...MODELS.converse,
  ...MODELS.claude,
  ...MODELS.titan,
]);

// deno-lint-ignore no-explicit-any
type Json = any;

// ---------------------------------------------------------------- odd values

const nanLike = fc.constantFrom(
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "-0",
  "0x1F",
  "null",
  "undefined",
  "true",
  "",
  " ",
  "[]",
  "{}",
  "%00",
);

const hugeNumber = fc.constantFrom(
  1e308,
  -1e308,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  Number.MAX_SAFE_INTEGER,
  2 ** 31,
  -(2 ** 31) - 1,
  4294967296,
  5e-324,
  -0,
  0,
  0.5,
  1.5,
  -1,
  1e21,
);

/** Strings a converter may trip on: lone surrogates, controls, RTL marks, emoji, long ones. */
const oddString = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom(
    "\ud800",
    "\udfff",
    "a\ud83d",
    "\u0000",
    "\u202e\u202d",
    "👩‍👩‍👧‍👦",
    "\ufeff",
    "\u{10ffff}",
    "Ω≈ç√∫",
    "__proto__",
    "constructor",
    "toString",
    "data:image/png;base64,!!!",
    "data:;base64,",
    "http://127.0.0.1/x.png",
    "file:///etc/passwd",
    "x".repeat(5000),
  ),
);

/** Model ids: routable ones of every provider, unknown ones, and odd ones behind each prefix. */
const model = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...MODELS.mock) },
  { weight: 2, arbitrary: fc.constantFrom(...MODELS.openai) },
  { weight: 2, arbitrary: fc.constantFrom(...MODELS.converse) },
  { weight: 2, arbitrary: fc.constantFrom(...MODELS.claude) },
  { weight: 1, arbitrary: fc.constantFrom(...MODELS.titan) },
  { weight: 1, arbitrary: fc.constantFrom(...MODELS.unknown) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom(
        "bedrock/",
        "openai/",
        "anthropic.",
        "amazon.titan-",
        "us.anthropic.",
        "mock-",
        "gpt-",
        "arn:aws:bedrock:us-east-1::foundation-model/",
        "",
      ),
      fc.oneof(oddString, fc.constantFrom("../x", "a/b?c#d", "%2F", " ", "\\", "a:b:c")),
    ).map(([prefix, rest]) => prefix + rest),
  },
);

/** Nests `inner` `depth` levels deep in arrays or objects. */
export function nest(inner: unknown, depth: number, kind: "array" | "object" | "mixed"): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) {
    const asArray = kind === "array" || (kind === "mixed" && i % 2 === 0);
    value = asArray ? [value] : { a: value };
  }
  return value;
}

const deep = fc.record({
  depth: fc.integer({ min: 1, max: MAX_DEPTH }),
  kind: fc.constantFrom("array" as const, "object" as const, "mixed" as const),
  inner: fc.oneof(fc.constant(null), fc.integer(), oddString),
}).map(({ depth, kind, inner }) => nest(inner, depth, kind));

/** An object with own prototype-ish keys (as JSON.parse would make them). */
const protoObject = fc.record({
  key: fc.constantFrom("__proto__", "constructor", "prototype", "hasOwnProperty", "toJSON"),
  value: fc.oneof(fc.constant({ polluted: true }), fc.constant(null), fc.string(), fc.integer()),
}).map(({ key, value }) => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}}`));

/** Values of the wrong type (or odd values of the right one) for any field. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  nanLike,
  hugeNumber,
  oddString,
  fc.constant([]),
  fc.constant({}),
  fc.constant([null]),
  fc.constant([[]]),
  protoObject,
  deep,
  fc.jsonValue({ maxDepth: 3 }),
);

// ---------------------------------------------------------------- valid-shaped bodies

const text = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 30 }) }, {
  weight: 1,
  arbitrary: oddString,
});
const toolName = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/);
const PNG_1PX =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const imageUrl = fc.oneof(
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
const jsonArgs = fc.oneof(
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
      file_id: fc.constantFrom("file-nope", ""),
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
const streamFlag = fc.constantFrom(undefined, undefined, true, false);

/**
 * An object with every `required` field and a few (at most `maxExtra`) of the `optional` ones,
 * so most shaped bodies stay valid and reach a provider.
 */
function sparse(
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
  file_ids: fc.array(fc.constantFrom("file-nope", ""), { maxLength: 1 }),
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
  file_ids: fc.array(fc.constantFrom("file-nope"), { maxLength: 1 }),
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
    file_ids: fc.array(fc.constantFrom("file-nope"), { maxLength: 1 }),
  },
);

// ---------------------------------------------------------------- structural mutations

type Op =
  | "replace"
  | "delete"
  | "unknown"
  | "proto"
  | "deep"
  | "empty"
  | "wrap"
  | "stringify"
  | "restring"
  | "deepUnknown"
  | "repeat";

interface Mutation {
  at: number;
  op: Op;
  value: unknown;
  key: string;
  /** An odd string (for `restring`). */
  text: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Op>(
    "replace",
    "replace",
    "replace",
    "delete",
    "unknown",
    "proto",
    "deep",
    "empty",
    "wrap",
    "stringify",
  ),
  value: oddValue,
  key: fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.constantFrom("__proto__", "constructor", "prototype", "model", "messages", "stream", "type"),
  ),
  text: oddString,
});

/** Mutations that keep a body's types: odd strings, unknown and prototype-named fields. */
const benignMutation: fc.Arbitrary<Mutation> = fc.tuple(
  mutation,
  fc.constantFrom<Op>("restring", "restring", "unknown", "proto", "deepUnknown", "repeat"),
).map(([m, op]) => ({ ...m, op }));

/** Every container in `value` with the keys it holds: [container, key] pairs. */
function slots(value: unknown, out: Array<[Json, string | number, number]> = [], depth = 0) {
  if (depth > 30 || typeof value !== "object" || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([value, i, depth]);
      slots(item, out, depth + 1);
    });
  } else {
    for (const key of Object.keys(value)) {
      out.push([value, key, depth]);
      slots((value as Json)[key], out, depth + 1);
    }
  }
  return out;
}

/** Sets an own property, even `__proto__`, as JSON.parse would. */
function defineOwn(target: Json, key: string | number, value: unknown) {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Applies mutations to a deep copy of `body`. */
export function mutate(body: unknown, mutations: Mutation[]): unknown {
  let root = { root: structuredClone(body) };
  for (const m of mutations) {
    const before = structuredClone(root);
    apply(root, m);
    if (depthOf(root.root) > MAX_DEPTH) root = before;
  }
  return root.root;
}

/** How deeply `value` nests (a scalar is 0). */
export function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let max = 0;
  for (const item of Object.values(value)) max = Math.max(max, depthOf(item));
  return max + 1;
}

function apply(root: { root: unknown }, m: Mutation): void {
  {
    const all = slots(root);
    const [container, key, depth] = all[m.at % all.length];
    const current = container[key];
    // Generated constants are shared instances: copy before inserting (no cycles, no leaks).
    const value = structuredClone(m.value);
    switch (m.op) {
      case "replace":
        defineOwn(container, key, value);
        break;
      case "delete":
        if (Array.isArray(container)) container.splice(key as number, 1);
        else if (container !== root) delete container[key];
        break;
      case "unknown":
      case "proto":
        if (typeof current === "object" && current !== null && !Array.isArray(current)) {
          defineOwn(current, m.op === "proto" ? "__proto__" : m.key, value);
        } else defineOwn(container, key, value);
        break;
      case "deep":
        defineOwn(container, key, nest(current, 1 + (m.at % MAX_DEPTH), "mixed"));
        break;
      case "empty":
        defineOwn(container, key, Array.isArray(current) ? [] : m.at % 2 === 0 ? {} : []);
        break;
      case "wrap":
        defineOwn(container, key, [current]);
        break;
      case "restring":
        // Same type, odd content: a string leaf becomes an odd string (else an unknown field).
        if (typeof current === "string") defineOwn(container, key, m.text);
        else if (typeof current === "object" && current !== null && !Array.isArray(current)) {
          defineOwn(current, m.key, value);
        }
        break;
      case "deepUnknown": {
        // A deeply nested value under an unknown key of a (loose) object: still a valid body.
        const target = typeof current === "object" && current !== null && !Array.isArray(current)
          ? current
          : container;
        const room = Math.max(1, MAX_DEPTH - depth - 3);
        defineOwn(target, m.key, nest(m.text, 1 + (m.at % room), "mixed"));
        break;
      }
      case "repeat":
        // Many copies of an array's items (long conversations, many tools, many parts).
        if (Array.isArray(current) && current.length > 0) {
          const length = 50 + (m.at % 450);
          defineOwn(
            container,
            key,
            Array.from({ length }, (_, i) => structuredClone(current[i % current.length])),
          );
        }
        break;
      case "stringify":
        defineOwn(container, key, JSON.stringify(current) ?? "undefined");
        break;
      default: {
        const unreachable: never = m.op;
        throw new Error(`unknown op ${unreachable}`);
      }
    }
  }
}

/** A valid-shaped body of any format. */
export const shapedBody: fc.Arbitrary<Json> = fc.oneof(openaiBody, claudeBody, titanBody);

/** A mutated valid-shaped body. */
export const mutatedBody = (base: fc.Arbitrary<Json> = shapedBody): fc.Arbitrary<unknown> =>
  fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, ms]) =>
    mutate(b, ms)
  );

/** Any value as a body: shaped, mutated, or arbitrary JSON / odd values. */
export const anyBody = (base: fc.Arbitrary<Json> = shapedBody): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: base },
    { weight: 3, arbitrary: benignBody(base) },
    { weight: 4, arbitrary: mutatedBody(base) },
    { weight: 1, arbitrary: oddValue },
  );

/** A valid-shaped body with type-keeping mutations (most still validate and reach a provider). */
export const benignBody = (base: fc.Arbitrary<Json> = shapedBody): fc.Arbitrary<unknown> =>
  fc.tuple(base, fc.array(benignMutation, { minLength: 1, maxLength: 3 })).map(([b, ms]) =>
    mutate(b, ms)
  );

// ---------------------------------------------------------------- text mutations

/** What goes on the wire: JSON text, or raw bytes for non-UTF-8 bodies. */
export interface WireBody {
  text: string;
  /** When set, sent instead of `text` (non-JSON bytes). */
  bytes?: Uint8Array<ArrayBuffer>;
}

type TextOp =
  | "none"
  | "dupKey"
  | "dupKeyEnd"
  | "truncate"
  | "garbage"
  | "bom"
  | "trailing"
  | "bytes";

/** A mutation of a body's JSON text. */
export interface TextMutation {
  op: TextOp;
  at: number;
  key: string;
  value: unknown;
  bytes: Uint8Array;
}

const textMutation: fc.Arbitrary<TextMutation> = fc.record({
  op: fc.oneof(
    { weight: 12, arbitrary: fc.constant<TextOp>("none") },
    {
      weight: 1,
      arbitrary: fc.constantFrom<TextOp>(
        "dupKey",
        "dupKeyEnd",
        "truncate",
        "garbage",
        "bom",
        "trailing",
        "bytes",
      ),
    },
  ),
  at: fc.nat(),
  key: fc.constantFrom(
    "model",
    "messages",
    "stream",
    "__proto__",
    "anthropic_version",
    "inputText",
  ),
  value: oddValue,
  bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
});

/** Serialises `value` and maybe mutates its text (duplicate keys, truncation, bytes). */
export function toWire(value: unknown, m: TextMutation): WireBody {
  const json = JSON.stringify(value) ?? "null";
  const extra = `${JSON.stringify(m.key)}:${JSON.stringify(m.value) ?? "null"}`;
  switch (m.op) {
    case "none":
      return { text: json };
    case "dupKey":
      return { text: json.startsWith("{") ? `{${extra},${json.slice(1)}` : json };
    case "dupKeyEnd":
      return {
        text: json.endsWith("}") && json !== "{}" ? `${json.slice(0, -1)},${extra}}` : json,
      };
    case "truncate":
      return { text: json.slice(0, m.at % Math.max(1, json.length)) };
    case "garbage": {
      const at = m.at % (json.length + 1);
      return { text: json.slice(0, at) + String.fromCharCode(...m.bytes) + json.slice(at) };
    }
    case "bom":
      return { text: `\ufeff${json}` };
    case "trailing":
      return { text: `${json}${["}", ",", " x", "\u0000", "]"][m.at % 5]}` };
    case "bytes": {
      const head = new TextEncoder().encode(json.slice(0, m.at % (json.length + 1)));
      const bytes = new Uint8Array(head.length + m.bytes.length);
      bytes.set(head);
      bytes.set(m.bytes, head.length);
      return { text: json, bytes };
    }
    default: {
      const unreachable: never = m.op;
      throw new Error(`unknown text op ${unreachable}`);
    }
  }
}

/** A body on the wire: any body, serialised and maybe mutated as text. */
export const wireBody = (base?: fc.Arbitrary<Json>): fc.Arbitrary<WireBody> =>
  fc.tuple(anyBody(base), textMutation).map(([value, m]) => toWire(value, m));

/** Mutations of JSON text, for routes that wrap bodies (tRPC inputs). */
export const textMutationArb: fc.Arbitrary<TextMutation> = textMutation;

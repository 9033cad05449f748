/**
 * Valid-shaped bodies for the newer JSON routes, with random values: Responses API requests
 * (every input item type, tools including built-ins and namespaces, `previous_response_id`,
 * `text.format`, reasoning), embeddings requests (every input form, encodings, dimensions,
 * embedding and chat models) and count_tokens requests (a Messages body without `max_tokens`).
 *
 * @example
 * fc.sample(responsesBody, 1); // [{ model: "mock-echo", input: "…" }]
 */
import fc from "fast-check";
import {
  imageUrl,
  jsonArgs,
  sparse,
  streamFlag,
  text,
  toolName,
  UPLOADED_FILE,
} from "./fuzz_bodies.ts";
import { model, oddString } from "./fuzz_values.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const callId = fc.constantFrom("call_1", "call_2", "call_x", "");

const inputPart = fc.oneof(
  fc.record({ type: fc.constant("input_text"), text }),
  fc.record({
    type: fc.constant("input_image"),
    image_url: imageUrl,
    detail: fc.constantFrom("auto", "low", "high"),
  }, { requiredKeys: ["type"] }),
  fc.record({
    type: fc.constant("input_file"),
    file_data: fc.oneof(fc.base64String({ maxLength: 16 }), imageUrl),
    file_id: fc.constantFrom(UPLOADED_FILE, "file-nope", ""),
    filename: fc.constantFrom("a.pdf", "b.txt", ""),
  }, { requiredKeys: ["type"] }),
  fc.record({ type: fc.constant("output_text"), text, annotations: fc.constant([]) }),
  fc.record({ type: fc.constant("refusal"), refusal: text }),
);

const messageItem = fc.record({
  type: fc.constantFrom("message", undefined),
  role: fc.constantFrom("user", "user", "assistant", "system", "developer", "tool", ""),
  content: fc.oneof(text, fc.array(inputPart, { maxLength: 3 })),
  id: fc.constantFrom(undefined, "msg_1", ""),
  status: fc.constantFrom(undefined, "completed"),
}, { requiredKeys: ["role", "content"] });

const inputItem = fc.oneof(
  { weight: 5, arbitrary: messageItem },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("function_call"),
      call_id: callId,
      name: toolName,
      arguments: jsonArgs,
      id: fc.constantFrom(undefined, "fc_1"),
    }, { requiredKeys: ["type", "call_id", "name", "arguments"] }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("function_call_output"),
      call_id: callId,
      output: fc.oneof(text, fc.array(inputPart, { maxLength: 2 })),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("reasoning"),
      id: fc.constantFrom("rs_1", ""),
      summary: fc.array(fc.record({ type: fc.constant("summary_text"), text }), { maxLength: 2 }),
      encrypted_content: fc.constantFrom(undefined, null, "sig:abc", "redacted:AAAA", "opaque", ""),
    }, { requiredKeys: ["type", "summary"] }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constantFrom("web_search_call", "item_reference", "computer_call", "nope", ""),
      id: fc.constantFrom("ws_1", "x"),
    }),
  },
);

const functionTool = fc.record({
  type: fc.constant("function"),
  name: toolName,
  description: fc.option(text, { nil: undefined }),
  parameters: fc.oneof(
    fc.constant({ type: "object", properties: { a: { type: "string" } } }),
    fc.constant({}),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  strict: fc.option(fc.boolean(), { nil: undefined }),
}, { requiredKeys: ["type", "name"] });

const responsesTool = fc.oneof(
  { weight: 4, arbitrary: functionTool },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant("namespace"),
      name: toolName,
      tools: fc.array(functionTool, { maxLength: 2 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      { type: "web_search" },
      { type: "file_search", vector_store_ids: ["vs_1"] },
      { type: "code_interpreter", container: { type: "auto" } },
      { type: "custom", name: "apply_patch" },
      { type: "nope" },
    ),
  },
);

/** A valid-shaped Responses API request with random values. */
export const responsesBody: fc.Arbitrary<Json> = sparse({
  model,
  input: fc.oneof(text, fc.array(inputItem, { minLength: 0, maxLength: 4 })),
  stream: streamFlag,
}, {
  instructions: text,
  tools: fc.array(responsesTool, { maxLength: 3 }),
  tool_choice: fc.oneof(
    fc.constantFrom("none", "auto", "required"),
    toolName.map((name) => ({ type: "function", name })),
    fc.constant({ type: "web_search" }),
  ),
  max_output_tokens: fc.integer({ min: -1, max: 100_000 }),
  temperature: fc.double({ min: -1, max: 3, noNaN: true }),
  text: fc.oneof(
    fc.constant({ format: { type: "text" } }),
    fc.constant({ format: { type: "json_object" } }),
    fc.constant({ format: { type: "json_schema", name: "x", schema: { type: "object" } } }),
    fc.constant({ format: { type: "json_schema" } }),
  ),
  reasoning: fc.record({
    effort: fc.constantFrom("minimal", "low", "medium", "high", "huge"),
    summary: fc.constantFrom("auto", "concise", "detailed"),
  }, { requiredKeys: [] }),
  previous_response_id: fc.constantFrom("resp_unknown", "", "resp_\ud800"),
  store: fc.boolean(),
  include: fc.array(fc.constantFrom("reasoning.encrypted_content", "nope"), { maxLength: 2 }),
  metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), {
    maxKeys: 3,
  }),
  parallel_tool_calls: fc.boolean(),
});

/** Embedding model ids: every family, a chat model, unknown and odd ones. */
const embedModel = fc.oneof(
  { weight: 4, arbitrary: fc.constant("mock-embed") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "amazon.titan-embed-text-v2:0",
      "amazon.titan-embed-text-v1",
      "cohere.embed-english-v3",
      "cohere.embed-v4:0",
      "text-embedding-3-small",
    ),
  },
  { weight: 1, arbitrary: model },
);

/** A valid-shaped embeddings request with random values. */
export const embeddingsBody: fc.Arbitrary<Json> = sparse({
  model: embedModel,
  input: fc.oneof(
    text,
    fc.array(text, { minLength: 0, maxLength: 5 }),
    fc.array(fc.integer({ min: -1, max: 100_000 }), { maxLength: 5 }),
    fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 3 }), { maxLength: 3 }),
    fc.constantFrom(null, 42, { text: "x" }, [null], [[1, "a"]]),
    oddString,
  ),
}, {
  encoding_format: fc.constantFrom("float", "base64", "int8", ""),
  dimensions: fc.oneof(fc.constantFrom(256, 512, 1024, 1536), fc.integer({ min: -5, max: 5000 })),
  user: text,
  input_type: fc.constantFrom("search_document", "search_query", "nope"),
});

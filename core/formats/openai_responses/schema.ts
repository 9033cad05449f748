/**
 * The OpenAI Responses API request (`POST /v1/responses`, OpenAPI `CreateResponse`): zod schema
 * used at both edges (HTTP body, tRPC input), plus the checks that need the whole input (every
 * `function_call_output` answers a `function_call`). Unknown fields are kept (loose objects) so
 * an OpenAI upstream that speaks Responses receives them unchanged.
 */
import { z } from "zod";
import { GatewayError } from "../../errors.ts";
import { modelIdSchema } from "../model_id.ts";

// ---------------------------------------------------------------- content parts

/** `{type:"input_text", text}` */
export const inputTextSchema = z.looseObject({ type: z.literal("input_text"), text: z.string() });

/** `{type:"input_image", image_url?, file_id?, detail?}`: a URL or data URL, or a file id. */
export const inputImageSchema = z.looseObject({
  type: z.literal("input_image"),
  image_url: z.string().min(1).nullish(),
  file_id: z.string().min(1).nullish(),
  detail: z.enum(["auto", "low", "high", "original"]).nullish(),
}).refine((part) => typeof part.image_url === "string" || typeof part.file_id === "string", {
  error: "needs image_url or file_id",
});

/** `{type:"input_file", file_data?, file_id?, file_url?, filename?}` */
export const inputFileSchema = z.looseObject({
  type: z.literal("input_file"),
  file_data: z.string().min(1).nullish(),
  file_id: z.string().min(1).nullish(),
  file_url: z.string().min(1).nullish(),
  filename: z.string().nullish(),
}).refine(
  (part) => [part.file_data, part.file_id, part.file_url].some((v) => typeof v === "string"),
  { error: "needs file_data, file_id or file_url" },
);

/** `{type:"output_text", text, annotations?}` (assistant history). */
export const outputTextSchema = z.looseObject({
  type: z.literal("output_text"),
  text: z.string(),
  annotations: z.array(z.unknown()).optional(),
});

/** `{type:"refusal", refusal}` (assistant history). */
export const refusalSchema = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

/** A content part of an input message (any role; the roles' rules are checked on conversion). */
export const contentPartSchema = z.discriminatedUnion("type", [
  inputTextSchema,
  inputImageSchema,
  inputFileSchema,
  outputTextSchema,
  refusalSchema,
]);

// ---------------------------------------------------------------- input items

/** A message item (`EasyInputMessage`, `InputMessage` or an `OutputMessage` replayed); `type`
 * may be omitted. */
export const messageItemSchema = z.looseObject({
  type: z.literal("message").optional(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(contentPartSchema)]),
  id: z.string().nullish(),
  status: z.string().nullish(),
});

/** A function call the model made (replayed history). */
export const functionCallItemSchema = z.looseObject({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().nullish(),
  namespace: z.string().nullish(),
  status: z.string().nullish(),
});

/** The output of a function call: a string or a list of input parts. */
export const functionCallOutputItemSchema = z.looseObject({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: z.union([
    z.string(),
    z.array(z.discriminatedUnion("type", [inputTextSchema, inputImageSchema, inputFileSchema])),
  ]),
  id: z.string().nullish(),
  status: z.string().nullish(),
});

/** A reasoning item replayed: `summary` texts and the opaque `encrypted_content`. */
export const reasoningItemSchema = z.looseObject({
  type: z.literal("reasoning"),
  id: z.string().nullish(),
  summary: z.array(z.looseObject({ type: z.string(), text: z.string() })).default([]),
  content: z.array(z.looseObject({ type: z.string(), text: z.string() })).nullish(),
  encrypted_content: z.string().nullish(),
  status: z.string().nullish(),
});

/**
 * Item types of the Responses API that belong to built-in tools (their calls and results) or to
 * server-side state; accepted, passed to OpenAI Responses upstreams, left out of the canonical
 * conversation for other providers.
 */
export const OTHER_ITEM_TYPES = [
  "item_reference",
  "file_search_call",
  "computer_call",
  "computer_call_output",
  "web_search_call",
  "image_generation_call",
  "code_interpreter_call",
  "local_shell_call",
  "local_shell_call_output",
  "shell_call",
  "shell_call_output",
  "apply_patch_call",
  "apply_patch_call_output",
  "mcp_list_tools",
  "mcp_approval_request",
  "mcp_approval_response",
  "mcp_call",
  "custom_tool_call",
  "custom_tool_call_output",
  "tool_search_call",
  "tool_search_output",
  "compaction",
] as const;

/** An item of another known type, kept as sent. */
export const otherItemSchema = z.looseObject({ type: z.enum(OTHER_ITEM_TYPES) });

const KNOWN_TYPES = new Set<string>([
  "message",
  "function_call",
  "function_call_output",
  "reasoning",
  ...OTHER_ITEM_TYPES,
]);

/** Any input item; an unknown `type` is reported as `input[i].type`. */
export const inputItemSchema = z.unknown().superRefine((item, ctx) => {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    ctx.addIssue({ code: "custom", message: "must be an object" });
    return;
  }
  const type = (item as { type?: unknown }).type;
  if (type !== undefined && (typeof type !== "string" || !KNOWN_TYPES.has(type))) {
    ctx.addIssue({
      code: "custom",
      path: ["type"],
      message: `unknown input item type ${JSON.stringify(type)}; expected one of ${
        [...KNOWN_TYPES].join(", ")
      }`,
    });
  }
}).pipe(z.union([
  messageItemSchema,
  functionCallItemSchema,
  functionCallOutputItemSchema,
  reasoningItemSchema,
  otherItemSchema,
]));

// ---------------------------------------------------------------- tools and options

/** A function tool `{type:"function", name, description?, parameters?, strict?}`. */
export const functionToolSchema = z.looseObject({
  type: z.literal("function"),
  name: z.string().min(1).max(128),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** A `namespace` tool: a named group of function (or custom) tools. */
export const namespaceToolSchema = z.looseObject({
  type: z.literal("namespace"),
  name: z.string(),
  description: z.string().nullish(),
  tools: z.array(z.looseObject({ type: z.string() })),
});

/** Any tool: function and namespace are checked; built-in tools (`web_search`, `mcp`…) are
 * kept as sent. */
export const toolSchema = z.union([
  functionToolSchema,
  namespaceToolSchema,
  z.looseObject({ type: z.string().min(1) }).refine(
    (tool) => tool.type !== "function" && tool.type !== "namespace",
    { error: "is not a valid tool of its type" },
  ),
]);

/** `tool_choice`: a mode, a named function, or a built-in / allowed-tools choice. */
export const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), name: z.string().min(1) }),
  z.looseObject({ type: z.string().min(1) }),
]);

/** `text.format`: text, json_object or json_schema (flat: name, schema, strict). */
export const textFormatSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    name: z.string().min(1),
    description: z.string().nullish(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
  }),
]);

/** The `CreateResponse` body. */
export const responsesRequestSchema = z.looseObject({
  model: modelIdSchema,
  input: z.union([
    z.string().min(1, { error: "must not be empty" }),
    z.array(inputItemSchema).min(1, { error: "must contain at least one item" }),
  ]),
  instructions: z.string().nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.int().positive().nullish(),
  max_tool_calls: z.int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
  text: z.looseObject({
    format: textFormatSchema.nullish(),
    verbosity: z.enum(["low", "medium", "high"]).nullish(),
  }).nullish(),
  reasoning: z.looseObject({
    effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
    summary: z.enum(["auto", "concise", "detailed"]).nullish(),
    generate_summary: z.enum(["auto", "concise", "detailed"]).nullish(),
  }).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  conversation: z.unknown().optional(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_obfuscation: z.boolean().optional() }).nullish(),
  include: z.array(z.string()).nullish(),
  client_metadata: z.unknown().optional(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.string().nullish(),
  truncation: z.enum(["auto", "disabled"]).nullish(),
  service_tier: z.string().nullish(),
  background: z.boolean().nullish(),
  prompt: z.unknown().optional(),
  /** Gateway extension: uploaded files whose extracted text is given to the model as context. */
  file_ids: z.array(z.string()).optional(),
});

/** A validated Responses request. */
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
/** One input item. */
export type InputItem = z.infer<typeof inputItemSchema>;
/** One content part of a message item. */
export type ContentPart = z.infer<typeof contentPartSchema>;
/** A message input item. */
export type MessageItem = z.infer<typeof messageItemSchema>;
/** A function tool. */
export type FunctionTool = z.infer<typeof functionToolSchema>;
/** Any tool. */
export type ResponsesTool = z.infer<typeof toolSchema>;

/** The item list of a request (`input` as a string is one user message). */
export function inputItems(request: Pick<ResponsesRequest, "input">): InputItem[] {
  return typeof request.input === "string"
    ? [{ role: "user", content: request.input }]
    : request.input;
}

/**
 * Checks that every `function_call_output` answers a `function_call` given earlier in the
 * input; otherwise a 400 naming `input[i].call_id`. Separate from the schema so it can run on
 * the input after stored history (`previous_response_id`) was put in front of it: pass the
 * number of items that came from history as `offset`, so `param` counts the caller's items.
 *
 * @example
 * checkCallIds([{ type: "function_call_output", call_id: "c1", output: "4" }]); // throws param "input[0].call_id"
 */
export function checkCallIds(items: readonly InputItem[], offset = 0): void {
  const calls = new Set<string>();
  items.forEach((item, i) => {
    if (item.type === "function_call") calls.add(item.call_id);
    if (item.type === "function_call_output" && !calls.has(item.call_id)) {
      const at = i - offset;
      throw new GatewayError(
        "invalid_request",
        `No tool call found for function call output with call_id ${item.call_id}.`,
        { code: "invalid_value", param: `input[${at < 0 ? i : at}].call_id` },
      );
    }
  });
}

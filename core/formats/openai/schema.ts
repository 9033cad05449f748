/**
 * The canonical format: OpenAI Chat Completions. Zod schemas validate requests at both edges
 * (HTTP body and tRPC input); response and chunk types describe what the gateway emits.
 * Unknown request fields are kept (loose objects) so OpenAI-compatible upstreams receive them.
 */
import { z } from "zod";
import { modelIdSchema } from "../model_id.ts";

// ---------------------------------------------------------------- gateway extensions
// Typed homes for what OpenAI's API lacks and other formats carry (Anthropic prompt caching,
// tool errors, citations…). A conversion from another format fills them in; OpenAI clients may
// send them too (as LiteLLM takes `cache_control`). The OpenAI provider drops them from
// converted requests (providers/openai/extensions.ts).

/** Anthropic-style prompt-cache marker (`{type: "ephemeral", ttl?}`). */
export const cacheControlSchema = z.looseObject({ type: z.string(), ttl: z.string().optional() });

/** Extension fields a content part may carry. */
const partExtensions = {
  /** Prompt-cache breakpoint after this part. */
  cache_control: cacheControlSchema.optional(),
  /** The tool call whose result this part belonged to (Claude `tool_result` media). */
  tool_call_id: z.string().optional(),
};

// ---------------------------------------------------------------- request: content parts

/** `{type:"text", text}` */
export const textPartSchema = z.looseObject({
  type: z.literal("text"),
  text: z.string(),
  ...partExtensions,
});

/** `{type:"image_url", image_url:{url, detail?}}` — a data URL or http(s)/s3 URL. */
export const imagePartSchema = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.looseObject({
    url: z.string().min(1),
    detail: z.enum(["auto", "low", "high"]).optional(),
  }),
  ...partExtensions,
});

/** `{type:"input_audio", input_audio:{data, format}}` */
export const audioPartSchema = z.looseObject({
  type: z.literal("input_audio"),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});

/** `{type:"file", file:{file_data?, file_id?, filename?}}` */
export const filePartSchema = z.looseObject({
  type: z.literal("file"),
  file: z.looseObject({
    file_data: z.string().optional(),
    file_id: z.string().optional(),
    filename: z.string().optional(),
    /** Extension: a document by URL (Claude `url` document sources). */
    file_url: z.string().optional(),
  }),
  ...partExtensions,
  /** Claude document `context` (extension). */
  context: z.string().optional(),
  /** Claude document `citations` setting (extension). */
  citations: z.looseObject({ enabled: z.boolean().optional() }).optional(),
});

/** `{type:"refusal", refusal}` (assistant history only). */
export const refusalPartSchema = z.looseObject({
  type: z.literal("refusal"),
  refusal: z.string(),
});

/**
 * One reasoning block (gateway extension, OpenRouter-style): signed reasoning text, or redacted
 * reasoning as base64 `data`.
 */
export const reasoningDetailSchema = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("reasoning.text"),
    text: z.string(),
    signature: z.string().nullish(),
  }),
  z.looseObject({ type: z.literal("reasoning.encrypted"), data: z.string() }),
]);

/** Any user content part. */
export const userContentPartSchema = z.discriminatedUnion("type", [
  textPartSchema,
  imagePartSchema,
  audioPartSchema,
  filePartSchema,
]);

// ---------------------------------------------------------------- request: messages

const textOnlyContent = z.union([z.string(), z.array(textPartSchema)]);

/** A tool call made by the assistant. */
export const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
  cache_control: cacheControlSchema.optional(),
});

const nameField = z.string().optional();

/** `system` message. */
export const systemMessageSchema = z.looseObject({
  role: z.literal("system"),
  content: textOnlyContent,
  name: nameField,
});
/** `developer` message (system instructions for reasoning models). */
export const developerMessageSchema = z.looseObject({
  role: z.literal("developer"),
  content: textOnlyContent,
  name: nameField,
});
/** `user` message. */
export const userMessageSchema = z.looseObject({
  role: z.literal("user"),
  content: z.union([z.string(), z.array(userContentPartSchema)]),
  name: nameField,
});
/** `assistant` message (history or prefill). */
export const assistantMessageSchema = z.looseObject({
  role: z.literal("assistant"),
  content: z.union([
    z.string(),
    z.array(z.discriminatedUnion("type", [textPartSchema, refusalPartSchema])),
  ])
    .nullish(),
  refusal: z.string().nullish(),
  name: nameField,
  tool_calls: z.array(toolCallSchema).optional(),
  /** Gateway extension: reasoning text returned by reasoning models, replayed on the next turn. */
  reasoning_content: z.string().nullish(),
  /** Gateway extension: signature of `reasoning_content` (Claude thinking), replayed unchanged. */
  reasoning_signature: z.string().nullish(),
  /** Gateway extension: the exact reasoning blocks of a response, replayed unchanged. */
  reasoning_details: z.array(reasoningDetailSchema).nullish(),
});
/** `tool` message: the result of one tool call. */
export const toolMessageSchema = z.looseObject({
  role: z.literal("tool"),
  content: textOnlyContent,
  tool_call_id: z.string(),
  /** Extension: the tool failed (Claude `tool_result.is_error`). */
  is_error: z.boolean().optional(),
  cache_control: cacheControlSchema.optional(),
});

/** Any chat message. */
export const messageSchema = z.discriminatedUnion("role", [
  systemMessageSchema,
  developerMessageSchema,
  userMessageSchema,
  assistantMessageSchema,
  toolMessageSchema,
]);

// ---------------------------------------------------------------- request: tools and options

/** A function tool definition. */
export const toolSchema = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({
    name: z.string().min(1).max(64).regex(/^[a-zA-Z0-9_-]+$/, {
      error: "must contain only a-z, A-Z, 0-9, underscores and dashes",
    }),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
  cache_control: cacheControlSchema.optional(),
});

/** `tool_choice`: none, auto, required or a named function. */
export const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
]);

/** `response_format`: text, json_object or json_schema. */
export const responseFormatSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

const positiveInt = z.int().positive();

/**
 * The full Chat Completions request. Unknown fields are preserved and forwarded to
 * OpenAI-compatible upstreams.
 */
export const chatRequestSchema = z.looseObject({
  model: modelIdSchema,
  messages: z.array(messageSchema).min(1, { error: "must contain at least one message" }),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormatSchema.optional(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: positiveInt.nullish(),
  max_completion_tokens: positiveInt.nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.int().nullish(),
  n: z.int().min(1).max(128).nullish(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
  service_tier: z.string().nullish(),
  store: z.boolean().nullish(),
  modalities: z.array(z.string()).nullish(),
  prediction: z.unknown().optional(),
  audio: z.unknown().optional(),
  verbosity: z.enum(["low", "medium", "high"]).nullish(),
  prompt_cache_key: z.string().optional(),
  safety_identifier: z.string().optional(),
  /** Gateway extension: uploaded files whose extracted text is given to the model as context. */
  file_ids: z.array(z.string()).optional(),
  /** Extension: top-k sampling (Claude, Converse models, vLLM). */
  top_k: z.number().nullish(),
  /** Extension: Claude's exact thinking budget, beside the `reasoning_effort` it maps to. */
  reasoning_budget_tokens: z.int().nullish(),
});

/** A validated Chat Completions request (the canonical request). */
export type ChatRequest = z.infer<typeof chatRequestSchema>;
/** One chat message. */
export type ChatMessage = z.infer<typeof messageSchema>;
/** One user content part. */
export type UserContentPart = z.infer<typeof userContentPartSchema>;
/** A function tool definition. */
export type ChatTool = z.infer<typeof toolSchema>;
/** A tool call in assistant history. */
export type ChatToolCall = z.infer<typeof toolCallSchema>;
/** One reasoning block (signed text or redacted data). */
export type ReasoningDetail = z.infer<typeof reasoningDetailSchema>;
/** `tool_choice` value. */
export type ToolChoice = z.infer<typeof toolChoiceSchema>;
/** A prompt-cache marker. */
export type CacheControl = z.infer<typeof cacheControlSchema>;

// ---------------------------------------------------------------- responses

/** Why generation ended (OpenAI's vocabulary). */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

/** Token usage as OpenAI reports it. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; [k: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
}

/** A tool call in a response message. */
export interface ResponseToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** The assistant message of a non-streamed choice. */
export interface ResponseMessage {
  role: "assistant";
  content: string | null;
  /** The model's refusal text; `null` when it did not refuse (OpenAI's schema requires it). */
  refusal: string | null;
  tool_calls?: ResponseToolCall[];
  /** Reasoning text from reasoning models (gateway extension, as DeepSeek and vLLM name it). */
  reasoning_content?: string;
  /** Signature of the reasoning (Claude thinking), to send back with `reasoning_content`. */
  reasoning_signature?: string;
  /** The exact reasoning blocks, to send back unchanged on the next turn. */
  reasoning_details?: ReasoningDetail[];
  [k: string]: unknown;
}

/** `chat.completion` */
export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: ResponseMessage;
    finish_reason: FinishReason | null;
    logprobs?: unknown;
  }>;
  usage?: Usage;
  system_fingerprint?: string | null;
  service_tier?: string | null;
  [k: string]: unknown;
}

/** A streamed tool-call fragment. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function?: { name?: string; arguments?: string };
}

/** The delta of a streamed choice. */
export interface ChunkDelta {
  role?: "assistant";
  content?: string | null;
  refusal?: string | null;
  tool_calls?: ToolCallDelta[];
  reasoning_content?: string;
  reasoning_signature?: string;
  reasoning_details?: ReasoningDetail[];
  [k: string]: unknown;
}

/** `chat.completion.chunk` */
export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: ChunkDelta;
    finish_reason: FinishReason | null;
    logprobs?: unknown;
    /** The matched stop sequence (vLLM-style extension), when the upstream reports it. */
    stop_reason?: string | number | null;
  }>;
  usage?: Usage | null;
  system_fingerprint?: string | null;
  service_tier?: string | null;
  [k: string]: unknown;
}

/** One entry of the model list. */
export interface ModelInfo {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/** `GET /v1/models` */
export interface ModelList {
  object: "list";
  data: ModelInfo[];
}

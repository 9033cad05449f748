/**
 * Bedrock Claude format: the Anthropic Messages request as Bedrock InvokeModel takes it, plus the
 * gateway fields `model`, `stream` and `file_ids`. Objects are loose (unknown fields are kept) so
 * the native fast path can send the body on unchanged. Response and stream event types are in
 * `bedrock_claude_wire.ts`.
 */
import { z } from "zod";
import { modelIdSchema } from "../model_id.ts";

const cacheControl = z.looseObject({ type: z.string(), ttl: z.string().optional() }).nullish();

/** `{type:"text", text, cache_control?, citations?}` */
export const claudeTextBlockSchema = z.looseObject({
  type: z.literal("text"),
  text: z.string(),
  cache_control: cacheControl,
});

/** `{type:"image", source: base64 {media_type, data} | url {url} | file {file_id}}` */
export const claudeImageBlockSchema = z.looseObject({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal("url"), url: z.string().min(1) }),
  ]),
  cache_control: cacheControl,
});

/** `{type:"document", source: base64 | text | url | content, title?, context?, citations?}` */
export const claudeDocumentBlockSchema = z.looseObject({
  type: z.literal("document"),
  source: z.discriminatedUnion("type", [
    z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() }),
    z.looseObject({ type: z.literal("text"), media_type: z.string().optional(), data: z.string() }),
    z.looseObject({ type: z.literal("url"), url: z.string().min(1) }),
    z.looseObject({
      type: z.literal("content"),
      content: z.union([z.string(), z.array(claudeTextBlockSchema)]),
    }),
  ]),
  title: z.string().nullish(),
  context: z.string().nullish(),
  citations: z.looseObject({ enabled: z.boolean().optional() }).nullish(),
  cache_control: cacheControl,
});

/** `{type:"tool_use", id, name, input}` (assistant turns). */
export const claudeToolUseBlockSchema = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

/** `{type:"tool_result", tool_use_id, content?: string | blocks, is_error?}` (user turns). */
export const claudeToolResultBlockSchema = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: z.union([
    z.string(),
    z.array(
      z.discriminatedUnion("type", [
        claudeTextBlockSchema,
        claudeImageBlockSchema,
        claudeDocumentBlockSchema,
      ]),
    ),
  ]).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

/** `{type:"thinking", thinking, signature}` */
export const claudeThinkingBlockSchema = z.looseObject({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string(),
});

/** `{type:"redacted_thinking", data}` */
export const claudeRedactedThinkingBlockSchema = z.looseObject({
  type: z.literal("redacted_thinking"),
  data: z.string(),
});

/** Any content block of a request message. */
export const claudeContentBlockSchema = z.discriminatedUnion("type", [
  claudeTextBlockSchema,
  claudeImageBlockSchema,
  claudeDocumentBlockSchema,
  claudeToolUseBlockSchema,
  claudeToolResultBlockSchema,
  claudeThinkingBlockSchema,
  claudeRedactedThinkingBlockSchema,
]);

/** A message: role `user` or `assistant`, content a string or blocks. */
export const claudeMessageSchema = z.looseObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(claudeContentBlockSchema)]),
});

/**
 * A `{role: "system"}` entry inside `messages` (an Anthropic beta Claude Code sends): system
 * instructions at a point of the conversation, content a string or text blocks.
 */
export const claudeSystemMessageSchema = z.looseObject({
  role: z.literal("system"),
  content: z.union([z.string(), z.array(claudeTextBlockSchema)]),
});

/** One entry of `messages`: a user or assistant turn, or a system entry. */
export const claudeRequestMessageSchema = z.discriminatedUnion("role", [
  claudeMessageSchema,
  claudeSystemMessageSchema,
]);

/**
 * `output_config`: `effort` (low…max, Claude 4.5+) and `format` (structured output:
 * `{type: "json_schema", schema}`).
 */
export const claudeOutputConfigSchema = z.looseObject({
  effort: z.string().optional(),
  format: z.looseObject({
    type: z.literal("json_schema"),
    schema: z.record(z.string(), z.unknown()),
  }).nullish(),
});

/**
 * A tool: a custom tool `{name, description?, input_schema}` or an Anthropic-defined tool
 * (`type` such as `bash_20250124`, kept for the native path).
 */
export const claudeToolSchema = z.looseObject({
  type: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  cache_control: cacheControl,
});

/** `tool_choice`: auto, any, a named tool, or none. */
export const claudeToolChoiceSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({
    type: z.literal("tool"),
    name: z.string().min(1),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.looseObject({ type: z.literal("none") }),
]);

/** Extended thinking: enabled with a budget, disabled, or adaptive (Claude 4.6+). */
export const claudeThinkingConfigSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("enabled"), budget_tokens: z.int().min(1) }),
  z.looseObject({ type: z.literal("disabled") }),
  z.looseObject({ type: z.literal("adaptive") }),
]);

const systemSchema = z.union([z.string(), z.array(claudeTextBlockSchema)]);

const baseShape = {
  model: modelIdSchema,
  stream: z.boolean().nullish(),
  file_ids: z.array(z.string()).optional(),
  max_tokens: z.int({ error: "must be an integer" }).min(1),
  system: systemSchema.optional(),
  messages: z.array(claudeRequestMessageSchema).min(1, {
    error: "must contain at least one message",
  }),
  tools: z.array(claudeToolSchema).optional(),
  tool_choice: claudeToolChoiceSchema.optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
  thinking: claudeThinkingConfigSchema.optional(),
  output_config: claudeOutputConfigSchema.optional(),
  /** Beta features (Bedrock's body field; the `anthropic-beta` header is merged into it). */
  anthropic_beta: z.array(z.string()).optional(),
};

type ToolUseCheck = {
  messages: ReadonlyArray<
    { content: string | ReadonlyArray<{ type: string; id?: unknown; tool_use_id?: unknown }> }
  >;
};

/**
 * Every `tool_result` must answer a `tool_use` of an earlier assistant turn; adds an issue
 * naming `messages[i].content[j].tool_use_id` otherwise.
 */
function checkToolResults(value: ToolUseCheck, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  value.messages.forEach((message, i) => {
    if (typeof message.content === "string") return;
    message.content.forEach((block, j) => {
      if (block.type === "tool_use") seen.add(String(block.id));
      if (block.type !== "tool_result") return;
      const id = String(block.tool_use_id);
      if (!seen.has(id)) {
        ctx.addIssue({
          code: "custom",
          path: ["messages", i, "content", j, "tool_use_id"],
          message: `no earlier tool_use has the id '${id}'`,
        });
      }
    });
  });
}

/**
 * The Bedrock Claude request as recognised on `/v1/chat/completions`: `anthropic_version`
 * required (it is what identifies the format).
 */
export const claudeRequestSchema = z.looseObject({
  anthropic_version: z.string({ error: "must be a string" }),
  ...baseShape,
}).superRefine(checkToolResults);

/**
 * The request of `POST /v1/messages` (Anthropic Messages API): `anthropic_version` optional
 * (the Anthropic API sends it as a header).
 */
export const messagesApiRequestSchema = z.looseObject({
  anthropic_version: z.string({ error: "must be a string" }).optional(),
  ...baseShape,
}).superRefine(checkToolResults);

/**
 * The request of `POST /v1/messages/count_tokens` (Anthropic's Messages count-tokens API): the
 * Messages request without `max_tokens` (optional here, it does not change the count) and
 * without `file_ids` (not counted, so refused rather than ignored).
 */
export const countTokensRequestSchema = z.looseObject({
  anthropic_version: z.string({ error: "must be a string" }).optional(),
  ...baseShape,
  max_tokens: baseShape.max_tokens.optional(),
  file_ids: z.never({ error: "is not supported by count_tokens" }).optional(),
}).superRefine(checkToolResults);

/** A validated count-tokens request. */
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;

/** A validated Bedrock Claude / Anthropic Messages request. */
export type ClaudeRequest = z.infer<typeof messagesApiRequestSchema>;
/** One user or assistant message. */
export type ClaudeMessage = z.infer<typeof claudeMessageSchema>;
/** A `{role: "system"}` entry of `messages`. */
export type ClaudeSystemMessage = z.infer<typeof claudeSystemMessageSchema>;
/** Any entry of `messages`. */
export type ClaudeRequestMessage = z.infer<typeof claudeRequestMessageSchema>;
/** `output_config` value. */
export type ClaudeOutputConfig = z.infer<typeof claudeOutputConfigSchema>;
/** One request content block. */
export type ClaudeContentBlock = z.infer<typeof claudeContentBlockSchema>;
/** A text block. */
export type ClaudeTextBlock = z.infer<typeof claudeTextBlockSchema>;
/** An image block. */
export type ClaudeImageBlock = z.infer<typeof claudeImageBlockSchema>;
/** A document block. */
export type ClaudeDocumentBlock = z.infer<typeof claudeDocumentBlockSchema>;
/** A tool_result block. */
export type ClaudeToolResultBlock = z.infer<typeof claudeToolResultBlockSchema>;
/** A tool definition. */
export type ClaudeTool = z.infer<typeof claudeToolSchema>;
/** `tool_choice` value. */
export type ClaudeToolChoice = z.infer<typeof claudeToolChoiceSchema>;
/** `thinking` configuration. */
export type ClaudeThinkingConfig = z.infer<typeof claudeThinkingConfigSchema>;

/** The `anthropic_version` Bedrock expects. */
export const BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";

export type * from "./wire.ts";

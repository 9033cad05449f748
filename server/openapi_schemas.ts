/**
 * OpenAPI 3.1 component schemas of the HTTP API (SPEC §3). Request bodies are generated from the
 * zod schemas that validate them (`z.toJSONSchema`, JSON Schema 2020-12, the dialect of OpenAPI
 * 3.1), so the document cannot drift from what the gateway accepts: enums, ranges, patterns and
 * nested types come from the validators themselves. Response shapes have no zod schema (the
 * gateway builds them) and are written here after the types in `core/formats/`.
 */
import { z } from "zod";
import { responsesRequestSchema } from "../core/formats/openai_responses/schema.ts";
import {
  claudeContentBlockSchema,
  claudeDocumentBlockSchema,
  claudeImageBlockSchema,
  claudeMessageSchema,
  claudeRedactedThinkingBlockSchema,
  claudeRequestSchema,
  claudeTextBlockSchema,
  claudeThinkingBlockSchema,
  claudeThinkingConfigSchema,
  claudeToolChoiceSchema,
  claudeToolResultBlockSchema,
  claudeToolSchema,
  claudeToolUseBlockSchema,
  countTokensRequestSchema,
  messagesApiRequestSchema,
} from "../core/formats/bedrock_claude/schema.ts";
import { CLAUDE_STOP_REASONS } from "../core/formats/bedrock_claude/wire.ts";
import {
  titanGenerationConfigSchema,
  titanRequestSchema,
} from "../core/formats/bedrock_titan/schema.ts";
import {
  assistantMessageSchema,
  audioPartSchema,
  chatRequestSchema,
  developerMessageSchema,
  filePartSchema,
  imagePartSchema,
  messageSchema,
  reasoningDetailSchema,
  refusalPartSchema,
  responseFormatSchema,
  systemMessageSchema,
  textPartSchema,
  toolCallSchema,
  toolChoiceSchema,
  toolMessageSchema,
  toolSchema,
  userContentPartSchema,
  userMessageSchema,
} from "../core/formats/openai/schema.ts";
import { object, ref, str } from "./openapi_parts.ts";

type Schema = Record<string, unknown>;

/** The request-side zod schemas, each with its component name and description. */
const REQUEST_SCHEMAS: Array<[z.ZodType, string, string]> = [
  [
    chatRequestSchema,
    "OpenAIChatRequest",
    "OpenAI Chat Completions request (the default input format). Unknown fields are kept and forwarded to OpenAI-compatible upstreams.",
  ],
  [messageSchema, "ChatMessage", "One chat message, by role."],
  [systemMessageSchema, "SystemMessage", "System instructions."],
  [developerMessageSchema, "DeveloperMessage", "System instructions for reasoning models."],
  [userMessageSchema, "UserMessage", "A user turn: text or content parts."],
  [assistantMessageSchema, "AssistantMessage", "An assistant turn (history or prefill)."],
  [toolMessageSchema, "ToolMessage", "The result of one tool call."],
  [userContentPartSchema, "UserContentPart", "One part of a user message."],
  [textPartSchema, "TextPart", "Text."],
  [imagePartSchema, "ImagePart", "An image: a data URL, or an http(s) / s3 URL."],
  [audioPartSchema, "AudioPart", "Audio input."],
  [filePartSchema, "FilePart", "A file: inline data, or an uploaded file id."],
  [refusalPartSchema, "RefusalPart", "A refusal (assistant history only)."],
  [
    reasoningDetailSchema,
    "ReasoningDetail",
    "One reasoning block (gateway extension): signed text, or redacted data.",
  ],
  [toolCallSchema, "ToolCall", "A tool call made by the assistant."],
  [toolSchema, "Tool", "A function tool definition."],
  [toolChoiceSchema, "ToolChoice", "none, auto, required or a named function."],
  [responseFormatSchema, "ResponseFormat", "text, json_object or json_schema."],
  [
    claudeRequestSchema,
    "BedrockClaudeRequest",
    "Anthropic Messages body as Bedrock takes it (recognised by anthropic_version), plus the gateway fields model, stream and file_ids.",
  ],
  [
    messagesApiRequestSchema,
    "MessagesRequest",
    "Anthropic Messages API request (POST /v1/messages); anthropic_version may come as a header.",
  ],
  [
    countTokensRequestSchema,
    "CountTokensRequest",
    "Anthropic Messages count-tokens request (POST /v1/messages/count_tokens): the Messages request without max_tokens; file_ids is refused.",
  ],
  [claudeMessageSchema, "ClaudeMessageParam", "One Anthropic request message."],
  [claudeContentBlockSchema, "ClaudeContentBlock", "One Anthropic request content block."],
  [claudeTextBlockSchema, "ClaudeTextBlock", "Text."],
  [claudeImageBlockSchema, "ClaudeImageBlock", "An image (base64 or URL)."],
  [claudeDocumentBlockSchema, "ClaudeDocumentBlock", "A document (base64, text, URL or content)."],
  [claudeToolUseBlockSchema, "ClaudeToolUseBlock", "A tool call (assistant turns)."],
  [claudeToolResultBlockSchema, "ClaudeToolResultBlock", "A tool result (user turns)."],
  [claudeThinkingBlockSchema, "ClaudeThinkingBlock", "Signed thinking."],
  [claudeRedactedThinkingBlockSchema, "ClaudeRedactedThinkingBlock", "Redacted thinking."],
  [claudeToolSchema, "ClaudeTool", "An Anthropic tool definition."],
  [claudeToolChoiceSchema, "ClaudeToolChoice", "auto, any, tool or none."],
  [claudeThinkingConfigSchema, "ClaudeThinkingConfig", "Extended or adaptive thinking."],
  [
    titanRequestSchema,
    "BedrockTitanRequest",
    "Titan Text body (recognised by inputText), plus the gateway fields model, stream and file_ids.",
  ],
  [titanGenerationConfigSchema, "TitanGenerationConfig", "Titan's sampling parameters."],
  [
    responsesRequestSchema,
    "ResponsesRequest",
    "OpenAI Responses API request (POST /v1/responses). Unknown fields are kept and forwarded to upstreams that speak Responses.",
  ],
];

/** `z.toJSONSchema` of every request schema, as components referencing each other by name. */
function requestComponents(): Record<string, Schema> {
  const registry = z.registry<{ id: string }>();
  const descriptions = new Map<string, string>();
  for (const [schema, id, description] of REQUEST_SCHEMAS) {
    registry.add(schema, { id });
    descriptions.set(id, description);
  }
  const { schemas } = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as Schema;
      return [id, { description: descriptions.get(id), ...rest }];
    }),
  );
}

const int: Schema = { type: "integer" };
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: "null" }] });

const FINISH_REASONS = ["stop", "length", "tool_calls", "content_filter", "function_call"];

/** Response shapes (what the gateway builds; no zod schema describes them). */
const RESPONSE_SCHEMAS: Record<string, Schema> = {
  ErrorEnvelope: {
    ...object({
      error: object({
        message: str(),
        type: {
          ...str(),
          enum: [
            "invalid_request_error",
            "authentication_error",
            "permission_error",
            "not_found_error",
            "rate_limit_error",
            "api_error",
          ],
        },
        param: nullable(str()),
        code: nullable(str(
          "e.g. invalid_json, invalid_value, invalid_api_key, model_not_found, file_not_found, " +
            "not_found, request_too_large, rate_limit_exceeded, internal_error, upstream_error, " +
            "provider_not_configured, upstream_unavailable, upstream_timeout",
        )),
      }, ["message", "type", "param", "code"]),
    }, ["error"]),
    description: "Body of every /v1/* error (and of /metrics errors), as OpenAI sends it.",
  },
  AnthropicError: {
    ...object({
      type: { const: "error" },
      error: object({ type: str(), message: str() }, ["type", "message"]),
    }, ["type", "error"]),
    description: "Error body of /v1/messages (Anthropic's shape).",
  },
  TokenCount: {
    ...object({ input_tokens: int }, ["input_tokens"]),
    description: "Answer of /v1/messages/count_tokens (Anthropic's shape).",
  },
  Usage: object({
    prompt_tokens: int,
    completion_tokens: int,
    total_tokens: int,
    prompt_tokens_details: object({ cached_tokens: int }),
    completion_tokens_details: object({ reasoning_tokens: int }),
  }, ["prompt_tokens", "completion_tokens", "total_tokens"]),
  ResponseToolCall: object({
    id: str(),
    type: { const: "function" },
    function: object({ name: str(), arguments: str("a JSON string") }, ["name", "arguments"]),
  }, ["id", "type", "function"]),
  ResponseMessage: {
    ...object({
      role: { const: "assistant" },
      content: nullable(str()),
      refusal: nullable(str()),
      tool_calls: { type: "array", items: ref("ResponseToolCall") },
      reasoning_content: str("reasoning text (gateway extension, as DeepSeek and vLLM name it)"),
      reasoning_signature: str("signature of the reasoning, to send back with it"),
      reasoning_details: { type: "array", items: ref("ReasoningDetail") },
    }, ["role", "content", "refusal"]),
    description: "The assistant message of a completion.",
  },
  ChatCompletion: {
    ...object({
      id: str("chatcmpl-…"),
      object: { const: "chat.completion" },
      created: { ...int, description: "Unix seconds" },
      model: str(),
      choices: {
        type: "array",
        items: object({
          index: int,
          message: ref("ResponseMessage"),
          finish_reason: nullable({ ...str(), enum: FINISH_REASONS }),
          logprobs: nullable({ type: "object" }),
        }, ["index", "message", "finish_reason"]),
      },
      usage: ref("Usage"),
      system_fingerprint: nullable(str()),
      service_tier: nullable(str()),
    }, ["id", "object", "created", "model", "choices"]),
    description: "OpenAI chat completion (target_format=openai, the default).",
  },
  ChatCompletionChunk: {
    ...object({
      id: str(),
      object: { const: "chat.completion.chunk" },
      created: int,
      model: str(),
      choices: {
        type: "array",
        items: object({
          index: int,
          delta: object({
            role: { const: "assistant" },
            content: nullable(str()),
            refusal: nullable(str()),
            tool_calls: {
              type: "array",
              items: object({
                index: int,
                id: str(),
                type: { const: "function" },
                function: object({ name: str(), arguments: str() }),
              }, ["index"]),
            },
            reasoning_content: str(),
          }),
          finish_reason: nullable({ ...str(), enum: FINISH_REASONS }),
        }, ["index", "delta", "finish_reason"]),
      },
      usage: nullable(ref("Usage")),
    }, ["id", "object", "created", "model", "choices"]),
    description: "One `data:` event of an OpenAI stream; the stream ends with `data: [DONE]`. " +
      "With stream_options.include_usage the last chunk has `choices: []` and the usage.",
  },
  Response: {
    ...object({
      id: str("resp_…"),
      object: { const: "response" },
      created_at: { type: "integer" },
      status: { ...str(), enum: ["completed", "incomplete", "failed", "in_progress"] },
      error: { type: ["object", "null"] },
      incomplete_details: { type: ["object", "null"] },
      model: str(),
      output: {
        type: "array",
        description: "`reasoning`, `message` (output_text parts) and `function_call` items",
        items: { type: "object" },
      },
      usage: { type: ["object", "null"] },
    }, ["id", "object", "created_at", "status", "model", "output"]),
    description: "A Response object; the request's settings (instructions, tools, text, " +
      "reasoning, metadata…) are echoed as OpenAI does.",
  },
  ClaudeMessage: {
    ...object({
      id: str("msg_…"),
      type: { const: "message" },
      role: { const: "assistant" },
      content: {
        type: "array",
        items: {
          ...object({
            type: { ...str(), enum: ["text", "tool_use", "thinking", "redacted_thinking"] },
            text: str(),
            id: str(),
            name: str(),
            input: { type: "object" },
            thinking: str(),
            signature: str(),
            data: str(),
          }, ["type"]),
        },
      },
      model: str(),
      stop_reason: nullable({
        ...str(),
        enum: [...CLAUDE_STOP_REASONS],
      }),
      stop_sequence: nullable(str()),
      usage: object({
        input_tokens: int,
        output_tokens: int,
        cache_creation_input_tokens: nullable(int),
        cache_read_input_tokens: nullable(int),
      }, ["input_tokens", "output_tokens"]),
    }, ["id", "type", "role", "content", "model", "stop_reason", "stop_sequence", "usage"]),
    description: "Anthropic Messages response (target_format=bedrock_claude, /v1/messages).",
  },
  TitanResponse: {
    ...object({
      inputTextTokenCount: int,
      results: {
        type: "array",
        items: object({
          tokenCount: int,
          outputText: str(),
          completionReason: { ...str(), enum: ["FINISH", "LENGTH", "CONTENT_FILTERED"] },
        }, ["tokenCount", "outputText", "completionReason"]),
      },
    }, ["inputTextTokenCount", "results"]),
    description: "Titan Text response (target_format=bedrock_titan).",
  },
  Model: object({
    id: str(),
    object: { const: "model" },
    created: int,
    owned_by: str("the upstream's owner, else the id of the provider instance serving it"),
  }, ["id", "object", "created", "owned_by"]),
  ModelList: object({
    object: { const: "list" },
    data: { type: "array", items: ref("Model") },
  }, ["object", "data"]),
  File: object({
    id: str("file-…"),
    object: { const: "file" },
    bytes: int,
    created_at: int,
    filename: str(),
    purpose: str(),
    status: { const: "processed" },
  }, ["id", "object", "bytes", "created_at", "filename", "purpose", "status"]),
  FileList: object({
    object: { const: "list" },
    data: { type: "array", items: ref("File") },
    first_id: str("the first file's id; empty for an empty page"),
    last_id: str(
      "the last file's id (the `after` cursor of the next page); empty for an empty page",
    ),
    has_more: { type: "boolean" },
  }, ["object", "data", "first_id", "last_id", "has_more"]),
  FileDeleted: object({
    id: str(),
    object: { const: "file" },
    deleted: { const: true },
  }, ["id", "object", "deleted"]),
  Health: object({
    status: { const: "ok" },
    version: str(),
    providers: {
      type: "object",
      description: "each provider instance's state, by instance id",
      additionalProperties: {
        ...str(),
        enum: ["configured", "not_configured", "enabled", "disabled"],
      },
    },
    credentials: {
      type: "object",
      description: "whether the credentials of instances that check them resolved, by id",
      additionalProperties: {
        ...str(),
        enum: ["not_configured", "checking", "resolved", "unresolved"],
      },
    },
  }, ["status", "version", "providers"]),
};

/** `components.schemas` of the OpenAPI document. */
export const SCHEMAS: Record<string, Schema> = { ...requestComponents(), ...RESPONSE_SCHEMAS };

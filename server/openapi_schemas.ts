/**
 * OpenAPI 3.1 component schemas of the HTTP API (SPEC §3): the wire shapes clients send and
 * receive, abridged to their documented fields (extra fields are accepted where OpenAI accepts
 * them).
 */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string): Schema => ({
  type: "string",
  ...(description ? { description } : {}),
});
const int: Schema = { type: "integer" };
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: "null" }] });

/** `components.schemas` of the OpenAPI document. */
export const SCHEMAS: Record<string, Schema> = {
  ErrorEnvelope: {
    type: "object",
    description: "Body of every /v1/* error (and of /metrics errors).",
    required: ["error"],
    properties: {
      error: {
        type: "object",
        required: ["message", "type", "param", "code"],
        properties: {
          message: str(),
          type: str(
            "invalid_request_error, authentication_error, permission_error, " +
              "not_found_error, rate_limit_error, api_error",
          ),
          param: nullable(str()),
          code: nullable(
            str(
              "e.g. invalid_json, invalid_value, invalid_api_key, model_not_found, " +
                "file_not_found, not_found, request_too_large, rate_limit_exceeded, internal_error, " +
                "upstream_error, provider_not_configured, upstream_unavailable, upstream_timeout",
            ),
          ),
        },
      },
    },
  },
  AnthropicError: {
    type: "object",
    description: "Error body of /v1/messages (Anthropic's shape).",
    required: ["type", "error"],
    properties: {
      type: { const: "error" },
      error: { type: "object", properties: { type: str(), message: str() } },
    },
  },
  ChatMessage: {
    type: "object",
    required: ["role"],
    properties: {
      role: { enum: ["system", "developer", "user", "assistant", "tool"] },
      content: nullable({ anyOf: [str(), { type: "array", items: { type: "object" } }] }),
      name: str(),
      tool_calls: { type: "array", items: ref("ToolCall") },
      tool_call_id: str(),
    },
  },
  ToolCall: {
    type: "object",
    properties: {
      index: int,
      id: str(),
      type: { const: "function" },
      function: {
        type: "object",
        properties: { name: str(), arguments: str("a JSON string") },
      },
    },
  },
  OpenAIChatRequest: {
    type: "object",
    description: "OpenAI Chat Completions request (the default input format).",
    required: ["model", "messages"],
    properties: {
      model: str("routed by prefix: gpt-*, anthropic.*, mock-*, openai/<id>, bedrock/<id>, …"),
      messages: { type: "array", items: ref("ChatMessage") },
      stream: { type: "boolean" },
      stream_options: { type: "object", properties: { include_usage: { type: "boolean" } } },
      temperature: { type: "number" },
      top_p: { type: "number" },
      max_tokens: int,
      max_completion_tokens: int,
      stop: { anyOf: [str(), { type: "array", items: str() }] },
      tools: { type: "array", items: { type: "object" } },
      tool_choice: {},
      response_format: { type: "object" },
      seed: int,
      n: int,
      file_ids: ref("FileIds"),
    },
    additionalProperties: true,
  },
  BedrockClaudeRequest: {
    type: "object",
    description: "Anthropic Messages body as Bedrock takes it (recognised by anthropic_version).",
    required: ["model", "anthropic_version", "messages", "max_tokens"],
    properties: {
      model: str(),
      anthropic_version: str("e.g. bedrock-2023-05-31"),
      messages: { type: "array", items: { type: "object" } },
      system: {},
      max_tokens: int,
      stream: { type: "boolean" },
      file_ids: ref("FileIds"),
    },
    additionalProperties: true,
  },
  BedrockTitanRequest: {
    type: "object",
    description: "Titan Text body (recognised by inputText).",
    required: ["model", "inputText"],
    properties: {
      model: str(),
      inputText: str(),
      textGenerationConfig: { type: "object" },
      stream: { type: "boolean" },
      file_ids: ref("FileIds"),
    },
  },
  FileIds: {
    type: "array",
    items: str("file-…"),
    description: "Uploaded files whose extracted text is given to the model as context.",
  },
  Usage: {
    type: "object",
    properties: { prompt_tokens: int, completion_tokens: int, total_tokens: int },
  },
  ChatCompletion: {
    type: "object",
    required: ["id", "object", "created", "model", "choices"],
    properties: {
      id: str("chatcmpl-…"),
      object: { const: "chat.completion" },
      created: int,
      model: str(),
      choices: {
        type: "array",
        items: {
          type: "object",
          properties: {
            index: int,
            message: ref("ChatMessage"),
            finish_reason: { enum: ["stop", "length", "tool_calls", "content_filter"] },
          },
        },
      },
      usage: ref("Usage"),
    },
  },
  ClaudeMessage: {
    type: "object",
    description: "Anthropic Messages response (target_format=bedrock_claude, /v1/messages).",
    properties: {
      id: str("msg_…"),
      type: { const: "message" },
      role: { const: "assistant" },
      content: { type: "array", items: { type: "object" } },
      model: str(),
      stop_reason: { enum: ["end_turn", "max_tokens", "stop_sequence", "tool_use"] },
      stop_sequence: nullable(str()),
      usage: { type: "object", properties: { input_tokens: int, output_tokens: int } },
    },
  },
  TitanResponse: {
    type: "object",
    description: "Titan Text response (target_format=bedrock_titan).",
    properties: {
      inputTextTokenCount: int,
      results: {
        type: "array",
        items: {
          type: "object",
          properties: {
            tokenCount: int,
            outputText: str(),
            completionReason: { enum: ["FINISH", "LENGTH", "CONTENT_FILTERED"] },
          },
        },
      },
    },
  },
  Model: {
    type: "object",
    required: ["id", "object", "created", "owned_by"],
    properties: { id: str(), object: { const: "model" }, created: int, owned_by: str() },
  },
  ModelList: {
    type: "object",
    properties: { object: { const: "list" }, data: { type: "array", items: ref("Model") } },
  },
  File: {
    type: "object",
    required: ["id", "object", "bytes", "created_at", "filename", "purpose"],
    properties: {
      id: str("file-…"),
      object: { const: "file" },
      bytes: int,
      created_at: int,
      filename: str(),
      purpose: str(),
      status: str(),
    },
  },
  FileList: {
    type: "object",
    properties: {
      object: { const: "list" },
      data: { type: "array", items: ref("File") },
      has_more: { type: "boolean" },
    },
  },
  FileDeleted: {
    type: "object",
    properties: { id: str(), object: { const: "file" }, deleted: { const: true } },
  },
  Health: {
    type: "object",
    required: ["status", "version", "providers"],
    properties: {
      status: { const: "ok" },
      version: str(),
      providers: {
        type: "object",
        properties: Object.fromEntries(["openai", "bedrock", "mock"].map((p) => [p, str()])),
      },
    },
  },
};

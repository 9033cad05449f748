/**
 * Wire types of the Bedrock Converse / ConverseStream API as plain interfaces (mirroring the
 * documented shapes; the AWS SDK's own types are structurally compatible). Binary payloads are
 * `Uint8Array`. Only the members the gateway sends or reads are listed; upstream values are read
 * leniently, so every response field is optional.
 */

// ---------------------------------------------------------------- content blocks

/** Image formats Converse accepts. */
export type ConverseImageFormat = "png" | "jpeg" | "gif" | "webp";
/** Document formats Converse accepts. */
export type ConverseDocumentFormat =
  | "pdf"
  | "csv"
  | "doc"
  | "docx"
  | "xls"
  | "xlsx"
  | "html"
  | "txt"
  | "md";

/** An S3 object referenced by URI. */
export interface ConverseS3Location {
  uri: string;
  bucketOwner?: string;
}

/** Where binary media comes from: inline bytes or an S3 object. */
export type ConverseMediaSource = { bytes: Uint8Array } | { s3Location: ConverseS3Location };

/** `{image:{format, source}}` */
export interface ConverseImageBlock {
  format: ConverseImageFormat;
  source: ConverseMediaSource;
}

/** `{document:{format, name, source}}` */
export interface ConverseDocumentBlock {
  format: ConverseDocumentFormat;
  /** Alphanumerics, single spaces, hyphens, parentheses and square brackets only. */
  name: string;
  source: ConverseMediaSource;
}

/** `{toolUse:{toolUseId, name, input}}` */
export interface ConverseToolUseBlock {
  toolUseId: string;
  name: string;
  input: unknown;
}

/** One piece of a tool result. */
export type ConverseToolResultContent = { text: string } | { json: unknown };

/** `{toolResult:{toolUseId, content, status?}}` */
export interface ConverseToolResultBlock {
  toolUseId: string;
  content: ConverseToolResultContent[];
  status?: "success" | "error";
}

/** `{reasoningContent:{reasoningText:{text, signature?}} | {redactedContent}}` */
export type ConverseReasoningBlock =
  | { reasoningText: { text: string; signature?: string } }
  | { redactedContent: Uint8Array };

/** `{cachePoint:{type:"default", ttl?}}` — caches the prefix up to this point. */
export interface ConverseCachePoint {
  type: "default";
  ttl?: "5m" | "1h";
}

/** One block of a message. */
export type ConverseContentBlock =
  | { text: string }
  | { image: ConverseImageBlock }
  | { document: ConverseDocumentBlock }
  | { toolUse: ConverseToolUseBlock }
  | { toolResult: ConverseToolResultBlock }
  | { reasoningContent: ConverseReasoningBlock }
  | { cachePoint: ConverseCachePoint };

/** One block of the system prompt. */
export type ConverseSystemBlock = { text: string } | { cachePoint: ConverseCachePoint };

/** Converse conversation roles (system instructions go in `system`). */
export type ConverseRole = "user" | "assistant";

/** One conversation turn. */
export interface ConverseMessage {
  role: ConverseRole;
  content: ConverseContentBlock[];
}

// ---------------------------------------------------------------- request

/** `toolSpec` of a tool definition. */
export interface ConverseToolSpec {
  name: string;
  description?: string;
  inputSchema: { json: unknown };
  strict?: boolean;
}

/** One tool entry: a definition or a cache point after the definitions before it. */
export type ConverseTool = { toolSpec: ConverseToolSpec } | { cachePoint: ConverseCachePoint };

/** `toolChoice`: the model decides, must call some tool, or must call the named tool. */
export type ConverseToolChoice =
  | { auto: Record<string, never> }
  | { any: Record<string, never> }
  | { tool: { name: string } };

/** `toolConfig` */
export interface ConverseToolConfig {
  tools: ConverseTool[];
  toolChoice?: ConverseToolChoice;
}

/** `inferenceConfig` */
export interface ConverseInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

/**
 * The ranges AWS's Smithy model of bedrock-runtime puts on `InferenceConfiguration`, whatever the
 * model: `maxTokens` ≥ 1, `temperature` and `topP` 0–1, at most 2500 non-empty `stopSequences`.
 */
export const CONVERSE_INFERENCE_LIMITS = {
  minMaxTokens: 1,
  temperature: { min: 0, max: 1 },
  topP: { min: 0, max: 1 },
  maxStopSequences: 2500,
} as const;

/** `outputConfig`: native structured output (`schema` is a JSON string). */
export interface ConverseOutputConfig {
  textFormat?: {
    type: "json_schema";
    structure: { jsonSchema: { schema: string; name?: string; description?: string } };
  };
}

/** The body of a Converse / ConverseStream call. */
export interface ConverseRequest {
  modelId: string;
  messages: ConverseMessage[];
  system?: ConverseSystemBlock[];
  inferenceConfig?: ConverseInferenceConfig;
  toolConfig?: ConverseToolConfig;
  additionalModelRequestFields?: Record<string, unknown>;
  outputConfig?: ConverseOutputConfig;
}

// ---------------------------------------------------------------- response

/** Why generation ended, as Converse reports it. */
export type ConverseStopReason =
  | "end_turn"
  | "tool_use"
  | "max_tokens"
  | "stop_sequence"
  | "guardrail_intervened"
  | "content_filtered"
  | "model_context_window_exceeded"
  | "malformed_model_output"
  | "malformed_tool_use";

/** Token usage as Converse reports it (`inputTokens` excludes cached tokens). */
export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** A Converse response (read leniently: the SDK may leave any field undefined). */
export interface ConverseResponse {
  output?: { message?: { role?: string; content?: ConverseResponseBlock[] } };
  /** A documented {@link ConverseStopReason}, or a newer value mapped to a fallback. */
  stopReason?: string;
  usage?: ConverseUsage;
  metrics?: { latencyMs?: number };
  additionalModelResponseFields?: unknown;
}

/** A content block of a response, read leniently. */
export interface ConverseResponseBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: {
    reasoningText?: { text?: string; signature?: string };
    redactedContent?: Uint8Array;
  };
  [k: string]: unknown;
}

// ---------------------------------------------------------------- stream events

/** The payload of a stream exception event. */
export interface ConverseStreamException {
  message?: string;
  originalStatusCode?: number;
  originalMessage?: string;
}

/** One ConverseStream event: exactly one member is set. */
export interface ConverseStreamEvent {
  messageStart?: { role?: string };
  contentBlockStart?: {
    contentBlockIndex?: number;
    start?: { toolUse?: { toolUseId?: string; name?: string } };
  };
  contentBlockDelta?: {
    contentBlockIndex?: number;
    delta?: {
      text?: string;
      toolUse?: { input?: string };
      reasoningContent?: { text?: string; signature?: string; redactedContent?: Uint8Array };
    };
  };
  contentBlockStop?: { contentBlockIndex?: number };
  messageStop?: { stopReason?: string; additionalModelResponseFields?: unknown };
  metadata?: { usage?: ConverseUsage; metrics?: { latencyMs?: number } };
  internalServerException?: ConverseStreamException;
  modelStreamErrorException?: ConverseStreamException;
  validationException?: ConverseStreamException;
  throttlingException?: ConverseStreamException;
  serviceUnavailableException?: ConverseStreamException;
}

/** Names of the exception members of {@link ConverseStreamEvent}. */
export type ConverseStreamExceptionName =
  | "internalServerException"
  | "modelStreamErrorException"
  | "validationException"
  | "throttlingException"
  | "serviceUnavailableException";

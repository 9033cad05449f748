/**
 * Wire types of Anthropic Messages responses and streaming events (as Bedrock InvokeModel and the
 * Anthropic API send them). Read leniently: only the fields the converters use are relied on.
 */

/** Every reason Claude stops for. `pause_turn` and `refusal` come from newer models. */
export const CLAUDE_STOP_REASONS = [
  "end_turn",
  "max_tokens",
  "stop_sequence",
  "tool_use",
  "pause_turn",
  "refusal",
  "model_context_window_exceeded",
] as const;

/** Why Claude stopped. */
export type ClaudeStopReason = typeof CLAUDE_STOP_REASONS[number];

/** Token usage of a message. */
export interface ClaudeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [k: string]: unknown;
}

/** A text block of a response. */
export interface ClaudeResponseTextBlock {
  type: "text";
  text: string;
  [k: string]: unknown;
}

/** A tool call of a response (`input` is an object). */
export interface ClaudeResponseToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** A thinking block of a response. */
export interface ClaudeResponseThinkingBlock {
  type: "thinking";
  thinking: string;
  signature: string;
}

/** A redacted thinking block of a response. */
export interface ClaudeResponseRedactedThinkingBlock {
  type: "redacted_thinking";
  data: string;
}

/** Any content block of a response. */
export type ClaudeResponseBlock =
  | ClaudeResponseTextBlock
  | ClaudeResponseToolUseBlock
  | ClaudeResponseThinkingBlock
  | ClaudeResponseRedactedThinkingBlock;

/** The Anthropic message returned by a non-streamed call. */
export interface ClaudeResponse {
  id: string;
  type: "message";
  role: "assistant";
  content: ClaudeResponseBlock[];
  model: string;
  stop_reason: ClaudeStopReason | null;
  stop_sequence: string | null;
  usage: ClaudeUsage;
  [k: string]: unknown;
}

/** A `content_block_delta` payload. */
export type ClaudeDelta =
  | { type: "text_delta"; text: string }
  | { type: "input_json_delta"; partial_json: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string }
  | { type: "citations_delta"; citation: unknown };

/** Usage reported by `message_delta` (output tokens, and input counts when known). */
export interface ClaudeDeltaUsage {
  output_tokens: number;
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [k: string]: unknown;
}

/** Anthropic's error body `{type:"error", error:{type, message}}`, also the `error` event. */
export interface ClaudeErrorBody {
  type: "error";
  error: { type: string; message: string };
}

/** One Anthropic streaming event (the SSE `event:` name equals `type`). */
export type ClaudeStreamEvent =
  | { type: "message_start"; message: ClaudeResponse }
  | { type: "content_block_start"; index: number; content_block: ClaudeResponseBlock }
  | { type: "content_block_delta"; index: number; delta: ClaudeDelta }
  | { type: "content_block_stop"; index: number }
  | {
    type: "message_delta";
    delta: { stop_reason: ClaudeStopReason | null; stop_sequence: string | null };
    usage: ClaudeDeltaUsage;
  }
  | { type: "message_stop"; [k: string]: unknown }
  | { type: "ping" }
  | ClaudeErrorBody;

/** Alias used by the stream encoder's API. */
export type AnthropicEvent = ClaudeStreamEvent;

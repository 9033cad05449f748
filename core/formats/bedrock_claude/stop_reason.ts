/**
 * Claude `stop_reason` ⇄ OpenAI `finish_reason`.
 *
 * `content_filter` becomes `refusal`, the stop reason Anthropic itself returns when its safety
 * classifiers stop a response (Claude 4 models); `refusal` maps back to `content_filter`.
 */
import type { ClaudeStopReason } from "./schema.ts";
import { CLAUDE_STOP_REASONS as REASONS } from "./wire.ts";
import type { FinishReason } from "../openai/schema.ts";

const CLAUDE_STOP_REASONS: ReadonlySet<string> = new Set<string>(REASONS);

/**
 * A Claude `stop_reason` → OpenAI `finish_reason`; unknown or missing values → `stop`.
 *
 * @example
 * claudeFinishReason("tool_use"); // "tool_calls"
 * claudeFinishReason("max_tokens"); // "length"
 */
export function claudeFinishReason(stopReason: string | null | undefined): FinishReason {
  if (typeof stopReason !== "string" || !CLAUDE_STOP_REASONS.has(stopReason)) return "stop";
  const reason = stopReason as ClaudeStopReason;
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
    case "pause_turn":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default: {
      const unhandled: never = reason;
      return unhandled;
    }
  }
}

/**
 * An OpenAI `finish_reason` → Claude `stop_reason`. `stop` is `stop_sequence` when the matched
 * sequence is known (`stopSequence`, vLLM's `stop_reason` string), `end_turn` otherwise.
 *
 * @example
 * claudeStopReason("tool_calls"); // "tool_use"
 * claudeStopReason("stop", "END"); // "stop_sequence"
 */
export function claudeStopReason(
  finish: FinishReason | null | undefined,
  stopSequence?: string | null,
): ClaudeStopReason {
  if (finish === null || finish === undefined) return "end_turn";
  switch (finish) {
    case "stop":
      return typeof stopSequence === "string" ? "stop_sequence" : "end_turn";
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter":
      return "refusal";
    default: {
      const unhandled: never = finish;
      return unhandled;
    }
  }
}

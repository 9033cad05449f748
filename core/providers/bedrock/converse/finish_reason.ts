/**
 * Upstream stop reasons → OpenAI `finish_reason`.
 */
import type { ConverseStopReason } from "./wire.ts";
import type { FinishReason } from "../../../formats/openai/schema.ts";

const CONVERSE_STOP_REASONS: ReadonlySet<string> = new Set<ConverseStopReason>([
  "end_turn",
  "tool_use",
  "max_tokens",
  "stop_sequence",
  "guardrail_intervened",
  "content_filtered",
  "model_context_window_exceeded",
  "malformed_model_output",
  "malformed_tool_use",
]);

/**
 * A Converse `stopReason` → OpenAI `finish_reason`; unknown or missing values → `stop`.
 *
 * @example
 * converseFinishReason("max_tokens"); // "length"
 * converseFinishReason("guardrail_intervened"); // "content_filter"
 */
export function converseFinishReason(stopReason: string | undefined): FinishReason {
  if (stopReason === undefined || !CONVERSE_STOP_REASONS.has(stopReason)) return "stop";
  const reason = stopReason as ConverseStopReason;
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
    case "malformed_model_output":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
    case "malformed_tool_use":
      return "tool_calls";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    default: {
      const unhandled: never = reason;
      return unhandled;
    }
  }
}

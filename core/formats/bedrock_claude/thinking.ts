/**
 * Claude extended thinking: the budget the gateway asks for at each reasoning effort.
 */

/** `reasoning_effort` values other than `none`. */
export type Effort = "minimal" | "low" | "medium" | "high" | "xhigh";

/** Claude extended-thinking budgets per effort. */
export const CLAUDE_THINKING_BUDGETS: Record<Effort, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16_384,
  xhigh: 32_768,
};

/**
 * The `--stats` footer after an answer: token counts (when the gateway reported them), time to
 * the first token and total time. Pure.
 */
import type { Usage } from "./stream_answer.ts";

/** What was measured for one answer. */
export interface TurnStats {
  usage?: Usage;
  /** Milliseconds from the request to the first token (undefined: no token). */
  firstTokenMs?: number;
  totalMs: number;
}

const ms = (n: number) => (n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`);

/**
 * Formats the footer.
 *
 * @example
 * formatStats({ usage: { prompt_tokens: 12, completion_tokens: 34 }, firstTokenMs: 120, totalMs: 1500 });
 * // "[12 prompt + 34 completion tokens · first token 120 ms · total 1.50 s]"
 */
export function formatStats(stats: TurnStats): string {
  const parts = [
    stats.usage
      ? `${stats.usage.prompt_tokens} prompt + ${stats.usage.completion_tokens} completion tokens`
      : "tokens not reported",
  ];
  if (stats.firstTokenMs !== undefined) parts.push(`first token ${ms(stats.firstTokenMs)}`);
  parts.push(`total ${ms(stats.totalMs)}`);
  return `[${parts.join(" · ")}]`;
}

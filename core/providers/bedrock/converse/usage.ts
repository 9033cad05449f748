/**
 * Upstream token usage → OpenAI `usage`.
 */
import type { ConverseUsage } from "./wire.ts";
import type { Usage } from "../../../formats/openai/schema.ts";

const count = (n: number | undefined) => (typeof n === "number" && Number.isFinite(n) ? n : 0);

/**
 * Converse usage → OpenAI usage. Converse's `inputTokens` excludes cached tokens while OpenAI's
 * `prompt_tokens` includes them, so cache reads and writes are added; cache reads are reported as
 * `prompt_tokens_details.cached_tokens`. `reasoningTokens` (when the caller knows it) becomes
 * `completion_tokens_details.reasoning_tokens`.
 *
 * @example
 * converseUsage({ inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 100 });
 * // { prompt_tokens: 110, completion_tokens: 5, total_tokens: 115,
 * //   prompt_tokens_details: { cached_tokens: 100 } }
 */
export function converseUsage(usage: ConverseUsage, reasoningTokens?: number): Usage {
  const cacheRead = count(usage.cacheReadInputTokens);
  const prompt = count(usage.inputTokens) + cacheRead + count(usage.cacheWriteInputTokens);
  const completion = count(usage.outputTokens);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(usage.cacheReadInputTokens !== undefined
      ? { prompt_tokens_details: { cached_tokens: cacheRead } }
      : {}),
    ...(reasoningTokens !== undefined
      ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } }
      : {}),
  };
}

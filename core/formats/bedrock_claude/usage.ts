/**
 * Claude usage ⇄ OpenAI usage. Claude's `input_tokens` excludes cache reads and writes while
 * OpenAI's `prompt_tokens` includes them: reads are `prompt_tokens_details.cached_tokens`,
 * writes `prompt_tokens_details.cache_creation_tokens` (gateway extension), so both directions
 * are exact.
 */
import type { ClaudeDeltaUsage, ClaudeUsage } from "./schema.ts";
import type { Usage } from "../openai/schema.ts";

const count = (n: unknown) => (typeof n === "number" && Number.isFinite(n) ? n : 0);
const known = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n);

/**
 * Claude usage → OpenAI usage.
 *
 * @example
 * claudeUsageToOpenAI({ input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100 });
 * // { prompt_tokens: 110, completion_tokens: 5, total_tokens: 115,
 * //   prompt_tokens_details: { cached_tokens: 100 } }
 */
export function claudeUsageToOpenAI(usage: Partial<ClaudeUsage> | ClaudeDeltaUsage): Usage {
  const read = usage.cache_read_input_tokens;
  const write = usage.cache_creation_input_tokens;
  const prompt = count(usage.input_tokens) + count(read) + count(write);
  const completion = count(usage.output_tokens);
  const details = {
    ...(known(read) ? { cached_tokens: read } : {}),
    ...(known(write) ? { cache_creation_tokens: write } : {}),
  };
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(Object.keys(details).length > 0 ? { prompt_tokens_details: details } : {}),
  };
}

/**
 * OpenAI usage → Claude usage (cache counts only when known).
 *
 * @example
 * openAIUsageToClaude({ prompt_tokens: 110, completion_tokens: 5, total_tokens: 115,
 *   prompt_tokens_details: { cached_tokens: 100 } });
 * // { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100 }
 */
export function openAIUsageToClaude(usage: Usage | null | undefined): ClaudeUsage {
  if (usage === null || usage === undefined) return { input_tokens: 0, output_tokens: 0 };
  const read = usage.prompt_tokens_details?.cached_tokens;
  const write = usage.prompt_tokens_details?.cache_creation_tokens;
  return {
    input_tokens: Math.max(0, count(usage.prompt_tokens) - count(read) - count(write)),
    output_tokens: count(usage.completion_tokens),
    ...(known(write) ? { cache_creation_input_tokens: write } : {}),
    ...(known(read) ? { cache_read_input_tokens: read } : {}),
  };
}

/**
 * The usage of a stream so far: `message_start`'s usage with a `message_delta`'s counts laid
 * over it (a delta's counts are cumulative; its null and missing fields keep the earlier value).
 *
 * @example
 * mergeDeltaUsage({ input_tokens: 10, output_tokens: 1 }, { output_tokens: 5, input_tokens: null });
 * // { input_tokens: 10, output_tokens: 5 }
 */
export function mergeDeltaUsage(
  start: Partial<ClaudeUsage>,
  delta: ClaudeDeltaUsage | undefined,
): Partial<ClaudeUsage> {
  const usage: Record<string, unknown> = { ...start };
  for (const [key, value] of Object.entries(delta ?? {})) {
    if (value !== null && value !== undefined) usage[key] = value;
  }
  return usage as Partial<ClaudeUsage>;
}

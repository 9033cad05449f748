/**
 * The cost of one request from its usage and its model's price: cached input tokens at the
 * cache price, the rest of the input at the input price, output (reasoning included) at the
 * output price. Unknown when the price is (never a made-up zero).
 */
import type { Usage } from "../formats/openai/schema.ts";
import type { Price } from "./prices.ts";

/** The token counts a usage record keeps. */
export interface TokenCounts {
  input: number;
  cached: number;
  output: number;
  reasoning: number;
}

/**
 * The counts in an OpenAI-shaped usage (`prompt_tokens` includes the cached ones, as OpenAI
 * reports them; the Anthropic and Bedrock paths report the same shape).
 *
 * @example
 * tokenCounts({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
 * // { input: 10, cached: 0, output: 5, reasoning: 0 }
 */
export function tokenCounts(usage: Usage | undefined): TokenCounts {
  return {
    input: usage?.prompt_tokens ?? 0,
    cached: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    output: usage?.completion_tokens ?? 0,
    reasoning: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

/**
 * USD for `tokens` at `price`, or undefined when the price is unknown.
 *
 * @example
 * costUsd({ input: 1_000_000, cached: 0, output: 0, reasoning: 0 }, { input: 2, output: 8 }); // 2
 */
export function costUsd(tokens: TokenCounts, price: Price | undefined): number | undefined {
  if (price === undefined) return undefined;
  const cached = Math.min(tokens.cached, tokens.input);
  const usd = (tokens.input - cached) * price.input + cached * (price.cached ?? price.input) +
    tokens.output * price.output;
  return usd / 1_000_000;
}

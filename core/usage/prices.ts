/**
 * The built-in price table: list prices in USD per million tokens (input, cached input, output)
 * of common OpenAI, Anthropic and Bedrock models, as their providers publish them (2025–2026);
 * the config file overrides or adds models. Bedrock ids are matched by their model name (region
 * and inference-profile prefixes, the `anthropic.` family prefix and the version suffix
 * removed), so `us.anthropic.claude-sonnet-4-5-20250929-v1:0` prices as `claude-sonnet-4-5`.
 * A model the table does not know has no price: its cost is unknown, never zero.
 */
import { z } from "zod";

/** USD per million tokens. `cached` defaults to `input` when a provider has no cache price. */
export interface Price {
  input: number;
  cached?: number;
  output: number;
}

const usd = z.union([
  z.number(),
  z.string().trim().regex(/^\d+(\.\d+)?$/, "must be a number").transform(Number),
]).pipe(z.number().min(0, "a price is at least 0"));

/** A price as the config file writes it (`prices: {<model>: {input, cached?, output}}`). */
export const priceSchema = z.object({ input: usd, cached: usd.optional(), output: usd }).strict();

/** The config file's `prices` section: model id or name → price. */
export const pricesSchema = z.record(z.string().min(1), priceSchema);

/** Model name → price (names as the providers spell them, without dates or versions). */
export const BUILT_IN_PRICES: Readonly<Record<string, Price>> = {
  "gpt-5": { input: 1.25, cached: 0.125, output: 10 },
  "gpt-5-mini": { input: 0.25, cached: 0.025, output: 2 },
  "gpt-5-nano": { input: 0.05, cached: 0.005, output: 0.4 },
  "gpt-4.1": { input: 2, cached: 0.5, output: 8 },
  "gpt-4.1-mini": { input: 0.4, cached: 0.1, output: 1.6 },
  "gpt-4.1-nano": { input: 0.1, cached: 0.025, output: 0.4 },
  "gpt-4o": { input: 2.5, cached: 1.25, output: 10 },
  "gpt-4o-mini": { input: 0.15, cached: 0.075, output: 0.6 },
  "o3": { input: 2, cached: 0.5, output: 8 },
  "o3-mini": { input: 1.1, cached: 0.55, output: 4.4 },
  "o4-mini": { input: 1.1, cached: 0.275, output: 4.4 },
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  "text-embedding-ada-002": { input: 0.1, output: 0 },
  "claude-opus-4-1": { input: 15, cached: 1.5, output: 75 },
  "claude-opus-4": { input: 15, cached: 1.5, output: 75 },
  "claude-sonnet-4-5": { input: 3, cached: 0.3, output: 15 },
  "claude-sonnet-4": { input: 3, cached: 0.3, output: 15 },
  "claude-3-7-sonnet": { input: 3, cached: 0.3, output: 15 },
  "claude-haiku-4-5": { input: 1, cached: 0.1, output: 5 },
  "claude-3-5-haiku": { input: 0.8, cached: 0.08, output: 4 },
  "claude-3-haiku": { input: 0.25, cached: 0.03, output: 1.25 },
  "nova-pro": { input: 0.8, cached: 0.2, output: 3.2 },
  "nova-lite": { input: 0.06, cached: 0.015, output: 0.24 },
  "nova-micro": { input: 0.035, cached: 0.00875, output: 0.14 },
};

/** Prefixes and suffixes that do not change a model's price. */
const REGION_PREFIX = /^(?:us|us-gov|eu|apac|au|ca|jp|global)\./;
const FAMILY_PREFIX = /^(?:anthropic|amazon|openai)\./;
const VERSION_SUFFIX = /(?:-\d{8})?(?:-v\d+(?::\d+)?)?$/;
const DATE_SUFFIX = /-\d{4}-\d{2}-\d{2}$/;

/**
 * The name a model is priced under: provider prefix (`<instance>/`), region and family prefixes
 * and date/version suffixes removed.
 *
 * @example
 * priceName("us.anthropic.claude-sonnet-4-5-20250929-v1:0"); // "claude-sonnet-4-5"
 * priceName("gpt-4o-mini-2024-07-18"); // "gpt-4o-mini"
 */
export function priceName(model: string): string {
  return model.replace(REGION_PREFIX, "").replace(FAMILY_PREFIX, "").replace(DATE_SUFFIX, "")
    .replace(VERSION_SUFFIX, "");
}

/**
 * A price lookup over the built-in table and `overrides` (the config file's, by model id or
 * price name; they win).
 *
 * @example
 * priceOf()("amazon.nova-lite-v1:0"); // { input: 0.06, cached: 0.015, output: 0.24 }
 */
export function priceOf(
  overrides: Readonly<Record<string, Price>> = {},
): (model: string) => Price | undefined {
  return (model) =>
    overrides[model] ?? overrides[priceName(model)] ?? BUILT_IN_PRICES[priceName(model)];
}

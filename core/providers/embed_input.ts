/**
 * Checks every embedding provider makes before its upstream call, with the 400s they raise:
 * token arrays where the upstream takes only text, a text over the model's limit (`input[i]`),
 * and `dimensions` the model does not produce.
 */
import { GatewayError } from "../errors.ts";
import type { EmbedInput } from "./provider.ts";

/**
 * The texts of `input`; token arrays are a 400 naming `input` (only OpenAI-compatible upstreams
 * take them).
 *
 * @example
 * textsOf({ texts: ["a"] }, "amazon.titan-embed-text-v2:0"); // ["a"]
 */
export function textsOf(input: EmbedInput, model: string): string[] {
  if ("texts" in input) return input.texts;
  throw new GatewayError(
    "invalid_request",
    `The model '${model}' takes text input only; token arrays are for OpenAI-compatible models.`,
    { code: "invalid_value", param: "input" },
  );
}

/**
 * Throws a 400 naming `input[i]` for the first text longer than `maxChars` characters.
 *
 * @example
 * checkTextLengths(["ok", "x".repeat(3000)], 2048, "cohere.embed-english-v3"); // throws, param input[1]
 */
export function checkTextLengths(texts: readonly string[], maxChars: number, model: string): void {
  const index = texts.findIndex((t) => t.length > maxChars);
  if (index === -1) return;
  throw new GatewayError(
    "invalid_request",
    `input[${index}] has ${
      texts[index].length
    } characters; the model '${model}' takes at most ${maxChars} per input.`,
    { code: "invalid_value", param: `input[${index}]` },
  );
}

/**
 * Throws a 400 naming `dimensions` when `dimensions` is given and not one of `allowed`.
 *
 * @example
 * checkDimensions(512, [256, 512, 1024], "amazon.titan-embed-text-v2:0"); // ok
 */
export function checkDimensions(
  dimensions: number | undefined,
  allowed: readonly number[],
  model: string,
): void {
  if (dimensions === undefined || allowed.includes(dimensions)) return;
  throw new GatewayError(
    "invalid_request",
    `The model '${model}' does not produce ${dimensions} dimensions; supported: ${
      allowed.join(", ")
    }.`,
    { code: "invalid_value", param: "dimensions" },
  );
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, results in input order; the
 * first failure rejects (calls not yet started are not made).
 *
 * @example
 * await mapBounded([1, 2, 3], 2, async (n) => n * 2); // [2, 4, 6]
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Anthropic-style `cache_control` markers (on content parts, messages and tools, kept by the
 * loose canonical schema) → Converse `cachePoint` blocks placed after the marked item.
 */
import type { ConverseCachePoint } from "./wire.ts";

/**
 * The cache point for an item carrying `cache_control: {type: "ephemeral", ttl?}`, or undefined.
 * A `ttl` of `5m` or `1h` is kept; other values are ignored.
 *
 * @example
 * cachePointOf({ type: "text", text: "long", cache_control: { type: "ephemeral" } });
 * // { type: "default" }
 */
export function cachePointOf(
  item: { readonly [k: string]: unknown },
): ConverseCachePoint | undefined {
  const control = item.cache_control;
  if (typeof control !== "object" || control === null) return undefined;
  const ttl = "ttl" in control ? control.ttl : undefined;
  return ttl === "5m" || ttl === "1h" ? { type: "default", ttl } : { type: "default" };
}

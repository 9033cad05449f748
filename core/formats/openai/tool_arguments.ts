/**
 * Canonical tool-call `arguments` (a JSON string) read as an object.
 */

/**
 * Tool-call `arguments` → a `toolUse.input` object; empty, invalid or non-object JSON → `{}`.
 *
 * @example
 * parseToolArguments('{"city":"Paris"}'); // { city: "Paris" }
 * parseToolArguments(""); // {}
 */
export function parseToolArguments(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    return isPlainObject(value) ? value : {};
  } catch {
    return {};
  }
}

/** True for a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Model allowlists: globs matched against the model id a client asked for (an alias name or a
 * model id, as sent). `*` matches any run of characters (`/` included), `?` exactly one; every
 * other character matches itself, case-sensitively.
 */

/** Escapes a regular expression's special characters. */
const escape = (text: string) => text.replace(/[.+^${}()|[\]\\]/g, "\\$&");

/**
 * Compiles one glob into a predicate over model ids.
 *
 * @example
 * compileGlob("gpt-4o*")("gpt-4o-mini"); // true
 * compileGlob("bedrock/*")("bedrock/amazon.titan-text-lite-v1"); // true
 */
export function compileGlob(pattern: string): (model: string) => boolean {
  const source = escape(pattern).replace(/\*/g, ".*").replace(/\?/g, ".");
  const regex = new RegExp(`^${source}$`, "s");
  return (model) => regex.test(model);
}

/**
 * The predicate of an allowlist: a model is allowed when any glob matches it; no list (undefined)
 * allows every model, an empty list none.
 *
 * @example
 * const allows = modelAllowlist(["smart", "gpt-4o*"]); allows("smart"); // true
 */
export function modelAllowlist(globs: readonly string[] | undefined): (model: string) => boolean {
  if (globs === undefined) return () => true;
  const exact = new Set(globs.filter((g) => !/[*?]/.test(g)));
  const patterns = globs.filter((g) => /[*?]/.test(g)).map(compileGlob);
  return (model) => exact.has(model) || patterns.some((matches) => matches(model));
}

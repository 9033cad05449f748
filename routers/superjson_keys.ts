/**
 * The keys superjson refuses to serialise ("prototype pollution risk"): a tRPC answer holding
 * one cannot be sent at all, so procedures that echo client data check for them first and
 * answer a 400 naming the path instead of failing while serialising (a 500).
 */

/** Property names superjson throws on, wherever they appear. */
export const SUPERJSON_RESERVED_KEYS: ReadonlySet<string> = new Set([
  "__proto__",
  "constructor",
  "prototype",
]);

/**
 * The path (`a.b[0].c`) of the first own property superjson would refuse in `value`, or
 * undefined. Walks iteratively, so any nesting depth is safe.
 *
 * @example
 * reservedKeyPath({ tools: [{ constructor: 1 }] }); // "tools[0].constructor"
 * reservedKeyPath({ a: [1, { b: 2 }] }); // undefined
 */
export function reservedKeyPath(value: unknown): string | undefined {
  const stack: Array<[unknown, string]> = [[value, ""]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${path}[${i}]`]);
      continue;
    }
    const keys = Object.keys(node);
    for (const key of keys) {
      if (SUPERJSON_RESERVED_KEYS.has(key)) return path === "" ? key : `${path}.${key}`;
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      stack.push([(node as Record<string, unknown>)[key], path === "" ? key : `${path}.${key}`]);
    }
  }
  return undefined;
}

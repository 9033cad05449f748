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

/** A refused property: its name and its path (`a.b[0].c`). */
export interface ReservedKey {
  key: string;
  path: string;
}

/**
 * The first own property superjson would refuse in `value`, or undefined. Walks iteratively,
 * so any nesting depth is safe.
 *
 * @example
 * findReservedKey({ tools: [{ constructor: 1 }] }); // { key: "constructor", path: "tools[0].constructor" }
 * findReservedKey({ a: [1, { b: 2 }] }); // undefined
 */
export function findReservedKey(value: unknown): ReservedKey | undefined {
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
      if (SUPERJSON_RESERVED_KEYS.has(key)) {
        return { key, path: path === "" ? key : `${path}.${key}` };
      }
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      stack.push([(node as Record<string, unknown>)[key], path === "" ? key : `${path}.${key}`]);
    }
  }
  return undefined;
}

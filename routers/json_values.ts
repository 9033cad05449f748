/**
 * The tRPC transport (superjson) can revive values JSON has no word for — BigInt, Date, Map,
 * Set, RegExp, Error, NaN, Infinity — anywhere in an input, and a loose schema keeps them in
 * unknown fields. Requests forwarded upstream as JSON must hold JSON data only, or serialising
 * them fails later as an upstream error (a 5xx for the client's own input); this finds such a
 * value so the procedure can answer a 400 naming it.
 */

/** A value that is not JSON data: where it is and what it is. */
export interface NonJsonValue {
  path: PropertyKey[];
  /** e.g. `bigint`, `Date`, `NaN`. */
  kind: string;
}

/** What a value is when it is not JSON data (undefined is allowed: JSON leaves it out). */
function nonJsonKind(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : String(value);
    case "object": {
      if (value === null || Array.isArray(value)) return undefined;
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return undefined;
      return Object.prototype.toString.call(value).slice(8, -1);
    }
    default:
      return typeof value;
  }
}

interface Frame {
  value: unknown;
  key: PropertyKey;
  parent: Frame | undefined;
}

function pathOf(frame: Frame): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) path.push(f.key);
  return path.reverse();
}

/**
 * The first value in `value` that is not JSON data (null, booleans, finite numbers, strings,
 * arrays and plain objects), or undefined. Walks iteratively, so any depth is safe.
 *
 * @example
 * findNonJsonValue({ messages: [{ role: "user", content: "hi", n: 1n }] });
 * // { path: ["messages", 0, "n"], kind: "bigint" }
 */
export function findNonJsonValue(value: unknown): NonJsonValue | undefined {
  const stack: Frame[] = [{ value, key: "", parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const node = frame.value;
    const kind = nonJsonKind(node);
    if (kind !== undefined) return { path: pathOf(frame), kind };
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        stack.push({ value: node[i], key: i, parent: frame });
      }
    } else {
      const keys = Object.keys(node);
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push({
          value: (node as Record<string, unknown>)[keys[i]],
          key: keys[i],
          parent: frame,
        });
      }
    }
  }
  return undefined;
}

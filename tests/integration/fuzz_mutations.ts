/**
 * Mutations for the fuzz test: structural ones on a body's value (wrong types, nulls, odd values,
 * deletions, unknown and prototype-named fields, deep nesting, empty containers, long arrays) and
 * textual ones on its JSON (duplicate keys, truncation, inserted bytes, BOM, trailing garbage,
 * non-UTF-8 bytes). Nesting stays within {@link MAX_DEPTH}.
 *
 * @example
 * fc.sample(wireBody(), 1); // [{ text: '{"model":"mock-echo","messages":[[[…]]]}' }]
 */
import fc from "fast-check";
import { shapedBody } from "./fuzz_bodies.ts";
import { MAX_DEPTH, nest, oddString, oddValue } from "./fuzz_values.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

// ---------------------------------------------------------------- structural mutations

type Op =
  | "replace"
  | "delete"
  | "unknown"
  | "proto"
  | "deep"
  | "empty"
  | "wrap"
  | "stringify"
  | "restring"
  | "deepUnknown"
  | "repeat";

interface Mutation {
  at: number;
  op: Op;
  value: unknown;
  key: string;
  /** An odd string (for `restring`). */
  text: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom<Op>(
    "replace",
    "replace",
    "replace",
    "delete",
    "unknown",
    "proto",
    "deep",
    "empty",
    "wrap",
    "stringify",
  ),
  value: oddValue,
  key: fc.oneof(
    fc.string({ maxLength: 6 }),
    fc.constantFrom("__proto__", "constructor", "prototype", "model", "messages", "stream", "type"),
  ),
  text: oddString,
});

/** Mutations that keep a body's types: odd strings, unknown and prototype-named fields. */
const benignMutation: fc.Arbitrary<Mutation> = fc.tuple(
  mutation,
  fc.constantFrom<Op>("restring", "restring", "unknown", "proto", "deepUnknown", "repeat"),
).map(([m, op]) => ({ ...m, op }));

/** Prototype-ish property names (own properties, as JSON.parse makes them). */
const PROTO_KEYS = ["__proto__", "constructor", "prototype"];

/** Every container in `value` with the keys it holds: [container, key] pairs. */
function slots(value: unknown, out: Array<[Json, string | number, number]> = [], depth = 0) {
  if (depth > 30 || typeof value !== "object" || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([value, i, depth]);
      slots(item, out, depth + 1);
    });
  } else {
    for (const key of Object.keys(value)) {
      out.push([value, key, depth]);
      slots((value as Json)[key], out, depth + 1);
    }
  }
  return out;
}

/** Sets an own property, even `__proto__`, as JSON.parse would. */
function defineOwn(target: Json, key: string | number, value: unknown) {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Applies mutations to a deep copy of `body`. */
export function mutate(body: unknown, mutations: Mutation[]): unknown {
  let root = { root: structuredClone(body) };
  for (const m of mutations) {
    const before = structuredClone(root);
    apply(root, m);
    if (depthOf(root.root) > MAX_DEPTH) root = before;
  }
  return root.root;
}

/** How deeply `value` nests (a scalar is 0). */
export function depthOf(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let max = 0;
  for (const item of Object.values(value)) max = Math.max(max, depthOf(item));
  return max + 1;
}

function apply(root: { root: unknown }, m: Mutation): void {
  {
    const all = slots(root);
    const [container, key, depth] = all[m.at % all.length];
    const current = container[key];
    // Generated constants are shared instances: copy before inserting (no cycles, no leaks).
    const value = structuredClone(m.value);
    switch (m.op) {
      case "replace":
        defineOwn(container, key, value);
        break;
      case "delete":
        if (Array.isArray(container)) container.splice(key as number, 1);
        else if (container !== root) delete container[key];
        break;
      case "unknown":
      case "proto":
        if (typeof current === "object" && current !== null && !Array.isArray(current)) {
          defineOwn(
            current,
            m.op === "proto" ? PROTO_KEYS[m.at % PROTO_KEYS.length] : m.key,
            value,
          );
        } else defineOwn(container, key, value);
        break;
      case "deep":
        defineOwn(container, key, nest(current, 1 + (m.at % MAX_DEPTH), "mixed"));
        break;
      case "empty":
        defineOwn(container, key, Array.isArray(current) ? [] : m.at % 2 === 0 ? {} : []);
        break;
      case "wrap":
        defineOwn(container, key, [current]);
        break;
      case "restring":
        // Same type, odd content: a string leaf becomes an odd string (else an unknown field).
        if (typeof current === "string") defineOwn(container, key, m.text);
        else if (typeof current === "object" && current !== null && !Array.isArray(current)) {
          defineOwn(current, m.key, value);
        }
        break;
      case "deepUnknown": {
        // A deeply nested value under an unknown key of a (loose) object: still a valid body.
        const target = typeof current === "object" && current !== null && !Array.isArray(current)
          ? current
          : container;
        const room = Math.max(1, MAX_DEPTH - depth - 3);
        defineOwn(target, m.key, nest(m.text, 1 + (m.at % room), "mixed"));
        break;
      }
      case "repeat":
        // Many copies of an array's items (long conversations, many tools, many parts).
        if (Array.isArray(current) && current.length > 0) {
          const length = 50 + (m.at % 450);
          defineOwn(
            container,
            key,
            Array.from({ length }, (_, i) => structuredClone(current[i % current.length])),
          );
        }
        break;
      case "stringify":
        defineOwn(container, key, JSON.stringify(current) ?? "undefined");
        break;
      default: {
        const unreachable: never = m.op;
        throw new Error(`unknown op ${unreachable}`);
      }
    }
  }
}

/** A mutated valid-shaped body. */
export const mutatedBody = (base: fc.Arbitrary<Json> = shapedBody): fc.Arbitrary<unknown> =>
  fc.tuple(base, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([b, ms]) =>
    mutate(b, ms)
  );

/** Any value as a body: shaped, mutated, or arbitrary JSON / odd values. */
export const anyBody = (base: fc.Arbitrary<Json> = shapedBody): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: base },
    { weight: 3, arbitrary: benignBody(base) },
    { weight: 4, arbitrary: mutatedBody(base) },
    { weight: 1, arbitrary: oddValue },
  );

/** A valid-shaped body with type-keeping mutations (most still validate and reach a provider). */
export const benignBody = (base: fc.Arbitrary<Json> = shapedBody): fc.Arbitrary<unknown> =>
  fc.tuple(base, fc.array(benignMutation, { minLength: 1, maxLength: 3 })).map(([b, ms]) =>
    mutate(b, ms)
  );

// ---------------------------------------------------------------- text mutations

/** What goes on the wire: JSON text, or raw bytes for non-UTF-8 bodies. */
export interface WireBody {
  text: string;
  /** When set, sent instead of `text` (non-JSON bytes). */
  bytes?: Uint8Array<ArrayBuffer>;
}

type TextOp =
  | "none"
  | "dupKey"
  | "dupKeyEnd"
  | "truncate"
  | "garbage"
  | "bom"
  | "trailing"
  | "bytes";

/** A mutation of a body's JSON text. */
export interface TextMutation {
  op: TextOp;
  at: number;
  key: string;
  value: unknown;
  bytes: Uint8Array;
}

const textMutation: fc.Arbitrary<TextMutation> = fc.record({
  op: fc.oneof(
    { weight: 12, arbitrary: fc.constant<TextOp>("none") },
    {
      weight: 1,
      arbitrary: fc.constantFrom<TextOp>(
        "dupKey",
        "dupKeyEnd",
        "truncate",
        "garbage",
        "bom",
        "trailing",
        "bytes",
      ),
    },
  ),
  at: fc.nat(),
  key: fc.constantFrom(
    "model",
    "messages",
    "stream",
    "__proto__",
    "anthropic_version",
    "inputText",
  ),
  value: oddValue,
  bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
});

/** Serialises `value` and maybe mutates its text (duplicate keys, truncation, bytes). */
export function toWire(value: unknown, m: TextMutation): WireBody {
  const json = JSON.stringify(value) ?? "null";
  const extra = `${JSON.stringify(m.key)}:${JSON.stringify(m.value) ?? "null"}`;
  switch (m.op) {
    case "none":
      return { text: json };
    case "dupKey":
      return { text: json.startsWith("{") ? `{${extra},${json.slice(1)}` : json };
    case "dupKeyEnd":
      return {
        text: json.endsWith("}") && json !== "{}" ? `${json.slice(0, -1)},${extra}}` : json,
      };
    case "truncate":
      return { text: json.slice(0, m.at % Math.max(1, json.length)) };
    case "garbage": {
      const at = m.at % (json.length + 1);
      return { text: json.slice(0, at) + String.fromCharCode(...m.bytes) + json.slice(at) };
    }
    case "bom":
      return { text: `\ufeff${json}` };
    case "trailing":
      return { text: `${json}${["}", ",", " x", "\u0000", "]"][m.at % 5]}` };
    case "bytes": {
      const head = new TextEncoder().encode(json.slice(0, m.at % (json.length + 1)));
      const bytes = new Uint8Array(head.length + m.bytes.length);
      bytes.set(head);
      bytes.set(m.bytes, head.length);
      return { text: json, bytes };
    }
    default: {
      const unreachable: never = m.op;
      throw new Error(`unknown text op ${unreachable}`);
    }
  }
}

/** A body on the wire: any body, serialised and maybe mutated as text. */
export const wireBody = (base?: fc.Arbitrary<Json>): fc.Arbitrary<WireBody> =>
  fc.tuple(anyBody(base), textMutation).map(([value, m]) => toWire(value, m));

/** Mutations of JSON text, for routes that wrap bodies (tRPC inputs). */
export const textMutationArb: fc.Arbitrary<TextMutation> = textMutation;

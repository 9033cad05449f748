/**
 * Odd values and model ids for the fuzz test's generators: NaN-like strings, huge and boundary
 * numbers, unicode oddities (lone surrogates, controls, RTL marks), deep nesting, prototype-named
 * keys, and model ids of every provider (plus odd ones behind each routing prefix).
 *
 * @example
 * fc.sample(oddValue, 3); // e.g. [null, "\ud800", [[[[1]]]]]
 */
import fc from "fast-check";

/** Nesting never deeper than this (the edge depth limit for deeper bodies is tested elsewhere). */
export const MAX_DEPTH = 190;

/** Model ids by where they route. */
export const MODELS = {
  mock: ["mock-echo"],
  openai: ["gpt-4o-mini", "openai/gpt-fuzz"],
  converse: [
    "amazon.nova-lite-v1:0",
    "meta.llama3-8b-instruct-v1:0",
    "mistral.mistral-large-2402-v1:0",
  ],
  claude: ["us.anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"],
  titan: ["amazon.titan-text-express-v1"],
  unknown: ["nope-model", "mock-unknown"],
} as const;

// ---------------------------------------------------------------- odd values

const nanLike = fc.constantFrom(
  "NaN",
  "Infinity",
  "-Infinity",
  "1e309",
  "-0",
  "0x1F",
  "null",
  "undefined",
  "true",
  "",
  " ",
  "[]",
  "{}",
  "%00",
);

const hugeNumber = fc.constantFrom(
  1e308,
  -1e308,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  Number.MAX_SAFE_INTEGER,
  2 ** 31,
  -(2 ** 31) - 1,
  4294967296,
  5e-324,
  -0,
  0,
  0.5,
  1.5,
  -1,
  1e21,
);

/** Strings a converter may trip on: lone surrogates, controls, RTL marks, emoji, long ones. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom(
    "\ud800",
    "\udfff",
    "a\ud83d",
    "\u0000",
    "\u202e\u202d",
    "👩‍👩‍👧‍👦",
    "\ufeff",
    "\u{10ffff}",
    "Ω≈ç√∫",
    "__proto__",
    "constructor",
    "toString",
    "data:image/png;base64,!!!",
    "data:;base64,",
    "http://127.0.0.1/x.png",
    "file:///etc/passwd",
    "x".repeat(5000),
  ),
);

/** Model ids: routable ones of every provider, unknown ones, and odd ones behind each prefix. */
export const model: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...MODELS.mock) },
  { weight: 2, arbitrary: fc.constantFrom(...MODELS.openai) },
  { weight: 2, arbitrary: fc.constantFrom(...MODELS.converse) },
  { weight: 2, arbitrary: fc.constantFrom(...MODELS.claude) },
  { weight: 1, arbitrary: fc.constantFrom(...MODELS.titan) },
  { weight: 1, arbitrary: fc.constantFrom(...MODELS.unknown) },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constantFrom(
        "bedrock/",
        "openai/",
        "anthropic.",
        "amazon.titan-",
        "us.anthropic.",
        "mock-",
        "gpt-",
        "arn:aws:bedrock:us-east-1::foundation-model/",
        "",
      ),
      fc.oneof(
        oddString,
        fc.constantFrom("\ud800", "a\ud83d", "\udfff-v1:0"),
        fc.constantFrom("../x", "a/b?c#d", "%2F", " ", "\\", "a:b:c"),
      ),
    ).map(([prefix, rest]) => prefix + rest),
  },
);

/** Nests `inner` `depth` levels deep in arrays or objects. */
export function nest(inner: unknown, depth: number, kind: "array" | "object" | "mixed"): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) {
    const asArray = kind === "array" || (kind === "mixed" && i % 2 === 0);
    value = asArray ? [value] : { a: value };
  }
  return value;
}

const deep = fc.record({
  depth: fc.integer({ min: 1, max: MAX_DEPTH }),
  kind: fc.constantFrom("array" as const, "object" as const, "mixed" as const),
  inner: fc.oneof(fc.constant(null), fc.integer(), oddString),
}).map(({ depth, kind, inner }) => nest(inner, depth, kind));

/** An object with own prototype-ish keys (as JSON.parse would make them). */
const protoObject = fc.record({
  key: fc.constantFrom("__proto__", "constructor", "prototype", "hasOwnProperty", "toJSON"),
  value: fc.oneof(fc.constant({ polluted: true }), fc.constant(null), fc.string(), fc.integer()),
}).map(({ key, value }) => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}}`));

/** Values of the wrong type (or odd values of the right one) for any field. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  nanLike,
  hugeNumber,
  oddString,
  fc.constant([]),
  fc.constant({}),
  fc.constant([null]),
  fc.constant([[]]),
  protoObject,
  deep,
  fc.jsonValue({ maxDepth: 3 }),
);

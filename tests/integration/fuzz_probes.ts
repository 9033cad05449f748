/**
 * The fuzz test's probe generators, one per JSON route: chat completions (every
 * `target_format`), messages, responses, embeddings, count_tokens, and the tRPC procedures and batches (superjson-revived values and
 * malformed percent-escapes included).
 */
import fc from "fast-check";
import { embeddingsBody, responsesBody } from "./fuzz_api_bodies.ts";
import { messagesApiBody, openaiBody } from "./fuzz_bodies.ts";
import type { Probe } from "./fuzz_checks.ts";
import { anyBody, textMutationArb, toWire, wireBody } from "./fuzz_mutations.ts";

export const chatProbe: fc.Arbitrary<Probe> = fc.tuple(
  wireBody(),
  fc.constantFrom(
    "",
    "?target_format=openai",
    "?target_format=bedrock_claude",
    "?target_format=bedrock_titan",
    "?target_format=nope",
  ),
).map(([body, query]) => ({
  method: "POST",
  path: `/v1/chat/completions${query}`,
  body,
  envelope: "chat",
}));

export const messagesProbe: fc.Arbitrary<Probe> = wireBody(messagesApiBody).map((body) => ({
  method: "POST",
  path: "/v1/messages",
  body,
  envelope: "anthropic",
}));

export const responsesProbe: fc.Arbitrary<Probe> = wireBody(responsesBody).map((body) => ({
  method: "POST",
  path: "/v1/responses",
  body,
  envelope: "chat",
}));

export const embeddingsProbe: fc.Arbitrary<Probe> = wireBody(embeddingsBody).map((body) => ({
  method: "POST",
  path: "/v1/embeddings",
  body,
  envelope: "chat",
}));

/** A Messages body, mostly without `max_tokens` (count_tokens does not need it). */
const countTokensBody = fc.tuple(messagesApiBody, fc.boolean()).map(([body, keep]) => {
  if (!keep) delete body.max_tokens;
  delete body.stream;
  return body;
});

export const countTokensProbe: fc.Arbitrary<Probe> = wireBody(countTokensBody).map((body) => ({
  method: "POST",
  path: "/v1/messages/count_tokens",
  body,
  envelope: "anthropic",
}));

/** superjson annotations reviving a JSON value as something JSON has no word for. */
const REVIVALS: Array<[unknown, string]> = [
  ["12345678901234567890", "bigint"],
  ["-1", "bigint"],
  ["0", "bigint"],
  ["2020-01-01T00:00:00.000Z", "Date"],
  [[1, 2], "set"],
  [[["a", 1]], "map"],
  ["/a+/g", "regexp"],
  ["NaN", "number"],
  ["-Infinity", "number"],
];

/**
 * Puts a revivable value in an unknown field `fz` (of the body, or of its first message) and
 * returns the superjson `meta` that revives it.
 */
function revive(input: unknown, pick: number): unknown {
  const isObj = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(input)) return undefined;
  const [value, kind] = REVIVALS[pick % REVIVALS.length];
  let prefix = "";
  let target = input;
  if (isObj(input.body)) [prefix, target] = ["body.", input.body];
  const messages = target.messages;
  if (pick % 2 === 1 && Array.isArray(messages) && isObj(messages[0])) {
    [prefix, target] = [`${prefix}messages.0.`, messages[0]];
  }
  target.fz = value;
  return { values: { [`${prefix}fz`]: [kind] } };
}

/**
 * A superjson tRPC input (`{json: input}`, sometimes with an odd `meta` or one reviving a
 * BigInt, Date, Set, Map, RegExp or NaN in an unknown field), maybe text-mutated.
 */
const trpcInput = (input: fc.Arbitrary<unknown>) =>
  fc.tuple(
    input,
    fc.option(
      fc.oneof(
        fc.constant({ values: { "json.body": ["undefined"] } }),
        fc.constant({ values: { body: [["custom", "nope"]] } }),
        fc.constant({ values: ["Date"] }),
        fc.constant({ referentialEqualities: { body: ["body.model"] } }),
        fc.jsonValue({ maxDepth: 2 }),
        { weight: 5, arbitrary: fc.nat().map((pick) => ({ revive: pick })) },
      ),
      { freq: 4 },
    ),
    fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, {
      weight: 1,
      arbitrary: fc.constant(false),
    }),
    textMutationArb,
  ).map(([value, meta, wrapped, m]) => {
    if (isRevival(meta)) meta = revive(value, meta.revive) ?? null;
    return toWire(wrapped ? (meta === null ? { json: value } : { json: value, meta }) : value, m);
  });

const isRevival = (meta: unknown): meta is { revive: number } =>
  typeof meta === "object" && meta !== null && "revive" in meta;

const formatName = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("openai", "bedrock_claude", "bedrock_titan") },
  { weight: 1, arbitrary: fc.constantFrom("nope", null, 1, "") },
);

const convertInput = fc.record({ body: anyBody(), to: formatName }, { requiredKeys: ["body"] });
const detectInput = fc.oneof(
  { weight: 6, arbitrary: fc.record({ body: anyBody() }) },
  { weight: 1, arbitrary: anyBody() },
);

export const trpcCompleteProbe: fc.Arbitrary<Probe> = trpcInput(anyBody(openaiBody)).map((
  body,
) => ({
  method: "POST",
  path: "/trpc/chat.complete",
  body,
  envelope: "trpc",
}));

/** `chat.stream` as `httpBatchStreamLink` calls it: a batch of one, JSON lines asked for. */
export const trpcStreamProbe: fc.Arbitrary<Probe> = trpcInput(anyBody(openaiBody)).map((
  body,
) => ({
  method: "POST",
  path: "/trpc/chat.stream?batch=1",
  body: { text: `{"0":${body.text}}` },
  headers: { "trpc-accept": "application/jsonl" },
  envelope: "trpc-stream",
}));

export const trpcConvertProbe: fc.Arbitrary<Probe> = trpcInput(convertInput).map((body) => ({
  method: "POST",
  path: "/trpc/formats.convert",
  body,
  envelope: "trpc",
}));

/** The text percent-encoded for a URL (truncation may have split a surrogate pair). */
const queryValue = (text: string) => encodeURIComponent(text.toWellFormed());

/** Queries whose `input` has malformed percent-escapes (invalid UTF-8, a bare `%`). */
const badEscapeProbe: fc.Arbitrary<Probe> = fc.tuple(
  trpcInput(detectInput),
  fc.constantFrom("%FF", "%E0%A4", "%", "%zz", "%C0%AF", "%ED%A0%80"),
  fc.nat(),
).map(([body, escape, at]) => {
  const encoded = queryValue(body.text);
  const cut = at % (encoded.length + 1);
  return {
    method: "GET",
    path: `/trpc/formats.detect?input=${encoded.slice(0, cut)}${escape}${encoded.slice(cut)}`,
    envelope: "trpc",
  };
});

export const trpcDetectProbe: fc.Arbitrary<Probe> = fc.oneof(
  {
    weight: 9,
    arbitrary: trpcInput(detectInput).map((body): Probe => ({
      method: "GET",
      path: `/trpc/formats.detect?input=${queryValue(body.text)}`,
      envelope: "trpc",
    })),
  },
  { weight: 1, arbitrary: badEscapeProbe },
);

/** Batches: mutations over POST, queries over GET, and mixed ones (a 405 per wrong item). */
export const trpcBatchProbe: fc.Arbitrary<Probe> = fc.oneof(
  fc.tuple(trpcInput(anyBody(openaiBody)), trpcInput(convertInput)).map(([a, b]) => ({
    method: "POST" as const,
    path: "/trpc/chat.complete,formats.convert?batch=1",
    body: { text: `{"0":${a.text},"1":${b.text}}` },
    envelope: "trpc-batch" as const,
  })),
  fc.tuple(trpcInput(detectInput), trpcInput(detectInput)).map(([a, b]) => ({
    method: "GET" as const,
    path: `/trpc/formats.detect,formats.detect?batch=1&input=${
      queryValue(`{"0":${a.text},"1":${b.text}}`)
    }`,
    envelope: "trpc-batch" as const,
  })),
  fc.tuple(trpcInput(convertInput), trpcInput(detectInput)).map(([a, b]) => ({
    method: "POST" as const,
    path: "/trpc/formats.convert,formats.detect,health?batch=1",
    body: { text: `{"0":${a.text},"1":${b.text}}` },
    envelope: "trpc-batch" as const,
  })),
  wireBody().map((body) => ({
    method: "POST" as const,
    path: "/trpc/chat.complete,formats.convert?batch=1",
    body,
    envelope: "trpc-batch" as const,
  })),
);

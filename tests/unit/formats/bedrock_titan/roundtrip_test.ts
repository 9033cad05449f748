/**
 * Titan round trips for what Titan represents: text conversations (system text, alternating user
 * and assistant turns, trimmed, no `User:` / `Bot:` at a line start inside a turn) and the
 * generation parameters; a transcript `inputText` survives Titan → canonical → Titan.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { openaiToTitanRequest } from "../../../../core/formats/bedrock_titan/from_canonical.ts";
import { titanToOpenAIRequest } from "../../../../core/formats/bedrock_titan/to_canonical.ts";
import { titanRequestSchema } from "../../../../core/formats/bedrock_titan/schema.ts";
import { chatRequestSchema } from "../../../../core/formats/openai/schema.ts";

/** Trimmed, non-empty text that no line of which starts with a turn label. */
const turnText = fc.string({ minLength: 1 }).map((s) => s.trim()).filter((s) =>
  s !== "" && !/^(User|Bot):/m.test(s)
);

const conversation = fc.record({
  system: fc.option(turnText, { nil: undefined }),
  turns: fc.array(fc.tuple(turnText, turnText), { minLength: 1, maxLength: 4 }),
  last: turnText,
  prefill: fc.option(turnText, { nil: undefined }),
}).map(({ system, turns, last, prefill }) => [
  ...(system !== undefined ? [{ role: "system", content: system }] : []),
  ...turns.flatMap(([u, a]) => [
    { role: "user", content: u },
    { role: "assistant", content: a },
  ]),
  { role: "user", content: last },
  ...(prefill !== undefined ? [{ role: "assistant", content: prefill }] : []),
]);

const params = fc.record({
  max_tokens: fc.option(fc.integer({ min: 1, max: 8192 }), { nil: undefined }),
  temperature: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  top_p: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
  stop: fc.option(fc.array(fc.string(), { maxLength: 4 }), { nil: undefined }),
  stream: fc.option(fc.constant(false), { nil: undefined }),
});

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

Deno.test("property: OpenAI → Titan → OpenAI keeps text conversations and parameters", () => {
  fc.assert(
    fc.property(conversation, params, (messages, p) => {
      const request = chatRequestSchema.parse({ model: "amazon.titan", messages, ...defined(p) });
      const titan = titanRequestSchema.parse(openaiToTitanRequest(request));
      assert.deepStrictEqual(titanToOpenAIRequest(titan), request);
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: a single user message is sent verbatim and comes back unchanged", () => {
  fc.assert(
    fc.property(fc.string().filter((s) => !/^User:/m.test(s)), (text) => {
      const request = chatRequestSchema.parse({
        model: "m",
        messages: [{ role: "user", content: text }],
      });
      const titan = openaiToTitanRequest(request);
      assert.equal(titan.inputText, text);
      assert.deepStrictEqual(titanToOpenAIRequest(titan), request);
    }),
  );
});

Deno.test("Titan → OpenAI → Titan keeps a normalized transcript and the config", () => {
  const body = {
    model: "amazon.titan-text-premier-v1:0",
    inputText: "You answer in French.\n\nUser: Hi\nBot: Bonjour\nUser: How are you?\nBot:",
    textGenerationConfig: { maxTokenCount: 64, temperature: 0, topP: 1, stopSequences: ["User:"] },
  };
  const request = titanRequestSchema.parse(body);
  assert.deepStrictEqual(openaiToTitanRequest(titanToOpenAIRequest(request)), body);
});

/**
 * Property: any canonical chunk sequence (text, reasoning, signatures, tool calls split in
 * fragments; usage with or after the finish chunk) encodes to a valid Anthropic stream that
 * decodes back to the same content, reasoning, tool arguments, finish reason and usage.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ClaudeStreamDecoder } from "../../../../core/formats/bedrock_claude/stream_decoder.ts";
import { ClaudeStreamEncoder } from "../../../../core/formats/bedrock_claude/stream_encoder.ts";
import type { ChatCompletionChunk } from "../../../../core/formats/openai/schema.ts";
import { checkAnthropicStream } from "../../../helpers/anthropic_stream_checker.ts";

const key = fc.stringMatching(/^[a-z][a-z_]{0,7}$/);
const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
const jsonObject = fc.dictionary(key, scalar, { maxKeys: 4 });
const toolName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/);

type Step =
  | { kind: "text"; text: string }
  | { kind: "reasoning"; text: string }
  | { kind: "signature"; text: string }
  | { kind: "tool"; name: string; args: string[] };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.string({ minLength: 1 }).map((t) => ({ kind: "text" as const, text: t })),
  fc.string({ minLength: 1 }).map((t) => ({ kind: "reasoning" as const, text: t })),
  fc.string({ minLength: 1 }).map((t) => ({ kind: "signature" as const, text: t })),
  fc.tuple(toolName, jsonObject, fc.integer({ min: 1, max: 4 })).map(([name, input, parts]) => {
    const json = JSON.stringify(input);
    const size = Math.ceil(json.length / parts);
    const args = Array.from({ length: parts }, (_, k) => json.slice(k * size, (k + 1) * size));
    return { kind: "tool" as const, name, args };
  }),
);

function chunksOf(steps: Step[], finish: "stop" | "length" | "tool_calls", usageLast: boolean) {
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
    ({
      id: "c",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    }) as ChatCompletionChunk;
  const out: ChatCompletionChunk[] = [chunk({ role: "assistant", content: "" })];
  let tools = 0;
  for (const s of steps) {
    if (s.kind === "text") out.push(chunk({ content: s.text }));
    if (s.kind === "reasoning") out.push(chunk({ reasoning_content: s.text }));
    if (s.kind === "signature") out.push(chunk({ reasoning_signature: s.text }));
    if (s.kind === "tool") {
      const index = tools++;
      out.push(chunk({
        tool_calls: [{
          index,
          id: `call_${index}`,
          type: "function",
          function: { name: s.name, arguments: "" },
        }],
      }));
      for (const a of s.args) {
        out.push(chunk({ tool_calls: [{ index, function: { arguments: a } }] }));
      }
    }
  }
  const usage = { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 };
  out.push(usageLast ? chunk({}, finish) : { ...chunk({}, finish), usage });
  if (usageLast) out.push({ ...chunk({}), choices: [], usage });
  return out;
}

const fold = (chunks: ChatCompletionChunk[]) => {
  let content = "";
  let reasoning = "";
  const calls: string[] = [];
  for (const c of chunks) {
    const d = c.choices[0]?.delta;
    if (d === undefined) continue;
    content += d.content ?? "";
    reasoning += d.reasoning_content ?? "";
    for (const call of d.tool_calls ?? []) {
      calls[call.index] = (calls[call.index] ?? "") + (call.function?.arguments ?? "");
    }
  }
  return { content, reasoning, calls };
};

Deno.test("property: any chunk sequence encodes to a valid Anthropic stream and decodes back", () => {
  fc.assert(
    fc.property(
      fc.array(step, { maxLength: 8 }),
      fc.constantFrom("stop" as const, "length" as const, "tool_calls" as const),
      fc.boolean(),
      (steps, finish, usageLast) => {
        const chunks = chunksOf(steps, finish, usageLast);
        const encoder = new ClaudeStreamEncoder({ id: "msg_p", model: "m" });
        const events = [...chunks.flatMap((c) => encoder.push(c)), ...encoder.end()];
        const summary = checkAnthropicStream(events);
        assert.deepStrictEqual(summary.usage, { output_tokens: 7, input_tokens: 5 });
        const decoder = new ClaudeStreamDecoder({ id: "c", created: 0, model: "m" });
        const back = events.flatMap((e) => decoder.push(e));
        decoder.end();
        const before = fold(chunks);
        const after = fold(back);
        assert.equal(after.content, before.content);
        assert.equal(after.reasoning, before.reasoning);
        assert.deepStrictEqual(after.calls, before.calls);
        assert.equal(back.at(-2)?.choices[0].finish_reason, finish);
      },
    ),
    { numRuns: 300 },
  );
});

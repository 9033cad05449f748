import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import type { ChatCompletionChunk, ChatRequest } from "../../../core/formats/openai/schema.ts";
import {
  createMockProvider,
  MOCK_SLOW_WORD_MS,
  wordPieces,
} from "../../../core/providers/mock/mock_provider.ts";

const ctx = {
  signal: new AbortController().signal,
  now: () => new Date(1_000_000),
  newId: (prefix: string) => `${prefix}fixed`,
};

const request: ChatRequest = {
  model: "mock-echo",
  messages: [
    { role: "system", content: "one two" },
    { role: "user", content: "first" },
    {
      role: "user",
      content: [{ type: "text", text: "hello  big" }, { type: "text", text: "world" }],
    },
  ],
};

Deno.test("mock-echo answers with the last user message and counts words", async () => {
  const response = await createMockProvider().complete(request, ctx);
  assert.equal(response.id, "chatcmpl-fixed");
  assert.equal(response.created, 1000);
  assert.equal(response.choices[0].message.content, "hello  big\nworld");
  assert.equal(response.choices[0].finish_reason, "stop");
  assert.deepEqual(response.usage, { prompt_tokens: 6, completion_tokens: 3, total_tokens: 9 });
});

Deno.test("mock-echo streams word by word, then finish, then usage", async () => {
  const chunks: ChatCompletionChunk[] = [];
  for await (const c of createMockProvider().stream(request, ctx)) chunks.push(c);
  assert.deepEqual(chunks[0].choices[0].delta, { role: "assistant", content: "" });
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
  assert.equal(text, "hello  big\nworld");
  assert.equal(chunks.length, 1 + 3 + 2);
  assert.ok(chunks.every((c) => c.id === "chatcmpl-fixed"));
  assert.equal(chunks.at(-2)!.choices[0].finish_reason, "stop");
  assert.ok(chunks.slice(0, -2).every((c) => c.choices[0].finish_reason === null));
  assert.deepEqual(chunks.at(-1)!.choices, []);
  assert.equal(chunks.at(-1)!.usage!.total_tokens, 9);
});

Deno.test("mock provider rejects unknown mock models and lists mock-echo, mock-slow and mock-embed", async () => {
  const provider = createMockProvider();
  await assert.rejects(provider.complete({ ...request, model: "mock-nope" }, ctx), (e: unknown) => {
    assert.ok(e instanceof GatewayError);
    assert.equal(e.code, "model_not_found");
    return true;
  });
  assert.deepEqual((await provider.listModels()).map((m) => [m.id, m.owned_by]), [
    ["mock-echo", "mock"],
    ["mock-slow", "mock"],
    ["mock-embed", "mock"],
  ]);
});

Deno.test("mock-slow streams one word per MOCK_SLOW_WORD_MS and stops at once on abort", async () => {
  const provider = createMockProvider();
  const abort = new AbortController();
  const started = performance.now();
  const pieces: string[] = [];
  for await (
    const chunk of provider.stream(
      { ...request, model: "mock-slow", messages: [{ role: "user", content: "a b c d e f" }] },
      { ...ctx, signal: abort.signal },
    )
  ) {
    const content = chunk.choices[0]?.delta.content;
    if (content) pieces.push(content);
    if (pieces.length === 2) abort.abort();
  }
  const elapsed = performance.now() - started;
  assert.deepEqual(pieces, ["a ", "b "]);
  assert.ok(elapsed >= 2 * MOCK_SLOW_WORD_MS - 20, `${elapsed} ms`);
  assert.ok(elapsed < 5 * MOCK_SLOW_WORD_MS, `stopped on abort (${elapsed} ms)`);
});

Deno.test("wordPieces concatenates back to the input", () => {
  for (const text of ["", "a", " a b  c ", "x\ny"]) {
    assert.equal([...wordPieces(text)].join(""), text);
  }
  assert.deepEqual([...wordPieces("a b")], ["a ", "b"]);
});

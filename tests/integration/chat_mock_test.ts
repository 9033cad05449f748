/**
 * `POST /v1/chat/completions` against the built-in mock provider: the gateway's job with no
 * credentials at all.
 */
import assert from "node:assert/strict";
import { chatBody, testApp } from "../helpers/app.ts";
import { readDataEvents } from "../helpers/sse.ts";

type Chunk = {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Array<{ index: number; delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: Record<string, number> | null;
};

Deno.test("mock-echo answers a JSON chat.completion with usage", async () => {
  const gw = testApp();
  const res = await gw.post("/v1/chat/completions", chatBody("mock-echo", "say these four words"));
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = await res.json();
  assert.match(body.id, /^chatcmpl-/);
  assert.equal(body.object, "chat.completion");
  assert.equal(body.model, "mock-echo");
  assert.equal(typeof body.created, "number");
  assert.deepEqual(body.choices, [{
    index: 0,
    message: { role: "assistant", content: "say these four words", refusal: null },
    finish_reason: "stop",
    logprobs: null,
  }]);
  assert.deepEqual(body.usage, { prompt_tokens: 4, completion_tokens: 4, total_tokens: 8 });
});

Deno.test("mock-echo streams word by word, OpenAI-style, without usage by default", async () => {
  const gw = testApp();
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("mock-echo", "one two three", { stream: true }),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.equal(res.headers.get("cache-control"), "no-cache");
  const events = await readDataEvents(res);
  assert.equal(events.at(-1), "[DONE]");
  const chunks = events.slice(0, -1) as Chunk[];
  assert.equal(new Set(chunks.map((c) => c.id)).size, 1, "one id across the stream");
  assert.match(chunks[0].id, /^chatcmpl-/);
  for (const c of chunks) {
    assert.equal(c.object, "chat.completion.chunk");
    assert.equal(c.model, "mock-echo");
    assert.equal(c.choices.length, 1, "no usage chunk without include_usage");
  }
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  assert.ok(chunks.slice(1).every((c) => c.choices[0].delta.role === undefined));
  assert.ok(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null));
  assert.equal(chunks.at(-1)!.choices[0].finish_reason, "stop");
  const text = chunks.map((c) => c.choices[0].delta.content ?? "").join("");
  assert.equal(text, "one two three");
  assert.deepEqual(
    chunks.map((c) => c.choices[0].delta.content).filter((t) => t !== undefined && t !== ""),
    ["one ", "two ", "three"],
  );
});

Deno.test("mock-echo stream ends with a choices:[] usage chunk when include_usage", async () => {
  const gw = testApp();
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("mock-echo", "a b", { stream: true, stream_options: { include_usage: true } }),
  );
  const events = await readDataEvents(res);
  assert.equal(events.at(-1), "[DONE]");
  const usageChunk = events.at(-2) as Chunk;
  assert.deepEqual(usageChunk.choices, []);
  assert.deepEqual(usageChunk.usage, { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
  const before = events.slice(0, -2) as Chunk[];
  assert.ok(before.every((c) => c.choices.length === 1));
  assert.equal(before.at(-1)!.choices[0].finish_reason, "stop");
  assert.equal(usageChunk.id, before[0].id);
});

Deno.test("stream_options.include_usage=false gives no usage chunk", async () => {
  const gw = testApp();
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("mock-echo", "a b", { stream: true, stream_options: { include_usage: false } }),
  );
  const events = await readDataEvents(res);
  assert.ok((events.slice(0, -1) as Chunk[]).every((c) => c.choices.length === 1));
});

Deno.test("MOCK_MODELS=false: mock-echo is 404 model_not_found and not listed", async () => {
  const gw = testApp({ MOCK_MODELS: "false" });
  const res = await gw.post("/v1/chat/completions", chatBody("mock-echo"));
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, "model_not_found");
  assert.equal(body.error.type, "invalid_request_error");
  assert.equal(body.error.param, "model");

  const list = await (await gw.get("/v1/models")).json();
  assert.ok(!list.data.some((m: { id: string }) => m.id.startsWith("mock-")));
  assert.equal((await gw.get("/v1/models/mock-echo")).status, 404);

  const health = await (await gw.get("/health")).json();
  assert.equal(health.providers.mock, "disabled");
});

Deno.test("an unknown mock-* model is 404 model_not_found", async () => {
  const gw = testApp();
  const res = await gw.post("/v1/chat/completions", chatBody("mock-nonexistent"));
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, "model_not_found");
});

Deno.test("an unroutable model is 404 model_not_found; DEFAULT_PROVIDER routes it", async () => {
  const gw = testApp();
  const res = await gw.post("/v1/chat/completions", chatBody("llama-local"));
  assert.equal(res.status, 404);
  const body = await res.json();
  assert.equal(body.error.code, "model_not_found");
  assert.match(body.error.message, /llama-local/);

  // Routed to OpenAI by default, which is not configured here.
  const routed = testApp({ DEFAULT_PROVIDER: "openai" });
  const res2 = await routed.post("/v1/chat/completions", chatBody("llama-local"));
  assert.equal(res2.status, 503);
  assert.equal((await res2.json()).error.code, "provider_not_configured");
});

/**
 * `POST /v1/embeddings` in process: `mock-embed` (deterministic unit vectors, dimensions,
 * base64), the OpenAI passthrough against the fake upstream (body forwarded, vectors and usage
 * as sent, base64 both ways), `/v1/models`, tRPC `embeddings.create`, and every bad input as a
 * 400 naming its field with no upstream call and the gateway healthy after.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { decodeFloat32Base64 } from "../../core/embeddings/float32.ts";
import { MOCK_EMBED_DIMENSIONS, mockVector } from "../../core/providers/mock/mock_embed.ts";
import { createGatewayClient } from "../../routers/client.ts";
import { fakeOpenAIVector } from "../fakes/openai_embeddings.ts";
import { startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { ORIGIN, testApp } from "../helpers/app.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const norm = (v: number[]) => Math.hypot(...v);

Deno.test("mock-embed: unit vectors, deterministic, in input order, usage in words", async () => {
  const gw = testApp();
  const res = await gw.post("/v1/embeddings", {
    model: "mock-embed",
    input: ["hello world", "second text here", "hello world"],
  });
  assert.equal(res.status, 200);
  const body: Json = await res.json();
  assert.equal(body.object, "list");
  assert.equal(body.model, "mock-embed");
  assert.deepEqual(body.usage, { prompt_tokens: 7, total_tokens: 7 });
  assert.deepEqual(body.data.map((d: Json) => [d.object, d.index]), [
    ["embedding", 0],
    ["embedding", 1],
    ["embedding", 2],
  ]);
  for (const d of body.data) {
    assert.equal(d.embedding.length, MOCK_EMBED_DIMENSIONS);
    assert.ok(Math.abs(norm(d.embedding) - 1) < 1e-5, "unit length");
  }
  assert.deepEqual(body.data[0].embedding, body.data[2].embedding, "same text, same vector");
  assert.notDeepEqual(body.data[0].embedding, body.data[1].embedding);
  assert.deepEqual(body.data[1].embedding, mockVector("second text here", MOCK_EMBED_DIMENSIONS));
  const log = gw.accessLogs().at(-1)!;
  assert.equal(log.model, "mock-embed");
  assert.equal(log.provider, "mock");
  assert.deepEqual(log.usage, { prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 });
});

Deno.test("mock-embed: dimensions honoured; base64 decodes to the float answer", async () => {
  const gw = testApp();
  const floats: Json = await (await gw.post("/v1/embeddings", {
    model: "mock-embed",
    input: "a string input",
    dimensions: 12,
  })).json();
  assert.equal(floats.data.length, 1);
  assert.equal(floats.data[0].embedding.length, 12);
  const b64: Json = await (await gw.post("/v1/embeddings", {
    model: "mock-embed",
    input: "a string input",
    dimensions: 12,
    encoding_format: "base64",
  })).json();
  assert.equal(typeof b64.data[0].embedding, "string");
  assert.equal(atob(b64.data[0].embedding).length, 12 * 4, "12 float32 values");
  assert.deepEqual(decodeFloat32Base64(b64.data[0].embedding), floats.data[0].embedding);
});

Deno.test("/v1/models lists mock-embed; /v1/models/mock-embed describes it", async () => {
  const gw = testApp();
  const list: Json = await (await gw.get("/v1/models")).json();
  assert.ok(list.data.some((m: Json) => m.id === "mock-embed" && m.owned_by === "mock"));
  const one = await gw.get("/v1/models/mock-embed");
  assert.equal(one.status, 200);
  assert.equal((await one.json()).id, "mock-embed");
});

Deno.test("OpenAI passthrough: body forwarded, vectors and usage as the upstream sent", async (t) => {
  await using fake = await startFakeOpenAI({ requireKey: "sk-up" });
  const gw = testApp({ OPENAI_API_KEY: "sk-up", OPENAI_BASE_URL: fake.url });
  await t.step("floats, dimensions, user and unknown fields reach the upstream", async () => {
    const res = await gw.post("/v1/embeddings", {
      model: "text-embedding-3-small",
      input: ["alpha beta", "gamma"],
      dimensions: 16,
      user: "u-1",
      custom_flag: true,
      input_type: "search_query",
    });
    assert.equal(res.status, 200);
    const body: Json = await res.json();
    const sent = fake.embeddingRequests.at(-1)!;
    assert.equal(sent.path, "/v1/embeddings");
    assert.deepEqual(sent.body, {
      custom_flag: true,
      model: "text-embedding-3-small",
      input: ["alpha beta", "gamma"],
      encoding_format: "float",
      dimensions: 16,
      user: "u-1",
    });
    assert.deepEqual(body.usage, { prompt_tokens: 3, total_tokens: 3 });
    assert.equal(body.model, "text-embedding-3-small");
    assert.deepEqual(body.data[1].embedding, fakeOpenAIVector(JSON.stringify("gamma"), 16));
  });
  await t.step("token arrays pass to OpenAI upstreams", async () => {
    const res = await gw.post("/v1/embeddings", {
      model: "text-embedding-3-large",
      input: [[1, 2, 3], [4, 5]],
    });
    assert.equal(res.status, 200);
    const body: Json = await res.json();
    assert.deepEqual(fake.embeddingRequests.at(-1)!.body, {
      model: "text-embedding-3-large",
      input: [[1, 2, 3], [4, 5]],
      encoding_format: "float",
    });
    assert.equal(body.data[0].embedding.length, 3072);
    assert.deepEqual(body.usage, { prompt_tokens: 5, total_tokens: 5 });
    const single = await gw.post("/v1/embeddings", {
      model: "text-embedding-3-small",
      input: [7, 8],
    });
    assert.equal(single.status, 200);
    assert.deepEqual((fake.embeddingRequests.at(-1)!.body as Json).input, [[7, 8]]);
  });
  await t.step("base64 is asked of the upstream and passed on", async () => {
    const res = await gw.post("/v1/embeddings", {
      model: "text-embedding-3-small",
      input: "x y",
      encoding_format: "base64",
      dimensions: 4,
    });
    const body: Json = await res.json();
    assert.equal((fake.embeddingRequests.at(-1)!.body as Json).encoding_format, "base64");
    assert.deepEqual(
      decodeFloat32Base64(body.data[0].embedding),
      fakeOpenAIVector(JSON.stringify("x y"), 4),
    );
  });
  await t.step("an upstream 400 keeps its param (ada-002 takes no dimensions)", async () => {
    const res = await gw.post("/v1/embeddings", {
      model: "text-embedding-ada-002",
      input: "x",
      dimensions: 8,
    });
    assert.equal(res.status, 400);
    const { error } = await res.json();
    assert.equal(error.param, "dimensions");
    assert.match(error.message, /does not support specifying dimensions/);
  });
});

Deno.test("bad input: 400 naming the field, no upstream call, gateway healthy after", async (t) => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "sk-up", OPENAI_BASE_URL: fake.url });
  const rows: Array<[string, unknown, string | null]> = [
    ["input missing", { model: "mock-embed" }, "input"],
    ["empty string", { model: "mock-embed", input: "" }, "input"],
    ["empty array", { model: "text-embedding-3-small", input: [] }, "input"],
    ["empty string in a list", { model: "text-embedding-3-small", input: ["a", ""] }, "input[1]"],
    ["wrong type: number", { model: "text-embedding-3-small", input: 5 }, "input"],
    ["wrong type: object", { model: "text-embedding-3-small", input: { text: "a" } }, "input"],
    ["wrong type: null", { model: "text-embedding-3-small", input: null }, "input"],
    ["negative token", { model: "text-embedding-3-small", input: [-1] }, "input[0]"],
    ["token arrays to the mock", { model: "mock-embed", input: [[1, 2]] }, "input"],
    [
      "encoding_format",
      { model: "mock-embed", input: "a", encoding_format: "int8" },
      "encoding_format",
    ],
    ["dimensions 0", { model: "text-embedding-3-small", input: "a", dimensions: 0 }, "dimensions"],
    ["dimensions too many", { model: "mock-embed", input: "a", dimensions: 5000 }, "dimensions"],
    ["input_type", { model: "mock-embed", input: "a", input_type: "poetry" }, "input_type"],
    ["over the limit", { model: "mock-embed", input: ["ok", "x".repeat(50_001)] }, "input[1]"],
    ["a chat model", { model: "mock-echo", input: "a" }, "model"],
    ["too many inputs", { model: "text-embedding-3-small", input: Array(2049).fill("a") }, "input"],
  ];
  for (const [name, body, param] of rows) {
    await t.step(name, async () => {
      const res = await gw.post("/v1/embeddings", body);
      assert.equal(res.status, 400, name);
      const { error } = await res.json();
      assert.equal(error.type, "invalid_request_error");
      assert.equal(error.param, param, `${name}: ${error.message}`);
    });
  }
  assert.equal(fake.embeddingRequests.length, 0, "no upstream call");
  const unknown = await gw.post("/v1/embeddings", { model: "nope-model", input: "a" });
  assert.equal(unknown.status, 404);
  const wrongMethod = await gw.get("/v1/embeddings");
  assert.equal(wrongMethod.status, 405);
  const ok = await gw.post("/v1/embeddings", { model: "mock-embed", input: "still fine" });
  assert.equal(ok.status, 200);
  assert.equal((await gw.get("/health")).status, 200);
});

Deno.test("tRPC embeddings.create: typed answer; bad input is BAD_REQUEST with its param", async () => {
  const KEY = "gw-embed-key";
  const gw = testApp({ API_KEY: KEY });
  const client = createGatewayClient({
    url: ORIGIN,
    apiKey: KEY,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });
  const out = await client.embeddings.create.mutate({
    model: "mock-embed",
    input: ["one", "two"],
    dimensions: 5,
  });
  assert.equal(out.object, "list");
  assert.equal(out.data.length, 2);
  assert.deepEqual(out.data[1].embedding, mockVector("two", 5));
  assert.deepEqual(out.usage, { prompt_tokens: 2, total_tokens: 2 });
  const error = await client.embeddings.create.mutate({ model: "mock-embed", input: [[1]] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof TRPCClientError);
  assert.equal(error.data?.code, "BAD_REQUEST");
  assert.equal(error.data?.gateway?.param, "input");
  const keyless = createGatewayClient({
    url: ORIGIN,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });
  await assert.rejects(
    keyless.embeddings.create.mutate({ model: "mock-embed", input: "a" }),
    (e: unknown) => e instanceof TRPCClientError && e.data?.code === "UNAUTHORIZED",
  );
});

Deno.test("/v1/embeddings: the client key and the body limit apply", async () => {
  const gw = testApp({ API_KEY: "gw-embed-key", MAX_REQUEST_BYTES: "2000" });
  const body = { model: "mock-embed", input: "hello" };
  const anonymous = await gw.post("/v1/embeddings", body);
  assert.equal(anonymous.status, 401);
  assert.equal((await anonymous.json()).error.type, "authentication_error");
  const auth = { authorization: "Bearer gw-embed-key" };
  assert.equal((await gw.post("/v1/embeddings", body, auth)).status, 200);
  const big = await gw.post(
    "/v1/embeddings",
    { model: "mock-embed", input: "x".repeat(3000) },
    auth,
  );
  assert.equal(big.status, 413);
  assert.equal((await big.json()).error.code, "request_too_large");
});

/**
 * Bedrock embeddings through the real `@aws-sdk/client-bedrock-runtime` against the fake
 * Bedrock: Titan v2 (dimensions, `normalize: true`) and v1, one InvokeModel per text fanned out
 * with bounded concurrency and the order kept; Cohere v3/v4 in batches of at most 96 texts, order
 * kept, `input_type` default and extension; usage from Titan's `inputTextTokenCount`, Bedrock's
 * token-count header, `meta.billed_units`, or the documented estimate; base64; `/v1/models`;
 * limits and bad input refused before any call.
 */
import assert from "node:assert/strict";
import { decodeFloat32Base64 } from "../../core/embeddings/float32.ts";
import { COHERE_BATCH, EMBED_CONCURRENCY } from "../../core/providers/bedrock/embeddings.ts";
import { embeddingReply, fakeBedrockVector, fakeTokens } from "../fakes/bedrock_embeddings.ts";
import { within } from "../helpers/within.ts";
import { bedrockGateway } from "./bedrock_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const TITAN_V2 = "amazon.titan-embed-text-v2:0";
const TITAN_V1 = "amazon.titan-embed-text-v1";
const COHERE_EN = "cohere.embed-english-v3";
const COHERE_V4 = "cohere.embed-v4:0";

const texts = (n: number) => Array.from({ length: n }, (_, i) => `text number ${i}`);

Deno.test("Titan v2: one call per text, dimensions and normalize sent, usage from the counts", async () => {
  await using h = bedrockGateway();
  const input = ["hello there", "general kenobi you are", "bold one"];
  const res = await h.gw.post("/v1/embeddings", { model: TITAN_V2, input, dimensions: 256 });
  assert.equal(res.status, 200);
  const body: Json = await res.json();
  const calls = h.fake.requests.filter((r) => r.operation === "invoke");
  assert.equal(calls.length, 3);
  assert.deepEqual(
    calls.map((c) => c.body as Json).sort((a, b) => a.inputText.localeCompare(b.inputText)),
    [...input].sort().map((inputText) => ({ inputText, dimensions: 256, normalize: true })),
  );
  assert.ok(calls.every((c) => c.modelId === TITAN_V2));
  assert.equal(body.model, TITAN_V2);
  input.forEach((text, i) => {
    assert.equal(body.data[i].index, i);
    assert.deepEqual(body.data[i].embedding, fakeBedrockVector(text, 256));
  });
  const tokens = input.reduce((n, t) => n + fakeTokens(t), 0);
  assert.deepEqual(body.usage, { prompt_tokens: tokens, total_tokens: tokens });
});

Deno.test("Titan fan-out: 40 texts, order kept, at most EMBED_CONCURRENCY calls in flight", async () => {
  await using h = bedrockGateway();
  // Each answer is held a little, so the calls overlap as far as the gateway lets them.
  h.fake.respondWith((record) => ({ kind: "delay", ms: 15, then: embeddingReply(record)! }));
  const input = texts(40);
  const body: Json = await (await h.gw.post("/v1/embeddings", { model: TITAN_V2, input })).json();
  assert.equal(h.fake.requests.filter((r) => r.operation === "invoke").length, 40);
  assert.equal(body.data.length, 40);
  input.forEach((text, i) =>
    assert.deepEqual(body.data[i].embedding, fakeBedrockVector(text, 1024))
  );
  assert.ok(h.fake.maxInFlight <= EMBED_CONCURRENCY, `max in flight ${h.fake.maxInFlight}`);
  assert.ok(h.fake.maxInFlight > 1, `calls overlapped (max ${h.fake.maxInFlight})`);
});

Deno.test("Titan v1: 1536 dimensions, only inputText sent; other dimensions are a 400", async () => {
  await using h = bedrockGateway();
  const body: Json = await (await h.gw.post("/v1/embeddings", { model: TITAN_V1, input: "a b" }))
    .json();
  assert.equal(body.data[0].embedding.length, 1536);
  assert.deepEqual(h.fake.requests.at(-1)!.body, { inputText: "a b" });
  const bad = await h.gw.post("/v1/embeddings", { model: TITAN_V1, input: "a", dimensions: 512 });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.param, "dimensions");
  assert.equal(h.fake.requests.length, 1);
});

Deno.test("Cohere v3: 200 texts go as 96 + 96 + 8, order kept, input_type default", async () => {
  await using h = bedrockGateway();
  const input = texts(200);
  const res = await h.gw.post("/v1/embeddings", { model: COHERE_EN, input });
  assert.equal(res.status, 200);
  const body: Json = await res.json();
  const calls = h.fake.requests.filter((r) => r.operation === "invoke");
  assert.deepEqual(
    calls.map((c) => (c.body as Json).texts.length).sort((a, b) => b - a),
    [COHERE_BATCH, COHERE_BATCH, 8],
  );
  assert.ok(calls.every((c) => (c.body as Json).input_type === "search_document"));
  assert.deepEqual(
    calls.flatMap((c) => (c.body as Json).texts).sort(),
    [...input].sort(),
    "every text sent once",
  );
  assert.equal(body.data.length, 200);
  input.forEach((text, i) => {
    assert.equal(body.data[i].index, i);
    assert.deepEqual(body.data[i].embedding, fakeBedrockVector(text, 1024));
  });
  const tokens = input.reduce((n, t) => n + fakeTokens(t), 0);
  assert.equal(body.usage.prompt_tokens, tokens, "the token-count headers, summed");
});

Deno.test("Cohere v4: output_dimension, embedding_types and input_type from the extension", async () => {
  await using h = bedrockGateway();
  const res = await h.gw.post("/v1/embeddings", {
    model: `us.${COHERE_V4}`,
    input: ["what is a gateway"],
    dimensions: 512,
    input_type: "search_query",
  });
  assert.equal(res.status, 200);
  const body: Json = await res.json();
  assert.deepEqual(h.fake.requests.at(-1)!.body, {
    texts: ["what is a gateway"],
    input_type: "search_query",
    embedding_types: ["float"],
    output_dimension: 512,
  });
  assert.equal(h.fake.requests.at(-1)!.modelId, `us.${COHERE_V4}`);
  assert.equal(body.model, `us.${COHERE_V4}`);
  assert.deepEqual(body.data[0].embedding, fakeBedrockVector("what is a gateway", 512));
  assert.equal(body.usage.prompt_tokens, 4);
});

Deno.test("Cohere usage without the header: meta.billed_units, else one token per 4 characters", async () => {
  await using h = bedrockGateway();
  const vector = [0.5, 0.25];
  h.fake.enqueue(
    {
      kind: "json",
      body: {
        id: "e1",
        texts: ["abc"],
        embeddings: [vector],
        response_type: "embeddings_floats",
        meta: { billed_units: { input_tokens: 9 } },
      },
    },
    {
      kind: "json",
      body: {
        id: "e2",
        texts: ["abcdefghi"],
        embeddings: [vector],
        response_type: "embeddings_floats",
      },
    },
  );
  const billed: Json = await (await h.gw.post("/v1/embeddings", { model: COHERE_EN, input: "abc" }))
    .json();
  assert.equal(billed.usage.prompt_tokens, 9);
  const estimated: Json = await (await h.gw.post("/v1/embeddings", {
    model: COHERE_EN,
    input: "abcdefghi",
  })).json();
  assert.equal(estimated.usage.prompt_tokens, 3, "ceil(9 / 4)");
  assert.deepEqual(estimated.data[0].embedding, vector);
});

Deno.test("Bedrock base64: decodes to the float answer", async () => {
  await using h = bedrockGateway();
  for (const model of [TITAN_V2, COHERE_EN]) {
    const floats: Json = await (await h.gw.post("/v1/embeddings", { model, input: ["p q"] }))
      .json();
    const b64: Json = await (await h.gw.post("/v1/embeddings", {
      model,
      input: ["p q"],
      encoding_format: "base64",
    })).json();
    assert.equal(typeof b64.data[0].embedding, "string", model);
    assert.deepEqual(decodeFloat32Base64(b64.data[0].embedding), floats.data[0].embedding, model);
  }
});

Deno.test("/v1/models lists the embedding models Bedrock offers in the region", async () => {
  await using h = bedrockGateway();
  const summary = (modelId: string, output: string) => ({
    modelId,
    inputModalities: ["TEXT"],
    outputModalities: [output],
    responseStreamingSupported: output === "TEXT",
    modelLifecycle: { status: "ACTIVE" },
  });
  h.fake.foundationModels = [
    summary("amazon.nova-pro-v1:0", "TEXT"),
    summary(TITAN_V2, "EMBEDDING"),
    summary(COHERE_EN, "EMBEDDING"),
    summary(COHERE_V4, "EMBEDDING"),
    summary("amazon.titan-embed-image-v1", "EMBEDDING"),
  ];
  const list: Json = await (await h.gw.get("/v1/models")).json();
  const ids = list.data.filter((m: Json) => m.owned_by === "bedrock").map((m: Json) => m.id);
  assert.deepEqual(ids, ["amazon.nova-pro-v1:0", TITAN_V2, COHERE_EN, COHERE_V4]);
  for (const id of [TITAN_V2, COHERE_EN, COHERE_V4]) {
    const one = await h.gw.get(`/v1/models/${id}`);
    assert.equal(one.status, 200, id);
    assert.equal((await one.json()).owned_by, "bedrock");
  }
  const listings = h.fake.requests.filter((r) => r.operation === "list-foundation-models");
  assert.equal(listings.length, 2, "one listing per output modality, cached after");
});

Deno.test("Bedrock limits and bad input: 400 naming the field, no InvokeModel call", async (t) => {
  await using h = bedrockGateway();
  const rows: Array<[string, Json, string]> = [
    ["Titan text over 50,000 characters", {
      model: TITAN_V2,
      input: ["fine", "y".repeat(50_001)],
    }, "input[1]"],
    ["Cohere v3 text over 2,048 characters", {
      model: COHERE_EN,
      input: ["a", "b", "z".repeat(2049)],
    }, "input[2]"],
    ["Titan v2 dimensions 300", { model: TITAN_V2, input: "a", dimensions: 300 }, "dimensions"],
    ["Cohere v3 dimensions 512", { model: COHERE_EN, input: "a", dimensions: 512 }, "dimensions"],
    ["Cohere v4 dimensions 100", { model: COHERE_V4, input: "a", dimensions: 100 }, "dimensions"],
    ["token arrays", { model: TITAN_V2, input: [1, 2, 3] }, "input"],
    ["token arrays to Cohere", { model: COHERE_V4, input: [[1, 2]] }, "input"],
    ["a Bedrock chat model", { model: "amazon.nova-pro-v1:0", input: "a" }, "model"],
  ];
  for (const [name, body, param] of rows) {
    await t.step(name, async () => {
      const res = await h.gw.post("/v1/embeddings", body);
      assert.equal(res.status, 400);
      assert.equal((await res.json()).error.param, param);
    });
  }
  assert.equal(h.fake.requests.filter((r) => r.operation === "invoke").length, 0);
  const ok = await h.gw.post("/v1/embeddings", { model: TITAN_V2, input: "after" });
  assert.equal(ok.status, 200);
});

Deno.test("A Bedrock ValidationException for one Titan text names that text", async () => {
  await using h = bedrockGateway();
  // The other texts' answers are slow: the failure must not wait for them, and ends them.
  h.fake.respondWith((record) =>
    (record.body as Json).inputText === "too many tokens"
      ? { kind: "error", type: "ValidationException", message: "Too many input tokens." }
      : { kind: "delay", ms: 2_000, then: embeddingReply(record)! }
  );
  const started = performance.now();
  const res = await h.gw.post("/v1/embeddings", {
    model: TITAN_V2,
    input: ["a", "b", "too many tokens", "d"],
  });
  assert.equal(res.status, 400);
  assert.ok(performance.now() - started < 1_500, "answered without waiting for the others");
  const { error } = await res.json();
  assert.equal(error.param, "input[2]");
  assert.match(error.message, /Too many input tokens/);
  await within(
    (async () => {
      while (h.fake.requests.filter((r) => r.aborted).length < 3) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })(),
    1_500,
  );
});

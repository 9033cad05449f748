/**
 * The official `openai` client's `embeddings.create` against the spawned gateway (as `deno task
 * start` runs it), for each family: `mock-embed`, the fake OpenAI upstream and the fake Bedrock's
 * Titan and Cohere models. The SDK's default asks for base64 and decodes it; with
 * `encoding_format: "float"` it reads the floats: both must give the same vectors.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { MOCK_EMBED_DIMENSIONS, mockVector } from "../../core/providers/mock/mock_embed.ts";
import { startFakeBedrock } from "../fakes/bedrock_runtime.ts";
import { fakeBedrockVector, fakeTokens } from "../fakes/bedrock_embeddings.ts";
import { fakeOpenAIVector } from "../fakes/openai_embeddings.ts";
import { startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { spawnGateway } from "../helpers/server.ts";
import { AWS_TEST_ENV } from "../integration/bedrock_harness.ts";

const KEY = "gw-embed-e2e-key";
const UPSTREAM_KEY = "sk-embed-e2e-upstream";

/** Float32 rounding, as base64 float32 carries the values. */
const f32 = (v: number[]) => v.map((x) => Math.fround(x));

Deno.test("openai SDK embeddings.create: mock, OpenAI, Titan, Cohere; base64 default and float", async (t) => {
  await using openai = await startFakeOpenAI({ requireKey: UPSTREAM_KEY });
  const bedrock = startFakeBedrock();
  const gw = await spawnGateway({
    ...AWS_TEST_ENV,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
    AWS_ENDPOINT_URL_BEDROCK: bedrock.url,
    API_KEY: KEY,
    OPENAI_API_KEY: UPSTREAM_KEY,
    OPENAI_BASE_URL: openai.url,
  });
  try {
    const client = new OpenAI({ apiKey: KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const cases: Array<[string, string[], (text: string) => number[], Record<string, unknown>]> = [
      ["mock-embed", ["first text", "second"], (s) => mockVector(s, MOCK_EMBED_DIMENSIONS), {}],
      [
        "text-embedding-3-small",
        ["upstream one", "upstream two"],
        (s) => fakeOpenAIVector(JSON.stringify(s), 1536),
        {},
      ],
      [
        "amazon.titan-embed-text-v2:0",
        ["titan a", "titan b c"],
        (s) => fakeBedrockVector(s, 256),
        { dimensions: 256 },
      ],
      ["cohere.embed-english-v3", ["cohere x", "cohere y"], (s) => fakeBedrockVector(s, 1024), {}],
      ["cohere.embed-v4:0", ["v4 text"], (s) => fakeBedrockVector(s, 1536), {}],
    ];
    for (const [model, input, expected, extra] of cases) {
      await t.step(model, async () => {
        const byDefault = await client.embeddings.create({ model, input, ...extra });
        const floats = await client.embeddings.create({
          model,
          input,
          encoding_format: "float",
          ...extra,
        });
        assert.equal(byDefault.object, "list");
        assert.equal(byDefault.model, model);
        assert.equal(byDefault.data.length, input.length);
        input.forEach((text, i) => {
          assert.equal(byDefault.data[i].index, i);
          assert.ok(Array.isArray(byDefault.data[i].embedding), "the SDK decoded base64");
          assert.deepEqual(byDefault.data[i].embedding, f32(expected(text)), `${model} base64`);
          assert.deepEqual(floats.data[i].embedding, f32(expected(text)), `${model} float`);
        });
        // Every family's counts here are words (the mock's, and the fakes' token counts).
        const words = input.reduce((n, text) => n + fakeTokens(text), 0);
        assert.deepEqual(byDefault.usage, { prompt_tokens: words, total_tokens: words });
        assert.deepEqual(floats.usage, byDefault.usage);
      });
    }
    await t.step("what reached the upstreams", () => {
      const sent = openai.embeddingRequests.map((r) => (r.body as { encoding_format: string }));
      assert.deepEqual(sent.map((b) => b.encoding_format), ["base64", "float"]);
      const cohere = bedrock.requests.filter((r) => r.modelId === "cohere.embed-english-v3");
      assert.equal(cohere.length, 2, "one batch per create call");
      const titan = bedrock.requests.filter((r) => r.modelId === "amazon.titan-embed-text-v2:0");
      assert.equal(titan.length, 4, "one call per text");
    });
    await t.step("a bad input is the SDK's BadRequestError naming the field", async () => {
      const error = await client.embeddings.create({
        model: "amazon.titan-embed-text-v2:0",
        input: "a",
        dimensions: 300,
      }).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal((error.error as { param?: string }).param, "dimensions");
    });
  } finally {
    await gw.stop();
    await bedrock.close();
  }
});

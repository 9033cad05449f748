/**
 * The official `@anthropic-ai/sdk`'s `client.messages.countTokens(...)` against a spawned
 * gateway: a Bedrock Claude inference-profile id through the fake Bedrock's CountTokens (the
 * real AWS SDK inside the gateway), the mock's exact count, an OpenAI model's labelled estimate,
 * and errors as the SDK's classes.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { fakeTokenCount } from "../fakes/bedrock_count_tokens.ts";
import { startFakeBedrock } from "../fakes/bedrock_runtime.ts";
import { startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { fakeUpstreamEnv, spawnGateway } from "../helpers/server.ts";

const GATEWAY_KEY = "gw-count-tokens-e2e-key";
const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const HEADER = "x-gateway-token-count";

const WEATHER_TOOL = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: {
    type: "object" as const,
    properties: { city: { type: "string" } },
    required: ["city"],
  },
};

Deno.test("Anthropic SDK messages.countTokens → /v1/messages/count_tokens", async (t) => {
  const bedrock = startFakeBedrock();
  await using openai = await startFakeOpenAI();
  const gw = await spawnGateway({
    API_KEY: GATEWAY_KEY,
    ...fakeUpstreamEnv({ bedrock: bedrock.url, openai: openai.url }),
  });
  try {
    const client = new Anthropic({ apiKey: GATEWAY_KEY, baseURL: gw.url, maxRetries: 0 });

    await t.step("Bedrock Claude (inference profile): Bedrock's CountTokens, exact", async () => {
      const { data, response } = await client.messages.countTokens({
        model: CLAUDE,
        system: "You are terse.",
        messages: [{ role: "user", content: "What is the weather in Paris?" }],
        tools: [WEATHER_TOOL],
        tool_choice: { type: "auto" },
      }).withResponse();
      assert.equal(response.headers.get(HEADER), "exact");
      const calls = bedrock.requests.filter((r) => r.operation === "count-tokens");
      assert.equal(calls.length, 1);
      assert.equal(calls[0].modelId, "anthropic.claude-sonnet-4-20250514-v1:0", "base model id");
      const expected = {
        anthropic_version: "bedrock-2023-05-31",
        max_tokens: 64000,
        system: "You are terse.",
        messages: [{ role: "user", content: "What is the weather in Paris?" }],
        tools: [WEATHER_TOOL],
        tool_choice: { type: "auto" },
      };
      assert.deepEqual(calls[0].countedBody, expected);
      assert.deepEqual(data, { input_tokens: fakeTokenCount(expected) });
    });

    await t.step("mock: exact, and equal to the answer's input_tokens", async () => {
      const params = {
        model: "mock-echo",
        system: "Be brief.",
        messages: [{ role: "user" as const, content: "Count these five words" }],
      };
      const { data, response } = await client.messages.countTokens(params).withResponse();
      assert.equal(response.headers.get(HEADER), "exact");
      assert.deepEqual(data, { input_tokens: 6 });
      const message = await client.messages.create({ ...params, max_tokens: 20 });
      assert.equal(message.usage.input_tokens, data.input_tokens);
    });

    await t.step("OpenAI model: the estimate, labelled, no upstream call", async () => {
      const { data, response } = await client.messages.countTokens({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "Hello there, how are you?" }],
      }).withResponse();
      assert.equal(response.headers.get(HEADER), "estimate");
      assert.deepEqual(data, { input_tokens: 7 }); // 25 characters / 4, rounded up
      assert.equal(openai.chatRequests.length, 0);
    });

    await t.step("errors are the SDK's classes", async () => {
      await assert.rejects(
        client.messages.countTokens({
          model: "no-such-model",
          messages: [{ role: "user", content: "Hi" }],
        }),
        (error: unknown) => {
          assert.ok(error instanceof Anthropic.NotFoundError, String(error));
          assert.equal(error.status, 404);
          return true;
        },
      );
      await assert.rejects(
        client.messages.countTokens({ model: CLAUDE, messages: [] }),
        (error: unknown) => {
          assert.ok(error instanceof Anthropic.BadRequestError, String(error));
          assert.match(error.message, /messages/);
          return true;
        },
      );
      assert.equal(bedrock.requests.filter((r) => r.operation === "count-tokens").length, 1);
    });
  } finally {
    await gw.stop();
    await bedrock.close();
  }
});

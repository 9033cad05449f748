/**
 * The spawned gateway driven by the official `openai` client's Responses API —
 * `responses.create` (and its `output_text`), `responses.stream(...)` with `finalResponse()`,
 * and a function-call round trip — against the mock, an OpenAI upstream that speaks Responses
 * (the fake, native passthrough) and Bedrock Claude (the fake Bedrock, through the hub).
 */
import assert from "node:assert/strict";
import OpenAI, { type APIError } from "openai";
import { converseText, startFakeBedrock, textFrames } from "../fakes/bedrock_runtime.ts";
import { startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { spawnGateway } from "../helpers/server.ts";
import { AWS_TEST_ENV } from "../integration/bedrock_harness.ts";

const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const UPSTREAM_KEY = "sk-e2e-responses";
const TOOL = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather in a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
  strict: true,
};

Deno.test("openai SDK responses.* against mock, OpenAI (native) and Bedrock models", async (t) => {
  await using openai = await startFakeOpenAI({ requireKey: UPSTREAM_KEY });
  const bedrock = startFakeBedrock();
  const gw = await spawnGateway({
    ...AWS_TEST_ENV,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: bedrock.url,
    AWS_ENDPOINT_URL_BEDROCK: bedrock.url,
    OPENAI_API_KEY: UPSTREAM_KEY,
    OPENAI_BASE_URL: openai.url,
    OPENAI_RESPONSES_API: "true",
  });
  const client = new OpenAI({ apiKey: "unused", baseURL: `${gw.url}/v1`, maxRetries: 0 });
  try {
    await t.step("mock: create → output_text; stream → finalResponse", async () => {
      const created = await client.responses.create({ model: "mock-echo", input: "Hello there" });
      assert.equal(created.output_text, "Hello there");
      assert.equal(created.status, "completed");
      const stream = client.responses.stream({ model: "mock-echo", input: "one two three" });
      const deltas: string[] = [];
      stream.on("response.output_text.delta", (e) => void deltas.push(e.delta));
      const final = await stream.finalResponse();
      assert.equal(final.output_text, "one two three");
      assert.equal(deltas.join(""), "one two three");
      assert.ok((final.usage?.output_tokens ?? 0) > 0);
    });

    await t.step("OpenAI upstream (native): create, stream, function-call round trip", async () => {
      openai.scriptResponses(
        { text: "Native hello" },
        { text: "Streamed native hello" },
        { calls: [{ name: "get_weather", arguments: '{"city":"Paris"}', call_id: "call_p" }] },
        { text: "Sunny in Paris" },
      );
      const created = await client.responses.create({ model: "gpt-4o", input: "Hi" });
      assert.equal(created.output_text, "Native hello");
      const final = await client.responses.stream({ model: "gpt-4o", input: "Hi" }).finalResponse();
      assert.equal(final.output_text, "Streamed native hello");
      const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Weather?" }];
      const first = await client.responses.stream({ model: "gpt-4o", input, tools: [TOOL] })
        .finalResponse();
      const call = first.output.find((o) => o.type === "function_call");
      assert.ok(call?.type === "function_call");
      assert.equal(call.arguments, '{"city":"Paris"}');
      const second = await client.responses.create({
        model: "gpt-4o",
        tools: [TOOL],
        input: [...input, call, {
          type: "function_call_output",
          call_id: call.call_id,
          output: "sunny",
        }],
      });
      assert.equal(second.output_text, "Sunny in Paris");
      const sent = openai.responsesRequests.at(-1)!.body as { input: unknown[] };
      assert.equal(sent.input.length, 3, "the round trip's input went upstream as sent");
    });

    await t.step("Bedrock Claude: create, stream, function-call round trip", async () => {
      bedrock.enqueue(converseText("Bonjour"));
      const created = await client.responses.create({ model: CLAUDE, input: "Hi" });
      assert.equal(created.output_text, "Bonjour");
      bedrock.enqueue({ kind: "stream", frames: textFrames(["Bon", "jour!"]) });
      const final = await client.responses.stream({ model: CLAUDE, input: "Hi" }).finalResponse();
      assert.equal(final.output_text, "Bonjour!");

      bedrock.enqueue({
        kind: "json",
        body: {
          output: {
            message: {
              role: "assistant",
              content: [{
                toolUse: { toolUseId: "tooluse_w", name: "get_weather", input: { city: "Oslo" } },
              }],
            },
          },
          stopReason: "tool_use",
          usage: { inputTokens: 9, outputTokens: 4, totalTokens: 13 },
        },
      }, converseText("Snowy in Oslo"));
      const input: OpenAI.Responses.ResponseInput = [{ role: "user", content: "Weather?" }];
      const first = await client.responses.create({ model: CLAUDE, input, tools: [TOOL] });
      const call = first.output.find((o) => o.type === "function_call");
      assert.ok(call?.type === "function_call");
      assert.equal(call.call_id, "tooluse_w");
      assert.deepEqual(JSON.parse(call.arguments), { city: "Oslo" });
      const second = await client.responses.create({
        model: CLAUDE,
        tools: [TOOL],
        input: [...input, ...first.output as OpenAI.Responses.ResponseInputItem[], {
          type: "function_call_output",
          call_id: call.call_id,
          output: "snowy",
        }],
      });
      assert.equal(second.output_text, "Snowy in Oslo");
    });

    await t.step("bad input is the SDK's BadRequestError naming the param", async () => {
      await assert.rejects(
        client.responses.create({
          model: "mock-echo",
          input: [{ type: "function_call_output", call_id: "nope", output: "x" }],
        }),
        (error: APIError) => {
          assert.equal(error.status, 400);
          assert.equal(error.param, "input[0].call_id");
          return true;
        },
      );
    });
  } finally {
    await gw.stop();
    await bedrock.close();
  }
});

/**
 * `/v1/messages` as exact as Anthropic's on every route, checked with the official
 * `@anthropic-ai/sdk` against a spawned gateway (mock, fake OpenAI upstream, fake Bedrock):
 * `_request_id` (the `request-id` header), `messages.parse` structured output
 * (`output_config.format` → `response_format` / Converse `outputConfig`), the input token count
 * in `message_start` of converted streams, the `anthropic-beta` header reaching Bedrock Claude
 * as `anthropic_beta`, `{role: "system"}` entries inside `messages`, and tool names longer than
 * 64 characters shortened for OpenAI and Converse and mapped back in streamed and non-streamed
 * tool_use blocks.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { jsonSchemaOutputFormat } from "@anthropic-ai/sdk/helpers/json-schema";
import { converseText, type FakeBedrock, startFakeBedrock } from "../fakes/bedrock_runtime.ts";
import {
  completion,
  DEFAULT_USAGE,
  type FakeOpenAI,
  startFakeOpenAI,
  streamReply,
  textDeltas,
  toolCallDeltas,
} from "../fakes/openai_upstream.ts";
import { fakeUpstreamEnv, spawnGateway } from "../helpers/server.ts";
import { CLAUDE_MODEL, claudeTextEvents, nativeStream } from "../integration/formats_harness.ts";

const GATEWAY_KEY = "gw-anthropic-compat-key";
const SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
/** An MCP-style tool name of 100 characters (Anthropic allows 128, OpenAI and Converse 64). */
const LONG_TOOL = "mcp__weather_service_for_the_whole_planet__" +
  "get_current_conditions_".repeat(2) +
  "x".repeat(11);

interface Setup extends AsyncDisposable {
  bedrock: FakeBedrock;
  openai: FakeOpenAI;
  client: Anthropic;
}

async function setup(): Promise<Setup> {
  const bedrock = startFakeBedrock();
  const openai = await startFakeOpenAI();
  try {
    const gw = await spawnGateway({
      API_KEY: GATEWAY_KEY,
      ...fakeUpstreamEnv({ openai: openai.url, bedrock: bedrock.url }),
    });
    const client = new Anthropic({ apiKey: GATEWAY_KEY, baseURL: gw.url, maxRetries: 0 });
    return {
      bedrock,
      openai,
      client,
      async [Symbol.asyncDispose]() {
        await gw.stop();
        await openai.close();
        await bedrock.close();
      },
    };
  } catch (error) {
    await openai.close();
    await bedrock.close();
    throw error;
  }
}

const ANSWER_SCHEMA = {
  type: "object",
  properties: { answer: { type: "number" } },
  required: ["answer"],
  additionalProperties: false,
} as const;

const weatherTool = {
  name: LONG_TOOL,
  description: "Weather",
  input_schema: {
    type: "object" as const,
    properties: { city: { type: "string" } },
    required: ["city"],
  },
};

type Json = Record<string, unknown>;

Deno.test("Anthropic SDK: /v1/messages exact on every route", async (t) => {
  await using s = await setup();

  await t.step("_request_id is the gateway's request id (request-id header)", async () => {
    const { data, response, request_id } = await s.client.messages.create({
      model: "mock-echo",
      max_tokens: 20,
      messages: [{ role: "user", content: "hello" }],
    }).withResponse();
    assert.ok(request_id, "no request-id header");
    assert.equal(request_id, response.headers.get("x-request-id"));
    assert.equal(data.type, "message");
    const plain = await s.client.messages.create({
      model: "mock-echo",
      max_tokens: 20,
      messages: [{ role: "user", content: "hello" }],
    });
    assert.match(String((plain as { _request_id?: unknown })._request_id), /./);
    // Errors carry it too.
    const error = await s.client.messages.create({
      model: "no-such-model",
      max_tokens: 20,
      messages: [{ role: "user", content: "hello" }],
    }).catch((e) => e);
    assert.ok(error instanceof Anthropic.APIError);
    assert.ok(error.requestID);
  });

  await t.step("system entries inside messages are accepted", async () => {
    const message = await s.client.messages.create({
      model: "mock-echo",
      max_tokens: 20,
      messages: [
        { role: "user", content: "first words" },
        { role: "system", content: "Answer briefly." },
      ] as Anthropic.MessageParam[],
    });
    assert.equal(message.type, "message");
  });

  await t.step(
    "messages.parse on a gpt-* model: output_config.format → response_format",
    async () => {
      s.openai.script(completion({ content: '{"answer":4}' }));
      const message = await s.client.messages.parse({
        model: "gpt-4o-mini",
        max_tokens: 100,
        messages: [{ role: "user", content: "What is 2+2?" }],
        output_config: { format: jsonSchemaOutputFormat(ANSWER_SCHEMA) },
      });
      assert.deepEqual(message.parsed_output, { answer: 4 });
      const sent = s.openai.chatRequests.at(-1)!.body as Json;
      const format = sent.response_format as { type: string; json_schema: { schema: Json } };
      assert.equal(format.type, "json_schema");
      assert.deepEqual(format.json_schema.schema.required, ["answer"]);
      assert.equal(sent.output_config, undefined);
    },
  );

  await t.step("messages.parse on Claude (Bedrock): Converse structured output", async () => {
    s.bedrock.enqueue(converseText('{"answer":4}'));
    const message = await s.client.messages.parse({
      model: SONNET_45,
      max_tokens: 100,
      messages: [{ role: "user", content: "What is 2+2?" }],
      output_config: { format: jsonSchemaOutputFormat(ANSWER_SCHEMA) },
    });
    assert.deepEqual(message.parsed_output, { answer: 4 });
    const sent = s.bedrock.requests.at(-1)!;
    assert.equal(sent.operation, "converse");
    const textFormat = ((sent.body as Json).outputConfig as Json)?.textFormat as Json;
    assert.equal(textFormat?.type, "json_schema");
  });

  await t.step("message_start has the input tokens on converted streams", async () => {
    const first = async (model: string, text: string) => {
      const stream = await s.client.messages.create({
        model,
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: text }],
      });
      const events: Anthropic.RawMessageStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      return events;
    };
    // The mock counts words: exact at the start.
    const mock = await first("mock-echo", "one two three four five");
    assert.equal(mock[0].type, "message_start");
    assert.equal((mock[0] as Anthropic.RawMessageStartEvent).message.usage.input_tokens, 5);
    // OpenAI reports usage at the end: an estimate at the start, the real count at the end.
    s.openai.script(streamReply(textDeltas(["Hi"])));
    const gpt = await first("gpt-4o-mini", "Tell me something about pelicans, please.");
    const start = (gpt[0] as Anthropic.RawMessageStartEvent).message.usage.input_tokens;
    assert.ok(start > 0, `message_start input_tokens ${start}`);
    const delta = gpt.find((e) => e.type === "message_delta") as Anthropic.RawMessageDeltaEvent;
    assert.equal(delta.usage.input_tokens, DEFAULT_USAGE.prompt_tokens);
  });

  await t.step("the anthropic-beta header reaches Bedrock Claude as anthropic_beta", async () => {
    s.bedrock.enqueue(nativeStream(claudeTextEvents(["ok"])));
    const stream = await s.client.beta.messages.create({
      model: CLAUDE_MODEL,
      max_tokens: 50,
      stream: true,
      betas: ["token-efficient-tools-2025-02-19", "files-api-2025-04-14"],
      messages: [{ role: "user", content: "hi" }],
    });
    for await (const _ of stream) { /* drain */ }
    const sent = s.bedrock.requests.at(-1)!;
    assert.equal(sent.operation, "invoke-with-response-stream");
    // Bedrock takes the first; the second is an Anthropic API beta Bedrock does not know.
    assert.deepEqual((sent.body as Json).anthropic_beta, ["token-efficient-tools-2025-02-19"]);
  });

  await t.step("long tool names round-trip through OpenAI (JSON and stream)", async () => {
    let sentName = "";
    s.openai.respondWith((request) => {
      const body = request.body as {
        tools: Array<{ function: { name: string } }>;
        stream?: boolean;
      };
      sentName = body.tools[0].function.name;
      const call = { id: "call_1", name: sentName, arguments: '{"city":"Oslo"}' };
      return body.stream
        ? streamReply(toolCallDeltas([{ ...call, argumentFragments: [call.arguments] }]))
        : completion({ toolCalls: [call] });
    });
    try {
      const params = {
        model: "gpt-4o-mini",
        max_tokens: 100,
        tools: [weatherTool],
        messages: [{ role: "user" as const, content: "Weather in Oslo?" }],
      };
      const message = await s.client.messages.create(params);
      assert.ok(sentName.length <= 64 && sentName !== LONG_TOOL, sentName);
      const use = message.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock;
      assert.equal(use.name, LONG_TOOL);
      const streamed = await s.client.messages.stream(params).finalMessage();
      const streamedUse = streamed.content.find((b) =>
        b.type === "tool_use"
      ) as Anthropic.ToolUseBlock;
      assert.equal(streamedUse.name, LONG_TOOL);
      assert.deepEqual(streamedUse.input, { city: "Oslo" });
      // The next turn sends the history with the same short name.
      s.openai.respondWith(undefined);
      s.openai.script(completion({ content: "Sunny." }));
      await s.client.messages.create({
        ...params,
        messages: [
          ...params.messages,
          { role: "assistant", content: [use] },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: use.id, content: "sunny" }],
          },
        ],
      });
      const history = (s.openai.chatRequests.at(-1)!.body as Json).messages as Array<Json>;
      const calls = history.find((m) => m.role === "assistant")!.tool_calls as Array<
        { function: { name: string } }
      >;
      assert.equal(calls[0].function.name, sentName);
    } finally {
      s.openai.respondWith(undefined);
    }
  });

  await t.step("long tool names round-trip through Converse", async () => {
    s.bedrock.respondWith((request) => {
      if (request.operation !== "converse") return undefined;
      const tools = ((request.body as Json).toolConfig as Json).tools as Array<
        { toolSpec: { name: string } }
      >;
      const name = tools[0].toolSpec.name;
      return {
        kind: "json",
        body: {
          output: {
            message: {
              role: "assistant",
              content: [{ toolUse: { toolUseId: "tu_1", name, input: { city: "Oslo" } } }],
            },
          },
          stopReason: "tool_use",
          usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 },
        },
      };
    });
    try {
      const message = await s.client.messages.create({
        model: "amazon.nova-lite-v1:0",
        max_tokens: 100,
        tools: [weatherTool],
        messages: [{ role: "user", content: "Weather in Oslo?" }],
      });
      const sent = ((s.bedrock.requests.at(-1)!.body as Json).toolConfig as Json).tools as Array<
        { toolSpec: { name: string } }
      >;
      assert.ok(sent[0].toolSpec.name.length <= 64);
      const use = message.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock;
      assert.equal(use.name, LONG_TOOL);
    } finally {
      s.bedrock.respondWith(undefined);
    }
  });
});

/**
 * The official `@anthropic-ai/sdk` against a spawned gateway's `POST /v1/messages` (base URL =
 * the gateway, apiKey = a gateway key sent as `x-api-key`): text, raw event streams, the
 * `messages.stream()` helpers and `finalMessage()`, on the mock model and on Claude through the
 * fake Bedrock runtime (native path), a tool-use round trip, and errors as the SDK's classes.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { type FakeBedrock, startFakeBedrock } from "../fakes/bedrock_runtime.ts";
import { fakeUpstreamEnv, type SpawnedGateway, spawnGateway } from "../helpers/server.ts";
import { checkAnthropicStream } from "../helpers/anthropic_stream_checker.ts";
import {
  CLAUDE_MODEL,
  claudeMessage,
  claudeTextEvents,
  nativeJson,
  nativeStream,
} from "../integration/formats_harness.ts";

const GATEWAY_KEY = "gw-anthropic-e2e-key";

interface Setup extends AsyncDisposable {
  fake: FakeBedrock;
  gw: SpawnedGateway;
  client: Anthropic;
}

async function setup(): Promise<Setup> {
  const fake = startFakeBedrock();
  try {
    const gw = await spawnGateway({
      API_KEY: GATEWAY_KEY,
      ...fakeUpstreamEnv({ bedrock: fake.url }),
    });
    const client = new Anthropic({ apiKey: GATEWAY_KEY, baseURL: gw.url, maxRetries: 0 });
    return {
      fake,
      gw,
      client,
      async [Symbol.asyncDispose]() {
        await gw.stop();
        await fake.close();
      },
    };
  } catch (error) {
    await fake.close();
    throw error;
  }
}

const WEATHER_TOOL = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: {
    type: "object" as const,
    properties: { city: { type: "string" } },
    required: ["city"],
  },
};

Deno.test("Anthropic SDK → /v1/messages", async (t) => {
  await using s = await setup();

  await t.step("text on the mock model", async () => {
    const message = await s.client.messages.create({
      model: "mock-echo",
      max_tokens: 50,
      messages: [{ role: "user", content: "Hello from the SDK" }],
    });
    assert.equal(message.type, "message");
    assert.match(message.id, /^msg_/);
    assert.equal(message.role, "assistant");
    assert.deepEqual(message.content.map((b) => b.type), ["text"]);
    assert.equal((message.content[0] as { text: string }).text, "Hello from the SDK");
    assert.equal(message.stop_reason, "end_turn");
    assert.equal(typeof message.usage.input_tokens, "number");
  });

  await t.step("raw event stream on the mock model passes the checker", async () => {
    const stream = await s.client.messages.create({
      model: "mock-echo",
      max_tokens: 50,
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
    });
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    const summary = checkAnthropicStream(events);
    assert.equal(summary.text, "one two three");
    assert.equal(summary.stopReason, "end_turn");
  });

  await t.step("messages.stream() helpers and finalMessage()", async () => {
    const stream = s.client.messages.stream({
      model: "mock-echo",
      max_tokens: 50,
      messages: [{ role: "user", content: "streamed words here" }],
    });
    let text = "";
    stream.on("text", (delta) => (text += delta));
    const final = await stream.finalMessage();
    assert.equal(text, "streamed words here");
    assert.equal((final.content[0] as { text: string }).text, "streamed words here");
    assert.equal(final.stop_reason, "end_turn");
    assert.equal(typeof final.usage.output_tokens, "number");
  });

  await t.step("Claude on Bedrock (native): stream helper, events unchanged", async () => {
    s.fake.enqueue(nativeStream(claudeTextEvents(["Bonjour", " !"])));
    const stream = s.client.messages.stream({
      model: CLAUDE_MODEL,
      max_tokens: 50,
      messages: [{ role: "user", content: "Salut" }],
    });
    const final = await stream.finalMessage();
    assert.equal((final.content[0] as { text: string }).text, "Bonjour !");
    assert.equal(final.id, "msg_bdrk_01");
    const request = s.fake.requests.at(-1)!;
    assert.equal(request.operation, "invoke-with-response-stream");
    assert.deepEqual(request.body, {
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 50,
      messages: [{ role: "user", content: "Salut" }],
    });
  });

  await t.step("tool-use round trip with Claude on Bedrock", async () => {
    s.fake.enqueue(
      nativeJson(claudeMessage("", {
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
        ],
        stop_reason: "tool_use",
      })),
      nativeJson(claudeMessage("Sunny in Paris.")),
    );
    const question = { role: "user" as const, content: "Weather in Paris?" };
    const first = await s.client.messages.create({
      model: CLAUDE_MODEL,
      max_tokens: 100,
      tools: [WEATHER_TOOL],
      messages: [question],
    });
    assert.equal(first.stop_reason, "tool_use");
    const call = first.content.find((b) => b.type === "tool_use");
    assert.ok(call !== undefined && call.type === "tool_use");
    assert.deepEqual(call.input, { city: "Paris" });

    const second = await s.client.messages.create({
      model: CLAUDE_MODEL,
      max_tokens: 100,
      tools: [WEATHER_TOOL],
      messages: [
        question,
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: call.id, content: "22°C, sunny" }],
        },
      ],
    });
    assert.equal((second.content[0] as { text: string }).text, "Sunny in Paris.");
    const sent = s.fake.requests.at(-1)!.body as { messages: Array<{ content: unknown }> };
    assert.deepEqual(sent.messages[2].content, [
      { type: "tool_result", tool_use_id: "toolu_01", content: "22°C, sunny" },
    ]);
    assert.deepEqual(sent.messages[1].content, first.content);
  });

  await t.step("tool-use round trip on a model behind the hub (mock) is accepted", async () => {
    const message = await s.client.messages.create({
      model: "mock-echo",
      max_tokens: 100,
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: [{
            type: "tool_use",
            id: "toolu_9",
            name: "get_weather",
            input: { city: "Rome" },
          }],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_9", content: "hot" },
            { type: "text", text: "thanks" },
          ],
        },
      ],
    });
    assert.equal((message.content[0] as { text: string }).text, "thanks");
  });

  await t.step("errors are the SDK's classes", async () => {
    await assert.rejects(
      s.client.messages.create({
        model: "mock-echo",
        max_tokens: 0,
        messages: [{ role: "user", content: "x" }],
      }),
      (error: unknown) => error instanceof Anthropic.BadRequestError,
    );
    const wrongKey = new Anthropic({ apiKey: "nope", baseURL: s.gw.url, maxRetries: 0 });
    await assert.rejects(
      wrongKey.messages.create({
        model: "mock-echo",
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      }),
      (error: unknown) => error instanceof Anthropic.AuthenticationError,
    );
    s.fake.enqueue({ kind: "error", type: "ThrottlingException", message: "slow down" });
    await assert.rejects(
      s.client.messages.create({
        model: CLAUDE_MODEL,
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      }),
      (error: unknown) => error instanceof Anthropic.RateLimitError,
    );
  });
});

Deno.test("anthropic SDK e2e: models.list and models.retrieve in Anthropic's shape", async () => {
  await using s = await setup();
  const page = await s.client.models.list({ limit: 3 });
  assert.equal(page.data.length, 3);
  for (const model of page.data) {
    assert.equal(model.type, "model");
    assert.equal(typeof model.display_name, "string");
    assert.match(model.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  }
  const all = [];
  for await (const model of s.client.models.list({ limit: 5 })) all.push(model.id);
  assert.ok(all.includes("mock-echo"), "auto-paging reaches every model");
  assert.equal(new Set(all).size, all.length, "no model twice across pages");

  const profile = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  const one = await s.client.models.retrieve(profile);
  assert.equal(one.id, profile);
  assert.equal(one.type, "model");
  await assert.rejects(
    s.client.models.retrieve("claude-nonexistent"),
    (error: unknown) => error instanceof Anthropic.NotFoundError,
  );
});

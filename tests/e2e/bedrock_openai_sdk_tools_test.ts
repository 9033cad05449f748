/**
 * The spawned gateway driven by the official `openai` npm client for Bedrock model ids (through
 * the real AWS SDK against the fake Bedrock): a tools round trip (upstream tool-call ids, both
 * tool results in one user turn, `tool_choice`, streamed tool calls reassembled by the SDK,
 * `response_format` json_object as a forced tool) and images (a `data:` URL as bytes, a loopback
 * URL refused, fetched when `ALLOW_PRIVATE_IMAGE_URLS=true`).
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { encodeBase64 } from "../../core/text/base64.ts";
import {
  bodyOf,
  CLAUDE,
  converseReply,
  NOVA,
  PNG,
  setup,
  stepGroups,
  USER,
} from "./bedrock_harness.ts";

const { group, run } = stepGroups();

group("tools round trip", async (t) => {
  const { fake, client, take } = await setup();
  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Current weather",
        parameters: { type: "object", properties: { city: { type: "string" } } },
      },
    },
    { type: "function", function: { name: "get_time", parameters: { type: "object" } } },
  ];
  const question = { role: "user" as const, content: "Weather and time in Paris?" };
  let calls: OpenAI.ChatCompletionMessageFunctionToolCall[] = [];

  await t.step("assistant tool_calls with the upstream ids", async () => {
    fake.enqueue(converseReply([
      { text: "Let me check." },
      { toolUse: { toolUseId: "tooluse_w1", name: "get_weather", input: { city: "Paris" } } },
      { toolUse: { toolUseId: "tooluse_t1", name: "get_time", input: { tz: "CET" } } },
    ], "tool_use"));
    const answer = await client.chat.completions.create({
      model: CLAUDE,
      messages: [question],
      tools,
    });
    assert.equal(answer.choices[0].finish_reason, "tool_calls");
    calls = answer.choices[0].message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    assert.deepEqual(
      calls.map((c) => [c.id, c.type, c.function.name, JSON.parse(c.function.arguments)]),
      [
        ["tooluse_w1", "function", "get_weather", { city: "Paris" }],
        ["tooluse_t1", "function", "get_time", { tz: "CET" }],
      ],
    );
    const body = bodyOf(take()[0]);
    assert.deepEqual(body.toolConfig, {
      tools: [
        {
          toolSpec: {
            name: "get_weather",
            description: "Current weather",
            inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } },
          },
        },
        { toolSpec: { name: "get_time", inputSchema: { json: { type: "object" } } } },
      ],
      toolChoice: { auto: {} },
    });
  });

  await t.step("tool results → one user turn with both toolResults → final answer", async () => {
    fake.enqueue(converseReply([{ text: "Sunny, 21°C, 14:00." }]));
    const answer = await client.chat.completions.create({
      model: CLAUDE,
      tools,
      messages: [
        question,
        { role: "assistant", content: "Let me check.", tool_calls: calls },
        { role: "tool", tool_call_id: "tooluse_w1", content: '{"temp":21,"sky":"sunny"}' },
        { role: "tool", tool_call_id: "tooluse_t1", content: "14:00" },
      ],
    });
    assert.equal(answer.choices[0].message.content, "Sunny, 21°C, 14:00.");
    assert.equal(answer.choices[0].finish_reason, "stop");
    const body = bodyOf(take()[0]);
    assert.deepEqual(body.messages, [
      { role: "user", content: [{ text: "Weather and time in Paris?" }] },
      {
        role: "assistant",
        content: [
          { text: "Let me check." },
          { toolUse: { toolUseId: "tooluse_w1", name: "get_weather", input: { city: "Paris" } } },
          { toolUse: { toolUseId: "tooluse_t1", name: "get_time", input: { tz: "CET" } } },
        ],
      },
      {
        role: "user",
        content: [
          {
            toolResult: {
              toolUseId: "tooluse_w1",
              content: [{ json: { temp: 21, sky: "sunny" } }],
            },
          },
          { toolResult: { toolUseId: "tooluse_t1", content: [{ text: "14:00" }] } },
        ],
      },
    ]);
    assert.ok(body.toolConfig !== undefined, "toolConfig sent with tool history");
  });

  await t.step("tool_choice required → any, named → tool, none → no toolConfig", async () => {
    const rows: Array<[OpenAI.ChatCompletionToolChoiceOption, unknown]> = [
      ["required", { any: {} }],
      [{ type: "function", function: { name: "get_weather" } }, { tool: { name: "get_weather" } }],
    ];
    for (const [choice, expected] of rows) {
      fake.enqueue(converseReply([{ text: "ok" }]));
      await client.chat.completions.create({
        model: CLAUDE,
        messages: [question],
        tools,
        tool_choice: choice,
      });
      assert.deepEqual(bodyOf(take()[0]).toolConfig?.toolChoice, expected);
    }
    fake.enqueue(converseReply([{ text: "no tools" }]));
    await client.chat.completions.create({
      model: CLAUDE,
      tools,
      tool_choice: "none",
      messages: [
        question,
        { role: "assistant", content: null, tool_calls: calls.slice(0, 1) },
        { role: "tool", tool_call_id: "tooluse_w1", content: "sunny" },
      ],
    });
    const body = bodyOf(take()[0]);
    assert.equal(body.toolConfig, undefined);
    assert.deepEqual(body.messages.slice(1), [
      {
        role: "assistant",
        content: [{
          text: '[Called tool get_weather (call id tooluse_w1) with arguments: {"city":"Paris"}]',
        }],
      },
      {
        role: "user",
        content: [{ text: "[Result of tool get_weather (call id tooluse_w1): sunny]" }],
      },
    ]);
  });

  await t.step("streamed tool calls after a text block, reassembled by the SDK", async () => {
    fake.enqueue({
      kind: "stream",
      frames: [
        { event: "messageStart", payload: { role: "assistant" } },
        {
          event: "contentBlockDelta",
          payload: { contentBlockIndex: 0, delta: { text: "On it." } },
        },
        { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
        {
          event: "contentBlockStart",
          payload: {
            contentBlockIndex: 1,
            start: { toolUse: { toolUseId: "tooluse_s1", name: "get_weather" } },
          },
        },
        ...['{"ci', 'ty":"Pa', 'ris"}'].map((input) => ({
          event: "contentBlockDelta",
          payload: { contentBlockIndex: 1, delta: { toolUse: { input } } },
        })),
        { event: "contentBlockStop", payload: { contentBlockIndex: 1 } },
        {
          event: "contentBlockStart",
          payload: {
            contentBlockIndex: 2,
            start: { toolUse: { toolUseId: "tooluse_s2", name: "get_time" } },
          },
        },
        {
          event: "contentBlockDelta",
          payload: { contentBlockIndex: 2, delta: { toolUse: { input: '{"tz":"CET"}' } } },
        },
        { event: "contentBlockStop", payload: { contentBlockIndex: 2 } },
        { event: "messageStop", payload: { stopReason: "tool_use" } },
        {
          event: "metadata",
          payload: { usage: { inputTokens: 9, outputTokens: 9, totalTokens: 18 }, metrics: {} },
        },
      ],
    });
    const runner = client.chat.completions.stream({ model: CLAUDE, messages: [question], tools });
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0].message
      .tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    assert.equal(final.choices[0].finish_reason, "tool_calls");
    assert.equal(final.choices[0].message.content, "On it.");
    assert.deepEqual(
      streamed.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)]),
      [["tooluse_s1", "get_weather", { city: "Paris" }], ["tooluse_s2", "get_time", {
        tz: "CET",
      }]],
    );
    take();
  });

  await t.step("response_format json_object → forced tool whose input is the content", async () => {
    fake.enqueue(converseReply([
      { toolUse: { toolUseId: "tooluse_j", name: "json_response", input: { answer: 42 } } },
    ], "tool_use"));
    const answer = await client.chat.completions.create({
      model: CLAUDE,
      messages: USER,
      response_format: { type: "json_object" },
    });
    assert.deepEqual(JSON.parse(answer.choices[0].message.content!), { answer: 42 });
    assert.equal(answer.choices[0].finish_reason, "stop");
    assert.equal(answer.choices[0].message.tool_calls, undefined);
    const body = bodyOf(take()[0]);
    assert.deepEqual(body.toolConfig?.toolChoice, { tool: { name: "json_response" } });
  });
});

group("images", async (t) => {
  const { client, gwPrivate, images, take } = await setup();
  const withImage = (url: string): OpenAI.ChatCompletionMessageParam[] => [{
    role: "user",
    content: [
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url } },
    ],
  }];

  await t.step("data: URL → image block with the decoded bytes", async () => {
    await client.chat.completions.create({
      model: NOVA,
      messages: withImage(`data:image/png;base64,${encodeBase64(PNG)}`),
    });
    const content = bodyOf(take()[0]).messages[0].content;
    assert.deepEqual(content, [
      { text: "What is this?" },
      { image: { format: "png", source: { bytes: encodeBase64(PNG) } } },
    ]);
  });

  await t.step("a loopback http URL is refused: BadRequestError naming the part", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: NOVA, messages: withImage(`${images.url}/a.png`) }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.status, 400);
        assert.equal(error.param, "messages[0].content[1].image_url");
        assert.match(error.message, /loopback/);
        return true;
      },
    );
    assert.deepEqual(images.hits, []);
    assert.equal(take().length, 0, "nothing sent to Bedrock");
  });

  await t.step("ALLOW_PRIVATE_IMAGE_URLS=true: the URL is fetched and sent as bytes", async () => {
    const privateClient = new OpenAI({
      apiKey: "unused",
      baseURL: `${gwPrivate.url}/v1`,
      maxRetries: 0,
    });
    const answer = await privateClient.chat.completions.create({
      model: NOVA,
      messages: withImage(`${images.url}/b.png`),
    });
    assert.equal(answer.choices[0].message.content, `Hello from ${NOVA}`);
    assert.deepEqual(images.hits, ["/b.png"]);
    const content = bodyOf(take()[0]).messages[0].content;
    assert.deepEqual(content[1], {
      image: { format: "png", source: { bytes: encodeBase64(PNG) } },
    });
  });
});

Deno.test("bedrock via openai SDK (spawned gateway, fake Bedrock)", run);

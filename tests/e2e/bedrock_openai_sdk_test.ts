/**
 * The spawned gateway (as `deno task start` runs it) driven by the official `openai` npm client
 * for Bedrock model ids. The gateway's real `BedrockRuntimeClient` / `BedrockClient` talk to the
 * local fake Bedrock (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, `AWS_ENDPOINT_URL_BEDROCK`) with static
 * fake keys, so SigV4 signing, event-stream decoding and the SDK error classes are exercised for
 * real: JSON, streams, a tools round trip, images, reasoning, errors and the model list.
 */
import assert from "node:assert/strict";
import OpenAI, { type APIError } from "openai";
import { encodeBase64 } from "../../core/converters/converse_media.ts";
import {
  type FakeBedrock,
  type RecordedRequest,
  type Reply,
  startFakeBedrock,
  type StreamFrame,
  textFrames,
} from "../fakes/bedrock_runtime.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";
import { AWS_TEST_ENV } from "../integration/bedrock_harness.ts";

const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const NOVA = "amazon.nova-pro-v1:0";
const SECRET = "fake-aws-secret-e2e";
const USER = [{ role: "user" as const, content: "Say hello" }];
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 7, 7]);

/** Converse request bodies as the fake received them (the fields the tests read). */
interface ConverseBody {
  messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
  system?: Array<Record<string, unknown>>;
  inferenceConfig?: Record<string, unknown>;
  toolConfig?: {
    tools: Array<{ toolSpec: { name: string; description?: string; inputSchema: unknown } }>;
    toolChoice?: unknown;
  };
  additionalModelRequestFields?: Record<string, unknown>;
}

/** The chunk delta fields the gateway adds next to OpenAI's. */
type ReasoningDelta = { reasoning_content?: string; reasoning_signature?: string };

function converseReply(
  content: unknown[],
  stopReason = "end_turn",
  usage: Record<string, number> = { inputTokens: 5, outputTokens: 3, totalTokens: 8 },
): Reply {
  return {
    kind: "json",
    body: { output: { message: { role: "assistant", content } }, stopReason, usage },
  };
}

function imageServer() {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    hits.push(new URL(req.url).pathname);
    return new Response(PNG, { headers: { "content-type": "image/png" } });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, hits, close: () => server.shutdown() };
}

interface Setup {
  fake: FakeBedrock;
  gw: SpawnedGateway;
  /** A second gateway with `ALLOW_PRIVATE_IMAGE_URLS=true`. */
  gwPrivate: SpawnedGateway;
  images: ReturnType<typeof imageServer>;
  client: OpenAI;
  /** Runtime requests received since the last call. */
  take(): RecordedRequest[];
}

let setupPromise: Promise<Setup> | undefined;

/** One fake, one image server and two gateways for the whole file, started on first use. */
function setup(): Promise<Setup> {
  return setupPromise ??= (async () => {
    const fake = startFakeBedrock();
    fake.foundationModels = [
      {
        modelId: "anthropic.claude-sonnet-4-20250514-v1:0",
        inputModalities: ["TEXT", "IMAGE"],
        outputModalities: ["TEXT"],
        responseStreamingSupported: true,
        modelLifecycle: { status: "ACTIVE" },
      },
      {
        modelId: "amazon.nova-pro-v1:0",
        inputModalities: ["TEXT", "IMAGE"],
        outputModalities: ["TEXT"],
        responseStreamingSupported: true,
        modelLifecycle: { status: "ACTIVE" },
      },
      {
        modelId: "amazon.titan-embed-text-v2:0",
        inputModalities: ["TEXT"],
        outputModalities: ["EMBEDDING"],
        modelLifecycle: { status: "ACTIVE" },
      },
      {
        modelId: "anthropic.claude-v2",
        inputModalities: ["TEXT"],
        outputModalities: ["TEXT"],
        modelLifecycle: { status: "LEGACY" },
      },
    ];
    fake.inferenceProfiles = [
      { inferenceProfileId: CLAUDE, type: "SYSTEM_DEFINED", status: "ACTIVE" },
      {
        inferenceProfileId: "abc123",
        inferenceProfileArn:
          "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
        type: "APPLICATION",
        status: "ACTIVE",
      },
    ];
    const images = imageServer();
    const env = {
      ...AWS_TEST_ENV,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
      AWS_ENDPOINT_URL_BEDROCK: fake.url,
      UPSTREAM_MAX_RETRIES: "0",
    };
    const [gw, gwPrivate] = await Promise.all([
      spawnGateway(env),
      spawnGateway({ ...env, ALLOW_PRIVATE_IMAGE_URLS: "true" }),
    ]);
    const client = new OpenAI({ apiKey: "unused", baseURL: `${gw.url}/v1`, maxRetries: 0 });
    let seen = 0;
    const take = () => {
      const runtime = fake.requests.filter((r) =>
        r.operation.startsWith("converse") || r.operation.startsWith("invoke")
      );
      const fresh = runtime.slice(seen);
      seen = runtime.length;
      return fresh;
    };
    return { fake, gw, gwPrivate, images, client, take };
  })();
}

/** Stops the gateways, the image server and the fake; checks no secret was logged. */
async function teardown(): Promise<void> {
  if (setupPromise === undefined) return;
  const s = await setupPromise;
  setupPromise = undefined;
  await Promise.all([s.gw.stop(), s.gwPrivate.stop()]);
  await s.images.close();
  await s.fake.close();
  for (const gw of [s.gw, s.gwPrivate]) {
    assert.ok(!gw.stdout().includes(SECRET) && !gw.stderr().includes(SECRET), "secret logged");
  }
}

const bodyOf = (r: RecordedRequest) => r.body as ConverseBody;

/** Groups of steps, run in order by the one test at the end of the file. */
const groups: Array<[string, (t: Deno.TestContext) => Promise<void>]> = [];
const group = (name: string, fn: (t: Deno.TestContext) => Promise<void>) =>
  void groups.push([name, fn]);

group("JSON and streamed text", async (t) => {
  const { fake, client, take } = await setup();

  await t.step("non-stream: text, finish_reason, usage with cached tokens", async () => {
    fake.enqueue(converseReply([{ text: "Hello from Claude" }], "end_turn", {
      inputTokens: 7,
      outputTokens: 4,
      totalTokens: 111,
      cacheReadInputTokens: 100,
    }));
    const answer = await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: "system", content: "Be brief." }, ...USER],
      temperature: 0,
      max_tokens: 50,
      stop: ["END"],
    });
    assert.equal(answer.object, "chat.completion");
    assert.match(answer.id, /^chatcmpl-/);
    assert.equal(answer.model, CLAUDE);
    assert.equal(answer.choices[0].message.content, "Hello from Claude");
    assert.equal(answer.choices[0].finish_reason, "stop");
    assert.equal(answer.usage?.prompt_tokens, 107);
    assert.equal(answer.usage?.completion_tokens, 4);
    assert.equal(answer.usage?.total_tokens, 111);
    assert.equal(answer.usage?.prompt_tokens_details?.cached_tokens, 100);
    const [req] = take();
    assert.equal(req.operation, "converse");
    assert.equal(req.modelId, CLAUDE);
    assert.match(req.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    const body = bodyOf(req);
    assert.deepEqual(body.system, [{ text: "Be brief." }]);
    assert.deepEqual(body.messages, [{ role: "user", content: [{ text: "Say hello" }] }]);
    assert.deepEqual(body.inferenceConfig, {
      maxTokens: 50,
      temperature: 0,
      stopSequences: ["END"],
    });
  });

  await t.step("bedrock/ prefix is stripped; max_tokens stop → length", async () => {
    fake.enqueue(converseReply([{ text: "cut" }], "max_tokens"));
    const answer = await client.chat.completions.create({
      model: `bedrock/${NOVA}`,
      messages: USER,
    });
    assert.equal(answer.choices[0].finish_reason, "length");
    const [req] = take();
    assert.equal(req.modelId, NOVA);
  });

  await t.step("stream without usage: one id, role first, text deltas", async () => {
    fake.enqueue({ kind: "stream", frames: textFrames(["Hel", "lo", " world"]) });
    const stream = await client.chat.completions.create({
      model: CLAUDE,
      messages: USER,
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    assert.ok(chunks.every((c) => c.choices.length === 1), "no usage chunk");
    assert.equal(chunks.map((c) => c.choices[0].delta.content ?? "").join(""), "Hello world");
    assert.equal(chunks.at(-1)?.choices[0].finish_reason, "stop");
    const [req] = take();
    assert.equal(req.operation, "converse-stream");
  });

  await t.step("stream with include_usage: last chunk has choices [] and usage", async () => {
    fake.enqueue({ kind: "stream", frames: textFrames(["a", "b"], "stop_sequence") });
    const stream = await client.chat.completions.create({
      model: NOVA,
      messages: USER,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    assert.equal(chunks.at(-2)?.choices[0].finish_reason, "stop");
    take();
  });

  await t.step("a mid-stream exception frame surfaces as an APIError while iterating", async () => {
    const frames: StreamFrame[] = [
      ...textFrames(["part"]).slice(0, 2),
      { exception: "modelStreamErrorException", message: "model broke" },
    ];
    fake.enqueue({ kind: "stream", frames });
    const stream = await client.chat.completions.create({
      model: CLAUDE,
      messages: USER,
      stream: true,
    });
    let text = "";
    await assert.rejects(
      async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      },
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError, String(error));
        assert.equal((error.error as { code?: string }).code, "upstream_error");
        return true;
      },
    );
    assert.equal(text, "part");
    take();
  });
});

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

group("reasoning", async (t) => {
  const { fake, client, take } = await setup();

  await t.step(
    "reasoning_effort → Claude thinking budget; streamed reasoning_content",
    async () => {
      fake.enqueue({
        kind: "stream",
        frames: [
          { event: "messageStart", payload: { role: "assistant" } },
          ...["Let me ", "think."].map((text) => ({
            event: "contentBlockDelta",
            payload: { contentBlockIndex: 0, delta: { reasoningContent: { text } } },
          })),
          {
            event: "contentBlockDelta",
            payload: { contentBlockIndex: 0, delta: { reasoningContent: { signature: "sig-1" } } },
          },
          { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
          { event: "contentBlockDelta", payload: { contentBlockIndex: 1, delta: { text: "42" } } },
          { event: "contentBlockStop", payload: { contentBlockIndex: 1 } },
          { event: "messageStop", payload: { stopReason: "end_turn" } },
          {
            event: "metadata",
            payload: { usage: { inputTokens: 3, outputTokens: 20, totalTokens: 23 }, metrics: {} },
          },
        ],
      });
      const stream = await client.chat.completions.create({
        model: CLAUDE,
        messages: USER,
        reasoning_effort: "low",
        temperature: 0.5,
        stream: true,
      });
      let reasoning = "";
      let signature = "";
      let text = "";
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta as
          & (typeof chunk.choices)[0]["delta"]
          & ReasoningDelta;
        reasoning += delta?.reasoning_content ?? "";
        signature += delta?.reasoning_signature ?? "";
        text += delta?.content ?? "";
      }
      assert.equal(reasoning, "Let me think.");
      assert.equal(signature, "sig-1");
      assert.equal(text, "42");
      const body = bodyOf(take()[0]);
      assert.deepEqual(body.additionalModelRequestFields, {
        thinking: { type: "enabled", budget_tokens: 2048 },
      });
      assert.deepEqual(body.inferenceConfig, { maxTokens: 4096 }, "temperature not sent");
    },
  );

  await t.step("JSON reasoning_content + signature, replayed unchanged next turn", async () => {
    fake.enqueue(converseReply([
      { reasoningContent: { reasoningText: { text: "Adding.", signature: "sig-2" } } },
      { text: "4" },
    ]));
    const first = await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: "user", content: "2+2?" }],
      reasoning_effort: "high",
    });
    const message = first.choices[0].message as typeof first.choices[0]["message"] & ReasoningDelta;
    assert.equal(message.content, "4");
    assert.equal(message.reasoning_content, "Adding.");
    assert.equal(message.reasoning_signature, "sig-2");
    assert.deepEqual(bodyOf(take()[0]).additionalModelRequestFields, {
      thinking: { type: "enabled", budget_tokens: 16_384 },
    });

    fake.enqueue(converseReply([{ text: "8" }]));
    await client.chat.completions.create({
      model: CLAUDE,
      reasoning_effort: "high",
      messages: [
        { role: "user", content: "2+2?" },
        message as OpenAI.ChatCompletionAssistantMessageParam,
        { role: "user", content: "times 2?" },
      ],
    });
    const replay = bodyOf(take()[0]).messages[1];
    assert.deepEqual(replay, {
      role: "assistant",
      content: [
        { reasoningContent: { reasoningText: { text: "Adding.", signature: "sig-2" } } },
        { text: "4" },
      ],
    });
  });

  await t.step("Nova 2 → reasoningConfig; gpt-oss → reasoning_effort", async () => {
    await client.chat.completions.create({
      model: "us.amazon.nova-2-lite-v1:0",
      messages: USER,
      reasoning_effort: "medium",
    });
    assert.deepEqual(bodyOf(take()[0]).additionalModelRequestFields, {
      reasoningConfig: { type: "enabled", maxReasoningEffort: "medium" },
    });
    await client.chat.completions.create({
      model: "openai.gpt-oss-120b-1:0",
      messages: USER,
      reasoning_effort: "minimal",
    });
    assert.deepEqual(bodyOf(take()[0]).additionalModelRequestFields, { reasoning_effort: "low" });
  });

  await t.step("reasoning_effort on a model without reasoning → 400 naming it", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: NOVA, messages: USER, reasoning_effort: "high" }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.param, "reasoning_effort");
        return true;
      },
    );
    assert.equal(take().length, 0);
  });
});

group("errors are the SDK's error classes", async (t) => {
  const { fake, client, gw, take } = await setup();

  await t.step("ThrottlingException → RateLimitError 429 with Retry-After", async () => {
    fake.enqueue({
      kind: "error",
      type: "ThrottlingException",
      message: "Too many requests",
      headers: { "retry-after": "7" },
    });
    await assert.rejects(
      client.chat.completions.create({ model: CLAUDE, messages: USER }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.RateLimitError, String(error));
        assert.equal(error.status, 429);
        assert.equal(error.code, "rate_limit_exceeded");
        assert.equal(error.type, "rate_limit_error");
        assert.equal(error.headers?.get("retry-after"), "7");
        return true;
      },
    );
    assert.equal(take().length, 1, "UPSTREAM_MAX_RETRIES=0: one upstream attempt");
  });

  await t.step("ThrottlingException on a stream → RateLimitError before any chunk", async () => {
    fake.enqueue({ kind: "error", type: "ThrottlingException" });
    await assert.rejects(
      client.chat.completions.create({ model: CLAUDE, messages: USER, stream: true }),
      OpenAI.RateLimitError,
    );
    take();
  });

  await t.step("the SDK retries a throttled request and then succeeds", async () => {
    fake.enqueue(
      { kind: "error", type: "ThrottlingException", headers: { "retry-after": "0" } },
      converseReply([{ text: "after retry" }]),
    );
    const retrying = new OpenAI({ apiKey: "unused", baseURL: `${gw.url}/v1`, maxRetries: 1 });
    const answer = await retrying.chat.completions.create({ model: CLAUDE, messages: USER });
    assert.equal(answer.choices[0].message.content, "after retry");
    assert.equal(take().length, 2);
  });

  const rows: Array<{
    type: string;
    // deno-lint-ignore no-explicit-any
    errorClass: new (...args: any[]) => APIError;
    status: number;
    code: string;
  }> = [
    {
      type: "AccessDeniedException",
      errorClass: OpenAI.PermissionDeniedError,
      status: 403,
      code: "upstream_access_denied",
    },
    {
      type: "ValidationException",
      errorClass: OpenAI.BadRequestError,
      status: 400,
      code: "invalid_value",
    },
    {
      type: "ResourceNotFoundException",
      errorClass: OpenAI.NotFoundError,
      status: 404,
      code: "model_not_found",
    },
    {
      type: "ServiceUnavailableException",
      errorClass: OpenAI.InternalServerError,
      status: 503,
      code: "upstream_unavailable",
    },
    {
      type: "InternalServerException",
      errorClass: OpenAI.InternalServerError,
      status: 502,
      code: "upstream_error",
    },
  ];
  for (const row of rows) {
    await t.step(`${row.type} → ${row.errorClass.name} ${row.status}`, async () => {
      fake.enqueue({ kind: "error", type: row.type, message: `fake ${row.type}` });
      await assert.rejects(
        client.chat.completions.create({ model: NOVA, messages: USER }),
        (error: unknown) => {
          assert.ok(error instanceof row.errorClass, String(error));
          assert.equal(error.status, row.status);
          assert.equal(error.code, row.code);
          assert.doesNotMatch(error.message, new RegExp(`${SECRET}|AKIDTEST`));
          return true;
        },
      );
      take();
    });
  }

  await t.step("n > 1 → BadRequestError naming n, nothing sent", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: NOVA, messages: USER, n: 2 }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === "n",
    );
    assert.equal(take().length, 0);
  });
});

group("/v1/models lists Bedrock models", async () => {
  {
    const { client, fake } = await setup();
    const models: OpenAI.Model[] = [];
    for await (const model of client.models.list()) models.push(model);
    const bedrock = models.filter((m) => m.owned_by === "bedrock").map((m) => m.id).sort();
    assert.deepEqual(
      bedrock,
      [
        "amazon.nova-pro-v1:0",
        "anthropic.claude-sonnet-4-20250514-v1:0",
        "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
        CLAUDE,
      ].sort(),
    );
    assert.ok(models.some((m) => m.id === "mock-echo"));
    const listed = fake.requests.filter((r) => r.operation.startsWith("list-"));
    assert.ok(listed.every((r) => r.accessKeyId === "AKIDTEST"), "listing is signed");
    const one = await client.models.retrieve(CLAUDE);
    assert.equal(one.id, CLAUDE);
    assert.equal(one.owned_by, "bedrock");
  }
});

Deno.test("bedrock via openai SDK (spawned gateway, fake Bedrock)", async (t) => {
  try {
    for (const [name, fn] of groups) await t.step(name, fn);
  } finally {
    await teardown();
  }
});

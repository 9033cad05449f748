/**
 * The spawned gateway (as `deno task start` runs it) driven by the official `openai` npm
 * client, with the fake OpenAI upstream behind it: JSON, streams, usage, tools, models, and
 * errors surfacing as the SDK's own error classes.
 */
import assert from "node:assert/strict";
import OpenAI, { type APIError } from "openai";
import {
  completion,
  errorReply,
  type FakeOpenAI,
  modelList,
  startFakeOpenAI,
  streamReply,
  textDeltas,
  toolCallDeltas,
} from "../fakes/openai_upstream.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";

const GATEWAY_KEY = "gw-e2e-client-key";
const UPSTREAM_KEY = "sk-e2e-upstream-secret";
const USER = [{ role: "user" as const, content: "Say hello" }];

interface Setup {
  fake: FakeOpenAI;
  gw: SpawnedGateway;
  client: OpenAI;
}

async function setup(): Promise<Setup & AsyncDisposable> {
  const fake = await startFakeOpenAI({ requireKey: UPSTREAM_KEY });
  fake.scriptModels(modelList(["gpt-4o-mini", "meta-llama/Llama-3.1-8B-Instruct"]));
  const gw = await spawnGateway({
    API_KEY: GATEWAY_KEY,
    OPENAI_API_KEY: UPSTREAM_KEY,
    OPENAI_BASE_URL: fake.url,
  });
  const client = new OpenAI({ apiKey: GATEWAY_KEY, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  return {
    fake,
    gw,
    client,
    [Symbol.asyncDispose]: async () => {
      await gw.stop();
      await fake.close();
      const stdout = gw.stdout();
      for (const secret of [GATEWAY_KEY, UPSTREAM_KEY]) {
        assert.ok(!stdout.includes(secret) && !gw.stderr().includes(secret), `${secret} logged`);
      }
    },
  };
}

Deno.test("openai SDK: chat completions, JSON and streamed", async (t) => {
  await using s = await setup();
  const { fake, client } = s;

  await t.step("JSON from mock-echo", async () => {
    const answer = await client.chat.completions.create({ model: "mock-echo", messages: USER });
    assert.equal(answer.object, "chat.completion");
    assert.equal(answer.choices[0].message.content, "Say hello");
    assert.equal(answer.choices[0].finish_reason, "stop");
    assert.equal(answer.usage?.total_tokens, 4);
  });

  await t.step("JSON routed to OpenAI, with x-request-id", async () => {
    fake.script(completion({ content: "Hello from upstream" }));
    const { data, response } = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: USER,
      temperature: 0,
    }).withResponse();
    assert.equal(data.choices[0].message.content, "Hello from upstream");
    assert.ok(response.headers.get("x-request-id"));
    const sent = fake.chatRequests.at(-1)!.body as Record<string, unknown>;
    assert.equal(sent.model, "gpt-4o-mini");
    assert.equal(sent.temperature, 0);
  });

  await t.step("stream without usage", async () => {
    fake.script(streamReply(textDeltas(["Hel", "lo", " world"])));
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: USER,
      stream: true,
    });
    let text = "";
    const ids = new Set<string>();
    let last: OpenAI.ChatCompletionChunk | undefined;
    for await (const chunk of stream) {
      ids.add(chunk.id);
      assert.equal(chunk.choices.length, 1, "no usage chunk");
      text += chunk.choices[0].delta.content ?? "";
      last = chunk;
    }
    assert.equal(text, "Hello world");
    assert.equal(ids.size, 1);
    assert.equal(last?.choices[0].finish_reason, "stop");
  });

  await t.step("stream with include_usage", async () => {
    const stream = await client.chat.completions.create({
      model: "mock-echo",
      messages: USER,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const usageChunk = chunks.at(-1)!;
    assert.deepEqual(usageChunk.choices, []);
    assert.deepEqual(usageChunk.usage, { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), "Say hello");
  });

  await t.step("tools: JSON tool_calls", async () => {
    fake.script(completion({
      toolCalls: [{ id: "call_w", name: "get_weather", arguments: '{"city":"Oslo"}' }],
    }));
    const answer = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: USER,
      tools: [{
        type: "function",
        function: { name: "get_weather", parameters: { type: "object" } },
      }],
    });
    const call = answer.choices[0].message
      .tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.equal(answer.choices[0].finish_reason, "tool_calls");
    assert.equal(call.id, "call_w");
    assert.deepEqual(JSON.parse(call.function.arguments), { city: "Oslo" });
  });

  await t.step("tools: streamed deltas reassembled by the SDK's stream helper", async () => {
    fake.script(streamReply(toolCallDeltas([
      { id: "call_1", name: "get_weather", argumentFragments: ['{"ci', 'ty":"Pa', 'ris"}'] },
      { id: "call_2", name: "get_time", argumentFragments: ['{"tz":', '"CET"}'] },
    ])));
    const runner = client.chat.completions.stream({
      model: "gpt-4o-mini",
      messages: USER,
      tools: [
        { type: "function", function: { name: "get_weather", parameters: { type: "object" } } },
        { type: "function", function: { name: "get_time", parameters: { type: "object" } } },
      ],
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0].message
      .tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    assert.equal(final.choices[0].finish_reason, "tool_calls");
    assert.deepEqual(
      calls.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)]),
      [["call_1", "get_weather", { city: "Paris" }], ["call_2", "get_time", { tz: "CET" }]],
    );
  });

  await t.step(
    "a mid-stream upstream failure surfaces as an APIError while iterating",
    async () => {
      fake.script(streamReply(textDeltas(["part"]).slice(0, 2), { end: "error" }));
      const stream = await client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: USER,
        stream: true,
      });
      let text = "";
      await assert.rejects(
        async () => {
          for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
        },
        (error: unknown) => {
          assert.ok(error instanceof OpenAI.APIError);
          assert.equal((error.error as { code?: string }).code, "upstream_error");
          return true;
        },
      );
      assert.equal(text, "part");
    },
  );

  await t.step("aborting a started stream aborts the upstream request", async () => {
    fake.script(streamReply(textDeltas(["a", "b"]).slice(0, 2), { end: "hang" }));
    const stream = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: USER,
      stream: true,
    });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content === "a") break; // the SDK aborts its request
    }
    const outcome = await Promise.race([
      fake.chatRequests.at(-1)!.outcome,
      new Promise((r) => setTimeout(() => r("still open after 5 s"), 5_000)),
    ]);
    assert.equal(outcome, "aborted");
  });
});

Deno.test("openai SDK: models list and retrieve (ids with slashes)", async () => {
  await using s = await setup();
  const ids: string[] = [];
  for await (const model of s.client.models.list()) ids.push(model.id);
  assert.ok(ids.includes("mock-echo"));
  assert.ok(ids.includes("meta-llama/Llama-3.1-8B-Instruct"));
  const model = await s.client.models.retrieve("meta-llama/Llama-3.1-8B-Instruct");
  assert.equal(model.id, "meta-llama/Llama-3.1-8B-Instruct");
  assert.equal(model.object, "model");
  await assert.rejects(s.client.models.retrieve("gpt-unknown"), OpenAI.NotFoundError);
});

Deno.test("openai SDK: errors are the SDK's error classes with the right status", async (t) => {
  await using s = await setup();
  const { fake, client } = s;
  const chat = (model = "gpt-4o-mini", extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({ model, messages: USER, ...extra });

  const cases: Array<{
    name: string;
    arrange?: () => void;
    call: () => Promise<unknown>;
    // deno-lint-ignore no-explicit-any
    errorClass: new (...args: any[]) => APIError;
    status: number;
    code: string;
    check?: (error: APIError) => void;
  }> = [
    {
      name: "bad gateway key → AuthenticationError",
      call: () =>
        new OpenAI({ apiKey: "wrong", baseURL: `${s.gw.url}/v1`, maxRetries: 0 }).chat
          .completions.create({ model: "mock-echo", messages: USER }),
      errorClass: OpenAI.AuthenticationError,
      status: 401,
      code: "invalid_api_key",
    },
    {
      name: "upstream 429 → RateLimitError with retry-after",
      arrange: () => fake.script(errorReply(429, { retryAfter: 3 })),
      call: () => chat(),
      errorClass: OpenAI.RateLimitError,
      status: 429,
      code: "rate_limit_exceeded",
      check: (error) => assert.equal(error.headers?.get("retry-after"), "3"),
    },
    {
      name: "upstream 429 on a stream → RateLimitError before any chunk",
      arrange: () => fake.script(errorReply(429)),
      call: () => chat("gpt-4o-mini", { stream: true }),
      errorClass: OpenAI.RateLimitError,
      status: 429,
      code: "rate_limit_exceeded",
    },
    {
      name: "unknown model → NotFoundError",
      call: () => chat("no-such-model"),
      errorClass: OpenAI.NotFoundError,
      status: 404,
      code: "model_not_found",
    },
    {
      name: "invalid body → BadRequestError with param",
      call: () => chat("mock-echo", { temperature: "hot" }),
      errorClass: OpenAI.BadRequestError,
      status: 400,
      code: "invalid_value",
      check: (error) => assert.equal(error.param, "temperature"),
    },
    {
      name: "upstream 401 → PermissionDeniedError (403)",
      arrange: () => fake.script(errorReply(401)),
      call: () => chat(),
      errorClass: OpenAI.PermissionDeniedError,
      status: 403,
      code: "upstream_access_denied",
    },
    {
      name: "upstream 500 → InternalServerError (502)",
      arrange: () => fake.script(errorReply(500)),
      call: () => chat(),
      errorClass: OpenAI.InternalServerError,
      status: 502,
      code: "upstream_error",
    },
    {
      name: "upstream 503 → InternalServerError (503)",
      arrange: () => fake.script(errorReply(503)),
      call: () => chat(),
      errorClass: OpenAI.InternalServerError,
      status: 503,
      code: "upstream_unavailable",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      c.arrange?.();
      await assert.rejects(c.call(), (error: unknown) => {
        assert.ok(error instanceof c.errorClass, String(error));
        assert.equal(error.status, c.status);
        assert.equal(error.code, c.code);
        c.check?.(error);
        return true;
      });
    });
  }
  assert.equal(fake.remaining, 0, "every scripted upstream reply was used");
});

/**
 * `POST /v1/chat/completions` routed to the OpenAI provider: the real `openai` SDK inside the
 * gateway talks to the fake upstream. Asserts both what the upstream received and what the
 * client got.
 */
import assert from "node:assert/strict";
import {
  completion,
  DEFAULT_USAGE,
  startFakeOpenAI,
  streamReply,
  textDeltas,
  toolCallDeltas,
} from "../fakes/openai_upstream.ts";
import { chatBody, testApp } from "../helpers/app.ts";
import { readDataEvents } from "../helpers/sse.ts";

type Chunk = {
  id: string;
  choices: Array<{ index: number; delta: Record<string, unknown>; finish_reason: string | null }>;
  usage?: unknown;
};

async function setup() {
  const fake = await startFakeOpenAI({ requireKey: "test" });
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  return { fake, gw };
}

Deno.test("non-stream: prefix stripped, unknown fields forwarded, completion passed through", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(completion({ content: "Bonjour", usage: DEFAULT_USAGE }));
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("openai/gpt-4o-mini", "Hi", {
      temperature: 0,
      max_completion_tokens: 50,
      seed: 7,
      custom_vendor_field: { keep: ["me", 1] },
    }),
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.choices[0].message.content, "Bonjour");
  assert.equal(body.choices[0].finish_reason, "stop");
  assert.equal(body.model, "gpt-4o-mini");
  assert.deepEqual(body.usage, DEFAULT_USAGE);

  assert.equal(fake.chatRequests.length, 1);
  const sent = fake.chatRequests[0];
  assert.equal(sent.method, "POST");
  assert.equal(sent.path, "/v1/chat/completions");
  assert.equal(sent.headers.get("authorization"), "Bearer test");
  assert.deepEqual(sent.body, {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Hi" }],
    temperature: 0,
    max_completion_tokens: 50,
    seed: 7,
    custom_vendor_field: { keep: ["me", 1] },
    stream: false,
  });
});

Deno.test("non-stream: a gpt-* id goes to OpenAI unchanged", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(completion({ content: "ok" }));
  const res = await gw.post("/v1/chat/completions", chatBody("gpt-4.1"));
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.equal((fake.chatRequests[0].body as { model: string }).model, "gpt-4.1");
});

Deno.test("stream: include_usage always requested upstream, hidden from the client unless asked", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(streamReply(textDeltas(["Hel", "lo", "!"])));
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("gpt-4o-mini", "Hi", { stream: true }),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const events = await readDataEvents(res);

  const sent = fake.chatRequests[0].body as Record<string, unknown>;
  assert.equal(sent.stream, true);
  assert.deepEqual(sent.stream_options, { include_usage: true });

  assert.equal(events.at(-1), "[DONE]");
  const chunks = events.slice(0, -1) as Chunk[];
  assert.equal(chunks.length, 5);
  assert.ok(chunks.every((c) => c.choices.length === 1), "usage chunk hidden");
  assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  assert.deepEqual(chunks.map((c) => c.choices[0].finish_reason), [null, null, null, null, "stop"]);
  assert.equal(chunks.map((c) => c.choices[0].delta.content ?? "").join(""), "Hello!");
  // OpenAI itself sends `usage` (null) on chunks only when include_usage was asked for.
  assert.ok(chunks.every((c) => !("usage" in c)), "no usage field the client did not ask for");
});

Deno.test("stream: the usage chunk reaches a client that asked for it", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(streamReply(textDeltas(["x"])));
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("gpt-4o-mini", "Hi", { stream: true, stream_options: { include_usage: true } }),
  );
  const events = await readDataEvents(res);
  assert.deepEqual(
    (fake.chatRequests[0].body as Record<string, unknown>).stream_options,
    { include_usage: true },
  );
  assert.equal(events.at(-1), "[DONE]");
  const last = events.at(-2) as Chunk;
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, DEFAULT_USAGE);
  assert.ok((events.slice(0, -2) as Chunk[]).every((c) => c.usage === null));
});

Deno.test("stream: other stream_options fields are kept upstream", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(streamReply(textDeltas(["x"])));
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("gpt-4o-mini", "Hi", {
      stream: true,
      stream_options: { include_usage: false, include_obfuscation: false },
    }),
  );
  const events = await readDataEvents(res);
  assert.deepEqual(
    (fake.chatRequests[0].body as Record<string, unknown>).stream_options,
    { include_usage: true, include_obfuscation: false },
  );
  assert.ok((events.slice(0, -1) as Chunk[]).every((c) => c.choices.length === 1));
});

const TOOLS = [{
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
    },
    strict: true,
  },
}];

Deno.test("tools: definitions forwarded, tool_calls answered intact", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(completion({
    toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
  }));
  const history = [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Weather in Paris and Rome?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [{
        id: "call_0",
        type: "function",
        function: { name: "get_weather", arguments: '{"city":"Rome"}' },
      }],
    },
    { role: "tool", tool_call_id: "call_0", content: "18C" },
  ];
  const res = await gw.post("/v1/chat/completions", {
    model: "gpt-4o-mini",
    messages: history,
    tools: TOOLS,
    tool_choice: { type: "function", function: { name: "get_weather" } },
    parallel_tool_calls: false,
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.choices[0].finish_reason, "tool_calls");
  assert.equal(body.choices[0].message.content, null);
  assert.deepEqual(body.choices[0].message.tool_calls, [{
    id: "call_1",
    type: "function",
    function: { name: "get_weather", arguments: '{"city":"Paris"}' },
  }]);
  const sent = fake.chatRequests[0].body as Record<string, unknown>;
  assert.deepEqual(sent.messages, history);
  assert.deepEqual(sent.tools, TOOLS);
  assert.deepEqual(sent.tool_choice, { type: "function", function: { name: "get_weather" } });
  assert.equal(sent.parallel_tool_calls, false);
});

Deno.test("tools: streamed tool-call deltas pass through byte-for-byte", async (t) => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(streamReply(toolCallDeltas([
    { id: "call_a", name: "get_weather", argumentFragments: ['{"ci', 'ty": "Pa', 'ris"}'] },
    { id: "call_b", name: "get_weather", argumentFragments: ['{"city"', ': "Rome"}'] },
  ])));
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("gpt-4o-mini", "Weather?", {
      stream: true,
      tools: TOOLS,
      stream_options: { include_usage: true },
    }),
  );
  const text = await res.text();
  await t.assertSnapshot(text);

  const chunks = (await readDataEvents(new Response(text))).slice(0, -1) as Chunk[];
  const calls = new Map<number, { id?: string; name?: string; args: string }>();
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      const deltas = (choice.delta.tool_calls ?? []) as Array<{
        index: number;
        id?: string;
        function?: { name?: string; arguments?: string };
      }>;
      for (const d of deltas) {
        const call = calls.get(d.index) ?? { args: "" };
        call.id ??= d.id;
        call.name ??= d.function?.name;
        call.args += d.function?.arguments ?? "";
        calls.set(d.index, call);
      }
    }
  }
  assert.deepEqual([...calls.entries()], [
    [0, { id: "call_a", name: "get_weather", args: '{"city": "Paris"}' }],
    [1, { id: "call_b", name: "get_weather", args: '{"city": "Rome"}' }],
  ]);
  const finishes = chunks.filter((c) => c.choices.length > 0).map((c) =>
    c.choices[0].finish_reason
  );
  assert.deepEqual(finishes.filter((f) => f !== null), ["tool_calls"]);
  assert.equal(finishes.at(-1), "tool_calls");
});

Deno.test("images and response_format are forwarded unchanged", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(completion({ content: '{"animal":"cat"}' }));
  const content = [
    { type: "text", text: "What animal?" },
    { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" } },
    { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
  ];
  const responseFormat = {
    type: "json_schema",
    json_schema: {
      name: "animal",
      strict: true,
      schema: { type: "object", properties: { animal: { type: "string" } } },
    },
  };
  const res = await gw.post("/v1/chat/completions", {
    model: "gpt-4o-mini",
    messages: [{ role: "user", content }],
    response_format: responseFormat,
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).choices[0].message.content, '{"animal":"cat"}');
  const sent = fake.chatRequests[0].body as Record<string, unknown>;
  assert.deepEqual(sent.messages, [{ role: "user", content }]);
  assert.deepEqual(sent.response_format, responseFormat);
});

Deno.test("no OPENAI_API_KEY: 503 provider_not_configured naming the variable", async () => {
  const fake = await startFakeOpenAI();
  await using _ = fake;
  const gw = testApp({ OPENAI_BASE_URL: fake.url });
  for (const stream of [false, true]) {
    const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", { stream }));
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.error.code, "provider_not_configured");
    assert.equal(body.error.type, "api_error");
    assert.match(body.error.message, /OPENAI_API_KEY/);
  }
  assert.equal(fake.requests.length, 0);
  const health = await (await gw.get("/health")).json();
  assert.equal(health.providers.openai, "not_configured");
});

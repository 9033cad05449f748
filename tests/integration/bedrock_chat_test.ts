/**
 * Chat through the gateway to the fake Bedrock with the real `BedrockRuntimeClient`: what the
 * fake received (the Converse body), what the client got (OpenAI JSON or SSE), tools both ways,
 * remote images fetched through the guarded fetch, client disconnects and timeouts.
 */
import assert from "node:assert/strict";
import type { ConverseRequest } from "../../core/providers/bedrock/converse/wire.ts";
import { converseText, textFrames } from "../fakes/bedrock_runtime.ts";
import { chatBody } from "../helpers/app.ts";
import { readDataEvents } from "../helpers/sse.ts";
import { bedrockGateway, runtimeRequests } from "./bedrock_harness.ts";

const MODEL = "us.anthropic.claude-sonnet-4-20250514-v1:0";

type Chunk = {
  id: string;
  object: string;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: string;
      content?: string;
      tool_calls?: Array<
        {
          index: number;
          id?: string;
          type?: string;
          function: { name?: string; arguments?: string };
        }
      >;
    };
    finish_reason: string | null;
  }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
};

const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

Deno.test("non-stream: system, params and tools reach Converse; tool calls come back", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({
    kind: "json",
    body: {
      output: {
        message: {
          role: "assistant",
          content: [
            { text: "Let me check." },
            { toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } },
          ],
        },
      },
      stopReason: "tool_use",
      usage: { inputTokens: 20, outputTokens: 9, totalTokens: 29 },
    },
  });
  const res = await h.gw.post("/v1/chat/completions", {
    model: MODEL,
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Paris?" },
    ],
    tools: [WEATHER_TOOL],
    tool_choice: "auto",
    temperature: 0,
    max_tokens: 100,
    stop: ["END"],
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.model, MODEL);
  assert.equal(body.choices[0].finish_reason, "tool_calls");
  assert.equal(body.choices[0].message.content, "Let me check.");
  assert.deepEqual(body.choices[0].message.tool_calls, [{
    id: "tooluse_1",
    type: "function",
    function: { name: "get_weather", arguments: '{"city":"Paris"}' },
  }]);
  assert.deepEqual(body.usage, { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 });

  const [req] = runtimeRequests(h.fake);
  const converse = req.body as ConverseRequest;
  assert.deepEqual(converse.system, [{ text: "Be brief." }]);
  assert.deepEqual(converse.messages, [{ role: "user", content: [{ text: "Weather in Paris?" }] }]);
  assert.deepEqual(converse.inferenceConfig, {
    maxTokens: 100,
    temperature: 0,
    stopSequences: ["END"],
  });
  const [tool] = converse.toolConfig?.tools ?? [];
  assert.ok(tool !== undefined && "toolSpec" in tool);
  assert.equal(tool.toolSpec.name, "get_weather");
  assert.deepEqual(
    tool.toolSpec.inputSchema.json,
    WEATHER_TOOL.function.parameters,
  );
  assert.deepEqual(converse.toolConfig?.toolChoice, { auto: {} });
});

Deno.test("non-stream: a tool-result turn goes back as toolUse + toolResult", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue(converseText("It is sunny."));
  const res = await h.gw.post("/v1/chat/completions", {
    model: MODEL,
    messages: [
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "tooluse_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        }],
      },
      { role: "tool", tool_call_id: "tooluse_1", content: '{"sky":"sunny"}' },
    ],
    tools: [WEATHER_TOOL],
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).choices[0].message.content, "It is sunny.");
  const messages = (runtimeRequests(h.fake)[0].body as { messages: unknown[] }).messages;
  assert.deepEqual(messages.slice(1), [
    {
      role: "assistant",
      content: [{
        toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } },
      }],
    },
    {
      role: "user",
      content: [{ toolResult: { toolUseId: "tooluse_1", content: [{ json: { sky: "sunny" } }] } }],
    },
  ]);
});

Deno.test("stream: text deltas over SSE, usage chunk when asked, [DONE]", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({ kind: "stream", frames: textFrames(["Hel", "lo", "!"]) });
  const res = await h.gw.post(
    "/v1/chat/completions",
    chatBody(MODEL, "Hi", { stream: true, stream_options: { include_usage: true } }),
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  const events = await readDataEvents(res);
  assert.equal(events.at(-1), "[DONE]");
  const chunks = events.slice(0, -1) as Chunk[];
  assert.ok(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id));
  assert.match(chunks[0].id, /^chatcmpl-/);
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  const text = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? "")).join("");
  assert.equal(text, "Hello!");
  const finishes = chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason));
  assert.deepEqual(finishes.filter((f) => f !== null), ["stop"]);
  const last = chunks.at(-1)!;
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });

  const [req] = runtimeRequests(h.fake);
  assert.equal(req.operation, "converse-stream");
  assert.equal(req.modelId, MODEL);
  assert.deepEqual((req.body as { messages: unknown }).messages, [
    { role: "user", content: [{ text: "Hi" }] },
  ]);
});

Deno.test("stream: tool-call arguments stream incrementally with OpenAI indexes", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({
    kind: "stream",
    frames: [
      { event: "messageStart", payload: { role: "assistant" } },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { text: "Checking" } },
      },
      { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
      {
        event: "contentBlockStart",
        payload: {
          contentBlockIndex: 1,
          start: { toolUse: { toolUseId: "tooluse_a", name: "get_weather" } },
        },
      },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } } },
      },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 1, delta: { toolUse: { input: '"Paris"}' } } },
      },
      { event: "contentBlockStop", payload: { contentBlockIndex: 1 } },
      { event: "messageStop", payload: { stopReason: "tool_use" } },
      {
        event: "metadata",
        payload: { usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 }, metrics: {} },
      },
    ],
  });
  const res = await h.gw.post(
    "/v1/chat/completions",
    chatBody(MODEL, "Weather?", { stream: true, tools: [WEATHER_TOOL] }),
  );
  assert.equal(res.status, 200);
  const chunks = (await readDataEvents(res)).slice(0, -1) as Chunk[];
  const calls = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
  assert.ok(calls.length >= 2, "arguments arrive in more than one delta");
  assert.ok(calls.every((c) => c.index === 0));
  assert.equal(calls[0].id, "tooluse_a");
  assert.equal(calls[0].function.name, "get_weather");
  assert.equal(calls.map((c) => c.function.arguments ?? "").join(""), '{"city":"Paris"}');
  const finishes = chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason));
  assert.equal(finishes.filter((f) => f !== null).join(), "tool_calls");
  assert.ok(chunks.every((c) => c.choices.length > 0), "no usage chunk unless asked");
});

Deno.test("a disconnecting client aborts the Bedrock stream", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({ kind: "stream", frames: textFrames(["partial"]).slice(0, 2), hang: true });
  const client = new AbortController();
  const res = await h.gw.post(
    "/v1/chat/completions",
    chatBody(MODEL, "Hi", { stream: true }),
    {},
    client.signal,
  );
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  await reader.read();
  client.abort();
  await reader.cancel();
  const [req] = runtimeRequests(h.fake);
  for (let i = 0; i < 100 && !req.aborted; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(req.aborted, true);
});

Deno.test("UPSTREAM_TIMEOUT_MS → 504 upstream_timeout, upstream aborted", async () => {
  await using h = bedrockGateway({ env: { UPSTREAM_TIMEOUT_MS: "200" } });
  for (const stream of [false, true]) {
    h.fake.enqueue({ kind: "hang" });
    const started = performance.now();
    const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL, "Hi", { stream }));
    assert.equal(res.status, 504);
    const body = await res.json();
    assert.equal(body.error.code, "upstream_timeout");
    assert.ok(performance.now() - started < 3000);
  }
  const requests = runtimeRequests(h.fake);
  for (let i = 0; i < 100 && !requests.every((r) => r.aborted); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.deepEqual(requests.map((r) => r.aborted), [true, true]);
});

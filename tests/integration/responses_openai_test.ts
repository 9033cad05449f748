/**
 * `POST /v1/responses` routed to an OpenAI instance, against the fake upstream: natively (the
 * upstream speaks Responses: the body goes as sent, the answer and events come back unchanged,
 * usage metered) and through the hub (`OPENAI_RESPONSES_API=false`: chat completions upstream).
 */
import assert from "node:assert/strict";
import {
  completion,
  errorReply,
  startFakeOpenAI,
  streamReply,
  textDeltas,
  toolCallDeltas,
} from "../fakes/openai_upstream.ts";
import { testApp } from "../helpers/app.ts";
import { checkResponsesStream } from "../helpers/responses_stream_checker.ts";
import { readSse } from "../helpers/sse.ts";

async function setup(responsesApi: "true" | "false") {
  const fake = await startFakeOpenAI({ requireKey: "test" });
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    OPENAI_RESPONSES_API: responsesApi,
  });
  return { fake, gw };
}

const CODEX_LIKE = {
  model: "openai/gpt-4o",
  instructions: "You are a coding agent.",
  input: [
    { type: "message", role: "developer", content: [{ type: "input_text", text: "Rules" }] },
    { type: "message", role: "user", content: [{ type: "input_text", text: "List files" }] },
  ],
  tools: [
    {
      type: "function",
      name: "shell",
      description: "Run",
      parameters: { type: "object" },
      strict: false,
    },
    { type: "web_search" },
  ],
  tool_choice: "auto",
  parallel_tool_calls: false,
  reasoning: { effort: "medium", summary: "auto" },
  store: false,
  include: ["reasoning.encrypted_content"],
  prompt_cache_key: "abc",
  client_metadata: { session: "s1" },
  some_future_field: { keep: true },
};

Deno.test("native JSON: the body reaches the upstream unchanged (model id without prefix), the answer as it is", async () => {
  const { fake, gw } = await setup("true");
  await using _ = fake;
  fake.scriptResponses({ text: "Hello", usage: { input_tokens: 11, output_tokens: 4, cached: 3 } });
  const res = await gw.post("/v1/responses", CODEX_LIKE);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-gateway-ignored-tools"), null, "built-ins pass through");
  const body = await res.json();
  assert.equal(body.id, "resp_fake_1");
  assert.equal(body.output[0].content[0].text, "Hello");
  assert.equal(fake.responsesRequests.length, 1);
  assert.equal(fake.chatRequests.length, 0);
  const { model, ...rest } = CODEX_LIKE;
  assert.deepEqual(fake.responsesRequests[0].body, {
    ...rest,
    model: model.slice(7),
    stream: false,
  });
  assert.deepEqual(gw.accessLogs().at(-1)!.usage, {
    prompt_tokens: 11,
    completion_tokens: 4,
    total_tokens: 15,
    prompt_tokens_details: { cached_tokens: 3 },
    completion_tokens_details: { reasoning_tokens: 0 },
  });
});

Deno.test("native SSE: OpenAI's events pass unchanged and check; usage is metered", async () => {
  const { fake, gw } = await setup("true");
  await using _ = fake;
  fake.scriptResponses({
    reasoning: { summary: "Thinking", encrypted_content: "gAAAAopaque" },
    text: "Let me look",
    calls: [{ name: "shell", arguments: '{"cmd":"ls"}', call_id: "call_9" }],
    usage: { input_tokens: 20, output_tokens: 9, reasoning: 4 },
  });
  const res = await gw.post("/v1/responses", { ...CODEX_LIKE, stream: true });
  assert.equal(res.status, 200);
  const frames = await readSse(res);
  const summary = checkResponsesStream(frames);
  assert.equal(summary.text, "Let me look");
  assert.equal(summary.reasoning, "Thinking");
  assert.deepEqual(summary.calls, [{
    call_id: "call_9",
    name: "shell",
    arguments: '{"cmd":"ls"}',
  }]);
  assert.equal((fake.responsesRequests[0].body as { stream: boolean }).stream, true);
  assert.equal(summary.response.id, "resp_fake_1", "the upstream's own events");
  await new Promise((resolve) => setTimeout(resolve, 10));
  const usage = gw.accessLogs().at(-1)!.usage as Record<string, unknown>;
  assert.equal(usage.total_tokens, 29);
  assert.deepEqual(usage.completion_tokens_details, { reasoning_tokens: 4 });
});

Deno.test("native SSE cut by the upstream: the stream ends with an error event", async () => {
  const { fake, gw } = await setup("true");
  await using _ = fake;
  fake.scriptResponses({ text: "Hello world, long", cutAfter: 5 });
  const res = await gw.post("/v1/responses", { model: "gpt-4o", input: "Hi", stream: true });
  const frames = await readSse(res);
  assert.equal(frames.at(-1)!.event, "error");
  assert.ok(frames.length >= 6);
});

Deno.test("native upstream error before the stream: OpenAI's envelope and status", async () => {
  const { fake, gw } = await setup("true");
  await using _ = fake;
  fake.scriptResponses(errorReply(400, { message: "bad thing", param: "input" }));
  const res = await gw.post("/v1/responses", { model: "gpt-4o", input: "Hi" });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(typeof body.error.message, "string");
});

Deno.test("setting off: the hub path (chat completions upstream), built-ins left out and named", async () => {
  const { fake, gw } = await setup("false");
  await using _ = fake;
  fake.script(completion({ content: "Hi from chat" }));
  const res = await gw.post("/v1/responses", { ...CODEX_LIKE, model: "openai/o4-mini" });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-gateway-ignored-tools"), "web_search");
  const body = await res.json();
  assert.match(body.id, /^resp_/);
  assert.equal(body.output.at(-1).content[0].text, "Hi from chat");
  assert.equal(fake.responsesRequests.length, 0);
  const sent = fake.chatRequests[0].body as Record<string, unknown>;
  assert.equal(sent.model, "o4-mini");
  assert.deepEqual((sent.messages as unknown[]).slice(0, 2), [
    { role: "system", content: "You are a coding agent." },
    { role: "system", content: "Rules" },
  ]);
  assert.equal(sent.reasoning_effort, "medium");
  assert.deepEqual(sent.tools, [{
    type: "function",
    function: { name: "shell", description: "Run", parameters: { type: "object" }, strict: false },
  }]);
});

Deno.test("setting off, SSE: a function call round trip through chat completions", async () => {
  const { fake, gw } = await setup("false");
  await using _ = fake;
  fake.script(
    streamReply(
      toolCallDeltas([{ id: "call_1", name: "shell", argumentFragments: ['{"cmd"', ':"ls"}'] }]),
    ),
    streamReply(textDeltas(["Two ", "files"])),
  );
  const first = await gw.post("/v1/responses", { ...CODEX_LIKE, stream: true });
  const one = checkResponsesStream(await readSse(first));
  assert.deepEqual(one.calls, [{ call_id: "call_1", name: "shell", arguments: '{"cmd":"ls"}' }]);
  const call = (one.response.output as Array<Record<string, unknown>>).find((o) =>
    o.type === "function_call"
  )!;
  const second = await gw.post("/v1/responses", {
    ...CODEX_LIKE,
    stream: true,
    input: [
      ...CODEX_LIKE.input,
      call,
      { type: "function_call_output", call_id: "call_1", output: "a.txt b.txt" },
    ],
  });
  const two = checkResponsesStream(await readSse(second));
  assert.equal(two.text, "Two files");
  const sent = fake.chatRequests[1].body as { messages: Array<Record<string, unknown>> };
  assert.deepEqual(sent.messages.slice(-2), [
    {
      role: "assistant",
      content: null,
      tool_calls: [{
        id: "call_1",
        type: "function",
        function: { name: "shell", arguments: '{"cmd":"ls"}' },
      }],
    },
    { role: "tool", tool_call_id: "call_1", content: "a.txt b.txt" },
  ]);
});

Deno.test("bad input never reaches the upstream", async () => {
  const { fake, gw } = await setup("true");
  await using _ = fake;
  const res = await gw.post("/v1/responses", {
    model: "gpt-4o",
    input: [{ type: "function_call_output", call_id: "nope", output: "x" }],
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.param, "input[0].call_id");
  assert.equal(fake.requests.filter((r) => r.method === "POST").length, 0);
});

/**
 * The native fast path in detail: Claude bodies (including what only Claude understands, such as
 * Anthropic-defined tools) reach InvokeModel unchanged, `/v1/messages` uses it too, tool use and
 * thinking come back unchanged or converted, usage reaches the access log, and upstream errors
 * before the first event are ordinary HTTP errors while later ones are the stream's last event.
 * Also: converted requests routed to OpenAI lose the gateway extension fields, OpenAI clients'
 * own fields do not.
 */
import assert from "node:assert/strict";
import { completion } from "../fakes/openai_upstream.ts";
import { readDataEvents, readSse } from "../helpers/sse.ts";
import { checkAnthropicStream } from "../helpers/anthropic_stream_checker.ts";
import {
  chunkFrames,
  CLAUDE_MODEL,
  claudeBody,
  claudeMessage,
  claudeTextEvents,
  formatsGateway,
  nativeJson,
  nativeStream,
  OPENAI_MODEL,
  openaiBody,
  TITAN_MODEL,
  titanBody,
  titanChunks,
} from "./formats_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const BASH_TOOL = { type: "bash_20250124", name: "bash" };

/** A Claude answer that thinks, then calls a tool. */
const THINK_AND_CALL = [
  {
    type: "message_start",
    message: { ...claudeMessage(""), content: [], stop_reason: null },
  },
  { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Hmm." } },
  { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig" } },
  { type: "content_block_stop", index: 0 },
  {
    type: "content_block_start",
    index: 1,
    content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} },
  },
  {
    type: "content_block_delta",
    index: 1,
    delta: { type: "input_json_delta", partial_json: '{"city":' },
  },
  {
    type: "content_block_delta",
    index: 1,
    delta: { type: "input_json_delta", partial_json: '"Paris"}' },
  },
  { type: "content_block_stop", index: 1 },
  {
    type: "message_delta",
    delta: { stop_reason: "tool_use", stop_sequence: null },
    usage: { output_tokens: 12 },
  },
  { type: "message_stop" },
];

Deno.test("native: Anthropic-defined tools reach InvokeModel unchanged; fields Bedrock does not take are dropped and logged", async () => {
  await using h = await formatsGateway();
  const answer = claudeMessage("", {
    content: [{ type: "tool_use", id: "toolu_b", name: "bash", input: { command: "ls" } }],
    stop_reason: "tool_use",
  });
  h.bedrock.enqueue(nativeJson(answer));
  const body = claudeBody(CLAUDE_MODEL, {
    tools: [BASH_TOOL],
    thinking: { type: "enabled", budget_tokens: 1024 },
    some_future_field: { keep: true },
  });
  const res = await h.gw.post("/v1/chat/completions?target_format=bedrock_claude", body);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), answer);
  const { model: _m, some_future_field: _f, ...expected } = body as Json;
  assert.deepEqual(h.bedrock.requests[0].body, expected);
  assert.equal(h.bedrock.requests[0].operation, "invoke");
  assert.deepEqual((h.gw.accessLogs().at(-1) as Json).notes, ["dropped some_future_field"]);
});

Deno.test("native: /v1/messages defaults anthropic_version and streams Claude's events unchanged", async () => {
  await using h = await formatsGateway();
  const events = claudeTextEvents(["Hi", "!"]);
  h.bedrock.enqueue(nativeStream(events));
  const res = await h.gw.post("/v1/messages", {
    model: `bedrock/${CLAUDE_MODEL}`,
    max_tokens: 20,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
  }, { "anthropic-version": "2023-06-01" });
  assert.equal(res.status, 200);
  const sse = await readSse(res);
  checkAnthropicStream(sse);
  assert.deepEqual(sse.map((e) => JSON.parse(e.data)), events);
  assert.deepEqual(sse.map((e) => e.event), events.map((e) => (e as Json).type));
  const request = h.bedrock.requests[0];
  assert.equal(request.operation, "invoke-with-response-stream");
  assert.equal(request.modelId, CLAUDE_MODEL);
  assert.deepEqual(request.body, {
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 20,
    messages: [{ role: "user", content: "Hi" }],
  });
  const log = h.gw.accessLogs().at(-1) as Json;
  assert.equal(log.provider, "bedrock");
  assert.equal(log.status, 200);
  assert.equal(log.usage.completion_tokens, 2);
  assert.equal(log.usage.prompt_tokens, 9);
});

Deno.test("native: thinking and tool use converted to OpenAI chunks and Titan", async (t) => {
  await t.step("→ openai stream: reasoning, tool call with joined arguments, usage", async () => {
    await using h = await formatsGateway();
    h.bedrock.enqueue(nativeStream(THINK_AND_CALL));
    const res = await h.gw.post(
      "/v1/chat/completions",
      claudeBody(CLAUDE_MODEL, {
        stream: true,
        tools: [{ name: "get_weather", input_schema: {} }],
      }),
    );
    assert.equal(res.status, 200);
    const data = await readDataEvents(res);
    assert.equal(data.at(-1), "[DONE]");
    const chunks = data.slice(0, -1) as Json[];
    const deltas = chunks.flatMap((c) => c.choices.map((ch: Json) => ch.delta));
    assert.equal(deltas.map((d) => d.reasoning_content ?? "").join(""), "Hmm.");
    const calls = deltas.flatMap((d) => d.tool_calls ?? []);
    assert.equal(calls[0].id, "toolu_1");
    assert.equal(calls[0].function.name, "get_weather");
    assert.equal(calls.map((c: Json) => c.function.arguments).join(""), '{"city":"Paris"}');
    assert.ok(chunks.some((c) => c.choices[0]?.finish_reason === "tool_calls"));
    const usage = chunks.at(-1)?.usage;
    assert.equal(usage.completion_tokens, 12);
    assert.equal(usage.prompt_tokens, 9);
  });

  await t.step("→ bedrock_claude unchanged (checker accepts thinking + tool_use)", async () => {
    await using h = await formatsGateway();
    h.bedrock.enqueue(nativeStream(THINK_AND_CALL));
    const res = await h.gw.post(
      "/v1/chat/completions?target_format=bedrock_claude",
      claudeBody(CLAUDE_MODEL, { stream: true }),
    );
    const sse = await readSse(res);
    const summary = checkAnthropicStream(sse);
    assert.deepEqual(summary.toolCalls, [{
      id: "toolu_1",
      name: "get_weather",
      input: { city: "Paris" },
    }]);
    assert.deepEqual(sse.map((e) => JSON.parse(e.data)), THINK_AND_CALL);
  });

  await t.step("→ bedrock_titan JSON: tool call written as text, usage counts", async () => {
    await using h = await formatsGateway();
    h.bedrock.enqueue(
      nativeJson(claudeMessage("Sunny.", { usage: { input_tokens: 7, output_tokens: 2 } })),
    );
    const res = await h.gw.post(
      "/v1/chat/completions?target_format=bedrock_titan",
      claudeBody(CLAUDE_MODEL),
    );
    assert.deepEqual(await res.json(), {
      inputTextTokenCount: 7,
      results: [{ tokenCount: 2, outputText: "Sunny.", completionReason: "FINISH" }],
    });
  });
});

Deno.test("native Titan: JSON and stream unchanged; converted to Claude events", async (t) => {
  await t.step("stream → bedrock_titan unchanged", async () => {
    await using h = await formatsGateway();
    const chunks = titanChunks(["Hel", "lo"]);
    h.bedrock.enqueue(nativeStream(chunks));
    const res = await h.gw.post(
      "/v1/chat/completions?target_format=bedrock_titan",
      titanBody(TITAN_MODEL, { stream: true }),
    );
    assert.deepEqual(await readDataEvents(res), chunks);
    assert.deepEqual(h.bedrock.requests[0].body, {
      inputText: "Say hello",
      textGenerationConfig: { maxTokenCount: 50, temperature: 0.5 },
    });
    const log = h.gw.accessLogs().at(-1) as Json;
    assert.deepEqual(log.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  await t.step("LENGTH stream → bedrock_claude max_tokens", async () => {
    await using h = await formatsGateway();
    h.bedrock.enqueue(nativeStream(titanChunks(["Hel", "lo"], "LENGTH")));
    const res = await h.gw.post(
      "/v1/chat/completions?target_format=bedrock_claude",
      titanBody(TITAN_MODEL, { stream: true }),
    );
    const summary = checkAnthropicStream(await readSse(res));
    assert.equal(summary.text, "Hello");
    assert.equal(summary.stopReason, "max_tokens");
    assert.equal(summary.usage.output_tokens, 2);
  });
});

Deno.test("native errors: before the first event an HTTP error, after it the last event", async (t) => {
  await t.step("InvokeModel throttled → 429 in Anthropic's envelope on /v1/messages", async () => {
    await using h = await formatsGateway();
    h.bedrock.enqueue({ kind: "error", type: "ThrottlingException", message: "slow down" });
    const res = await h.gw.post("/v1/messages", {
      model: CLAUDE_MODEL,
      max_tokens: 5,
      messages: [{ role: "user", content: "Hi" }],
    });
    assert.equal(res.status, 429);
    const body = await res.json() as Json;
    assert.equal(body.type, "error");
    assert.equal(body.error.type, "rate_limit_error");
  });

  await t.step("stream refused before any event → plain HTTP 400, not 200", async () => {
    await using h = await formatsGateway();
    h.bedrock.enqueue({ kind: "error", type: "ValidationException", message: "bad field x" });
    const res = await h.gw.post(
      "/v1/chat/completions?target_format=bedrock_claude",
      claudeBody(CLAUDE_MODEL, { stream: true }),
    );
    assert.equal(res.status, 400);
    assert.match(res.headers.get("content-type") ?? "", /json/);
    const body = await res.json() as Json;
    assert.equal(body.type, "error");
    assert.match(body.error.message, /bad field x/);
  });

  await t.step("exception frame mid-stream → event: error, stream ends", async () => {
    await using h = await formatsGateway();
    const events = claudeTextEvents(["Hi"]).slice(0, 3);
    h.bedrock.enqueue({
      kind: "stream",
      frames: [
        ...chunkFrames(events),
        { exception: "modelStreamErrorException", message: "model broke" },
      ],
    });
    const res = await h.gw.post(
      "/v1/chat/completions?target_format=bedrock_claude",
      claudeBody(CLAUDE_MODEL, { stream: true }),
    );
    assert.equal(res.status, 200);
    const sse = await readSse(res);
    const summary = checkAnthropicStream(sse, { allowError: true });
    assert.equal(summary.error?.type, "api_error");
    assert.equal(sse.at(-1)?.event, "error");
  });

  await t.step("Titan mid-stream exception → data: {error} last", async () => {
    await using h = await formatsGateway();
    h.bedrock.enqueue({
      kind: "stream",
      frames: [
        ...chunkFrames(titanChunks(["a", "b"]).slice(0, 1)),
        { exception: "throttlingException", message: "later" },
      ],
    });
    const res = await h.gw.post(
      "/v1/chat/completions?target_format=bedrock_titan",
      titanBody(TITAN_MODEL, { stream: true }),
    );
    const data = await readDataEvents(res) as Json[];
    assert.equal(data[0].outputText, "a");
    assert.equal(data.at(-1)?.error.type, "rate_limit_error");
  });
});

Deno.test("extension fields: stripped for converted requests to OpenAI, kept for OpenAI clients", async (t) => {
  await t.step("Claude body → gpt-4o: no top_k, is_error, cache_control, thinking", async () => {
    await using h = await formatsGateway();
    h.openai.script(completion({ content: "ok" }));
    const body = claudeBody(OPENAI_MODEL, {
      thinking: { type: "enabled", budget_tokens: 2000 },
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      tools: [{
        name: "get_weather",
        input_schema: { type: "object" },
        cache_control: { type: "ephemeral" },
      }],
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Hmm.", signature: "sig" },
            { type: "tool_use", id: "t1", name: "get_weather", input: { city: "Paris" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "t1", content: "unknown city", is_error: true },
            { type: "text", text: "Try again", cache_control: { type: "ephemeral" } },
          ],
        },
      ],
    });
    const res = await h.gw.post("/v1/chat/completions", body);
    assert.equal(res.status, 200, await res.clone().text());
    const sent = h.openai.chatRequests[0].body as Json;
    const text = JSON.stringify(sent);
    for (const field of ["top_k", "reasoning_budget_tokens", "is_error", "cache_control"]) {
      assert.equal(text.includes(`"${field}"`), false, `${field} in ${text}`);
    }
    assert.equal(text.includes("reasoning_details"), false);
    assert.equal(text.includes("reasoning_signature"), false);
    const tool = sent.messages.find((m: Json) => m.role === "tool");
    assert.deepEqual(tool, { role: "tool", tool_call_id: "t1", content: "unknown city" });
    // gpt-4o has no reasoning and rejects the field; a reasoning model gets it.
    assert.equal(sent.reasoning_effort, undefined);
  });

  await t.step("Claude thinking → o3-mini: reasoning_effort from the budget", async () => {
    await using h = await formatsGateway();
    h.openai.script(completion({ content: "ok" }));
    const body = claudeBody("o3-mini", { thinking: { type: "enabled", budget_tokens: 2000 } });
    const res = await h.gw.post("/v1/chat/completions", body);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((h.openai.chatRequests[0].body as Json).reasoning_effort, "low");
  });

  await t.step("OpenAI body → gpt-4o: its own unknown fields are forwarded", async () => {
    await using h = await formatsGateway();
    h.openai.script(completion({ content: "ok" }));
    const res = await h.gw.post("/v1/chat/completions", openaiBody(OPENAI_MODEL, { top_k: 3 }));
    assert.equal(res.status, 200);
    assert.equal((h.openai.chatRequests[0].body as Json).top_k, 3);
  });

  await t.step("Claude body → Claude via Converse keeps top_k", async () => {
    await using h = await formatsGateway();
    const res = await h.gw.post("/v1/chat/completions", claudeBody("amazon.nova-pro-v1:0"));
    assert.equal(res.status, 200, await res.clone().text());
    const sent = h.bedrock.requests[0].body as Json;
    assert.equal(sent.messages[0].content[0].text, "Say hello");
  });
});

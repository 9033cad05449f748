/**
 * `POST /v1/responses` routed to Bedrock Converse (the fake Bedrock, the real AWS SDK): text,
 * a function-call round trip with `function_call_output`, Claude thinking streamed as reasoning
 * items whose signature (`encrypted_content`) is replayed to Converse on the next turn, a
 * failure after the start as `response.failed`, and `max_tokens` as `incomplete`.
 */
import assert from "node:assert/strict";
import type { ConverseRequest } from "../../core/providers/bedrock/converse/wire.ts";
import { converseText, type StreamFrame, textFrames } from "../fakes/bedrock_runtime.ts";
import { checkResponsesStream } from "../helpers/responses_stream_checker.ts";
import { readSse } from "../helpers/sse.ts";
import { bedrockGateway, type BedrockHarness, runtimeRequests } from "./bedrock_harness.ts";

const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
const NOVA = "amazon.nova-pro-v1:0";
const TOOL = {
  type: "function",
  name: "get_weather",
  description: "Weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } } },
};

const sent = (h: BedrockHarness, i: number) => runtimeRequests(h.fake)[i].body as ConverseRequest;

const metadata: StreamFrame = {
  event: "metadata",
  payload: { usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 }, metrics: {} },
};

Deno.test("text on Nova and Claude: instructions → system, max_output_tokens → maxTokens", async (t) => {
  await using h = bedrockGateway();
  for (const model of [NOVA, CLAUDE]) {
    await t.step(model, async () => {
      h.fake.enqueue(converseText("Bonjour"));
      const before = runtimeRequests(h.fake).length;
      const res = await h.gw.post("/v1/responses", {
        model,
        instructions: "Answer in French",
        input: "Hello",
        max_output_tokens: 50,
        temperature: 0.2,
      });
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.status, "completed");
      assert.equal(body.output[0].content[0].text, "Bonjour");
      assert.equal(body.usage.input_tokens, 5);
      const request = sent(h, before);
      assert.deepEqual(request.system, [{ text: "Answer in French" }]);
      assert.equal(request.inferenceConfig?.maxTokens, 50);
      assert.equal(request.inferenceConfig?.temperature, 0.2);
      assert.deepEqual(request.messages, [{ role: "user", content: [{ text: "Hello" }] }]);
    });
  }
});

Deno.test("function-call round trip: SSE function_call, then function_call_output → toolResult", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({
    kind: "stream",
    frames: [
      { event: "messageStart", payload: { role: "assistant" } },
      {
        event: "contentBlockStart",
        payload: {
          contentBlockIndex: 0,
          start: { toolUse: { toolUseId: "tooluse_a", name: "get_weather" } },
        },
      },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":' } } },
      },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { toolUse: { input: '"Paris"}' } } },
      },
      { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
      { event: "messageStop", payload: { stopReason: "tool_use" } },
      metadata,
    ],
  });
  const input = [{ role: "user", content: "Weather in Paris?" }];
  const first = await h.gw.post("/v1/responses", {
    model: CLAUDE,
    input,
    tools: [TOOL, { type: "web_search" }],
    stream: true,
  });
  assert.equal(first.headers.get("x-gateway-ignored-tools"), "web_search");
  const one = checkResponsesStream(await readSse(first));
  assert.deepEqual(one.calls, [{
    call_id: "tooluse_a",
    name: "get_weather",
    arguments: '{"city":"Paris"}',
  }]);
  assert.deepEqual(
    sent(h, 0).toolConfig?.tools?.map((t) => "toolSpec" in t ? t.toolSpec.name : ""),
    ["get_weather"],
  );
  h.fake.enqueue(converseText("Sunny, 21°C"));
  const output = one.response.output as Array<Record<string, unknown>>;
  const res = await h.gw.post("/v1/responses", {
    model: CLAUDE,
    input: [
      ...input,
      ...output,
      { type: "function_call_output", call_id: "tooluse_a", output: '{"sky":"sunny"}' },
    ],
    tools: [TOOL],
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).output[0].content[0].text, "Sunny, 21°C");
  const messages = sent(h, 1).messages;
  assert.deepEqual(messages[1], {
    role: "assistant",
    content: [{
      toolUse: { toolUseId: "tooluse_a", name: "get_weather", input: { city: "Paris" } },
    }],
  });
  const result = messages[2].content[0] as { toolResult: { toolUseId: string } };
  assert.equal(result.toolResult.toolUseId, "tooluse_a");
});

Deno.test("Claude thinking: reasoning items with the signature, replayed as signed reasoningContent", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({
    kind: "stream",
    frames: [
      { event: "messageStart", payload: { role: "assistant" } },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { reasoningContent: { text: "Let me " } } },
      },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { reasoningContent: { text: "think." } } },
      },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { reasoningContent: { signature: "SIG123" } } },
      },
      { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
      { event: "contentBlockDelta", payload: { contentBlockIndex: 1, delta: { text: "42" } } },
      { event: "contentBlockStop", payload: { contentBlockIndex: 1 } },
      { event: "messageStop", payload: { stopReason: "end_turn" } },
      metadata,
    ],
  });
  const input = [{ role: "user", content: "Answer?" }];
  const res = await h.gw.post("/v1/responses", {
    model: CLAUDE,
    input,
    reasoning: { effort: "low", summary: "auto" },
    include: ["reasoning.encrypted_content"],
    stream: true,
  });
  const summary = checkResponsesStream(await readSse(res));
  assert.equal(summary.reasoning, "Let me think.");
  assert.equal(summary.text, "42");
  assert.deepEqual(summary.itemTypes, ["reasoning", "message"]);
  const output = summary.response.output as Array<Record<string, unknown>>;
  assert.equal(output[0].encrypted_content, "sig:SIG123");
  const thinking = sent(h, 0).additionalModelRequestFields as Record<string, unknown> | undefined;
  assert.ok(thinking !== undefined, "reasoning.effort turns thinking on");

  h.fake.enqueue(converseText("Still 42"));
  const next = await h.gw.post("/v1/responses", {
    model: CLAUDE,
    input: [...input, ...output, { role: "user", content: "Sure?" }],
    reasoning: { effort: "low" },
  });
  assert.equal(next.status, 200);
  const replayed = sent(h, 1).messages[1];
  assert.deepEqual(replayed, {
    role: "assistant",
    content: [
      { reasoningContent: { reasoningText: { text: "Let me think.", signature: "SIG123" } } },
      { text: "42" },
    ],
  });
});

Deno.test("a failure after the start is response.failed, then the stream ends", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({
    kind: "stream",
    frames: [
      ...textFrames(["partial "]).slice(0, 2),
      { exception: "modelStreamErrorException", message: "the model broke" },
    ],
  });
  const res = await h.gw.post("/v1/responses", { model: NOVA, input: "Hi", stream: true });
  assert.equal(res.status, 200);
  const frames = await readSse(res);
  const summary = checkResponsesStream(frames);
  assert.equal(summary.terminal, "response.failed");
  assert.equal(frames.filter((f) => f.event === "error").length, 0, "no second error event");
  const error = summary.response.error as { code: string; message: string };
  assert.equal(error.code, "server_error");
});

Deno.test("max_tokens: status incomplete with reason max_output_tokens (JSON and SSE)", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue(converseText("cut", "max_tokens"));
  const res = await h.gw.post("/v1/responses", { model: NOVA, input: "Hi", max_output_tokens: 1 });
  const body = await res.json();
  assert.equal(body.status, "incomplete");
  assert.deepEqual(body.incomplete_details, { reason: "max_output_tokens" });
  h.fake.enqueue({ kind: "stream", frames: textFrames(["cut"], "max_tokens") });
  const stream = await h.gw.post("/v1/responses", { model: NOVA, input: "Hi", stream: true });
  const summary = checkResponsesStream(await readSse(stream));
  assert.equal(summary.terminal, "response.incomplete");
  assert.deepEqual(summary.response.incomplete_details, { reason: "max_output_tokens" });
});

Deno.test("text.format json_schema takes chat's structured-output mapping (Claude: forced JSON tool)", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({
    kind: "json",
    body: {
      output: {
        message: {
          role: "assistant",
          content: [{ toolUse: { toolUseId: "t1", name: "json_response", input: { n: 42 } } }],
        },
      },
      stopReason: "tool_use",
      usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 },
    },
  });
  const res = await h.gw.post("/v1/responses", {
    model: CLAUDE,
    input: "A number",
    text: {
      format: {
        type: "json_schema",
        name: "answer",
        schema: { type: "object", properties: { n: { type: "number" } } },
        strict: true,
      },
    },
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.status, "completed");
  assert.deepEqual(JSON.parse(body.output[0].content[0].text), { n: 42 });
  assert.equal(body.text.format.name, "answer", "the format is echoed");
  const request = sent(h, 0);
  assert.ok(
    request.outputConfig !== undefined ||
      request.toolConfig?.tools?.some((t) =>
        "toolSpec" in t && t.toolSpec.name === "json_response"
      ),
  );
});

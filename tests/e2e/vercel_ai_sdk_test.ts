/**
 * The Vercel AI SDK (`ai` + `@ai-sdk/openai`) against the spawned gateway: the provider's
 * default model, `createOpenAI({ baseURL })(id)`, is the Responses API (`POST /v1/responses`).
 * `generateText` (JSON: the SDK sends no `stream` key) and `streamText` (SSE) answer through
 * `mock-echo`, and a tool loop (`stopWhen: stepCountIs(3)`: tool call → the SDK runs `execute`
 * → function_call_output → final text) completes against the scripted model behind the fake
 * OpenAI upstream (chat completions) and the fake Bedrock runtime (Converse).
 */
import assert from "node:assert/strict";
import { generateText, Output, stepCountIs, streamText, tool } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
import { z } from "zod";
import { AGENTS_GATEWAY_KEY, agentsGateway, BEDROCK_CLAUDE } from "./agents_harness.ts";
import { SCRIPTED_OBJECT } from "./scripted_upstreams.ts";

const WEATHER_PROMPT = 'What is the weather? [[call get_weather {"city":"Paris"}]]';

const tools = {
  get_weather: tool({
    description: "The current weather in a city.",
    inputSchema: z.object({ city: z.string() }),
    execute: ({ city }) => Promise.resolve(`Sunny in ${city}, 21 degrees`),
  }),
};

Deno.test("Vercel AI SDK (default OpenAI Responses model) through the gateway", async (t) => {
  await using s = await agentsGateway();
  const openai = createOpenAI({ baseURL: `${s.url}/v1`, apiKey: AGENTS_GATEWAY_KEY });
  /** Errors `streamText` reported (it ends its text stream quietly on one). */
  const errors: unknown[] = [];

  await t.step("generateText answers through mock-echo", async () => {
    const result = await generateText({
      model: openai("mock-echo"),
      prompt: "Say the word albatross",
      maxRetries: 0,
    });
    assert.equal(result.text, "Say the word albatross");
    assert.equal(result.finishReason, "stop");
    assert.ok((result.usage.inputTokens ?? 0) > 0, JSON.stringify(result.usage));
    assert.match(String(result.response.id), /^resp_/);
  });

  await t.step("streamText answers through mock-echo", async () => {
    const result = streamText({
      model: openai("mock-echo"),
      prompt: "Stream the word pelican please",
      maxRetries: 0,
      onError: ({ error }) => void errors.push(error),
    });
    const pieces: string[] = [];
    for await (const delta of result.textStream) pieces.push(delta);
    assert.deepEqual(errors, []);
    assert.equal(pieces.join(""), "Stream the word pelican please");
    assert.ok(pieces.length > 1, "streamed in pieces");
    assert.equal(await result.finishReason, "stop");
    assert.ok(((await result.usage).outputTokens ?? 0) > 0);
  });

  await t.step("generateText runs a tool on a gpt-* model", async () => {
    const before = s.openai.chatRequests.length;
    const result = await generateText({
      model: openai("gpt-4.1"),
      prompt: WEATHER_PROMPT,
      tools,
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    assert.equal(result.text, "Tool said: Sunny in Paris, 21 degrees");
    assert.equal(result.steps.length, 2);
    assert.deepEqual(result.steps[0].toolCalls.map((c) => [c.toolName, c.input]), [[
      "get_weather",
      { city: "Paris" },
    ]]);
    const sent = s.openai.chatRequests.slice(before).map((r) => r.body as Record<string, unknown>);
    assert.equal(sent.length, 2, "the tool call, then the answer");
    const last = (sent[1].messages as Array<Record<string, unknown>>).at(-1)!;
    assert.equal(last.role, "tool");
    assert.match(JSON.stringify(last.content), /Sunny in Paris/);
  });

  await t.step("structured output (text.format json_schema) on a gpt-* model", async () => {
    const before = s.openai.chatRequests.length;
    const schema = z.object({ city: z.string(), sunny: z.boolean(), degrees: z.number() });
    const result = await generateText({
      model: openai("gpt-4.1"),
      prompt: "The weather in Paris as JSON.",
      output: Output.object({ schema }),
      maxRetries: 0,
    });
    assert.deepEqual(result.output, SCRIPTED_OBJECT);
    const sent = s.openai.chatRequests.slice(before).map((r) => r.body as Record<string, unknown>);
    assert.equal(sent.length, 1);
    // The Responses text.format became chat's response_format, schema and strictness kept.
    const format = sent[0].response_format as {
      type: string;
      json_schema: { strict?: boolean; schema: { properties: Record<string, unknown> } };
    };
    assert.equal(format.type, "json_schema");
    assert.deepEqual(Object.keys(format.json_schema.schema.properties), [
      "city",
      "sunny",
      "degrees",
    ]);
    assert.equal(format.json_schema.strict, true);
  });

  await t.step(`streamText runs a tool on ${BEDROCK_CLAUDE}`, async () => {
    const before = s.bedrock.requests.length;
    const result = streamText({
      model: openai(BEDROCK_CLAUDE),
      prompt: WEATHER_PROMPT,
      tools,
      stopWhen: stepCountIs(3),
      maxRetries: 0,
      onError: ({ error }) => void errors.push(error),
    });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    assert.deepEqual(errors, []);
    assert.equal(text, "Tool said: Sunny in Paris, 21 degrees");
    assert.equal((await result.steps).length, 2);
    const sent = s.bedrock.requests.slice(before);
    assert.deepEqual(sent.map((r) => r.operation), ["converse-stream", "converse-stream"]);
    const messages = (sent[1].body as { messages: Array<{ role: string; content: unknown[] }> })
      .messages;
    assert.match(JSON.stringify(messages.at(-1)!.content), /"toolResult".*Sunny in Paris/s);
  });
});

Deno.test("Vercel AI SDK through an upstream that speaks Responses", async () => {
  await using s = await agentsGateway({ OPENAI_RESPONSES_API: "true" });
  const openai = createOpenAI({ baseURL: `${s.url}/v1`, apiKey: AGENTS_GATEWAY_KEY });
  const errors: unknown[] = [];
  const result = streamText({
    model: openai("gpt-4.1"),
    prompt: WEATHER_PROMPT,
    tools,
    stopWhen: stepCountIs(3),
    maxRetries: 0,
    onError: ({ error }) => void errors.push(error),
  });
  let text = "";
  for await (const delta of result.textStream) text += delta;
  assert.deepEqual(errors, []);
  assert.equal(text, "Tool said: Sunny in Paris, 21 degrees");
  assert.equal(s.openai.chatRequests.length, 0);
  const sent = s.openai.responsesRequests.map((r) => r.body as Record<string, unknown>);
  assert.equal(sent.length, 2, "the tool call, then the answer");
  assert.ok(sent.every((b) => b.stream === true));
  const output = (sent[1].input as Array<Record<string, unknown>>).at(-1)!;
  assert.equal(output.type, "function_call_output");
  assert.equal(output.output, "Sunny in Paris, 21 degrees");
});

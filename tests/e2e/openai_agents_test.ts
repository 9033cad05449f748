/**
 * The OpenAI Agents SDK (`@openai/agents`) against the spawned gateway, as its README sets it
 * up for another OpenAI-compatible server: `setDefaultOpenAIClient(new OpenAI({ baseURL }))`
 * and a model name, which gives the SDK's default model — the Responses API
 * (`OpenAIResponsesModel`, `POST /v1/responses`). Tracing is off (it would export to OpenAI).
 *
 * `run(agent, …)` answers through `mock-echo` (JSON and streamed), and an agent with a zod
 * function tool completes the loop (function_call → the SDK runs the tool → function_call_output
 * → final text) against the scripted model behind the fake OpenAI upstream (chat completions)
 * and behind the fake Bedrock runtime (Converse); `previousResponseId` continues a conversation
 * the gateway stored, on another model.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import {
  Agent,
  OpenAIResponsesModel,
  run,
  setDefaultOpenAIClient,
  setTracingDisabled,
  tool,
} from "@openai/agents";
import { z } from "zod";
import { AGENTS_GATEWAY_KEY, agentsGateway, BEDROCK_CLAUDE } from "./agents_harness.ts";

const WEATHER_PROMPT = 'What is the weather? [[call get_weather {"city":"Paris"}]]';

/** A function tool the SDK runs itself; its output only exists on the client. */
const weather = tool({
  name: "get_weather",
  description: "The current weather in a city.",
  parameters: z.object({ city: z.string() }),
  execute: ({ city }) => `Sunny in ${city}, 21 degrees`,
});

Deno.test("OpenAI Agents SDK (default Responses model) through the gateway", async (t) => {
  await using s = await agentsGateway();
  setTracingDisabled(true);
  setDefaultOpenAIClient(
    new OpenAI({ baseURL: `${s.url}/v1`, apiKey: AGENTS_GATEWAY_KEY, maxRetries: 0 }),
  );

  await t.step("run(agent) answers through mock-echo", async () => {
    const agent = new Agent({ name: "Echo", instructions: "Be brief.", model: "mock-echo" });
    const result = await run(agent, "Say the word albatross");
    assert.match(String(result.finalOutput), /albatross/);
    assert.ok(result.state.usage.inputTokens > 0, JSON.stringify(result.state.usage));
  });

  await t.step("a streamed run answers through mock-echo", async () => {
    const agent = new Agent({ name: "Echo", instructions: "Be brief.", model: "mock-echo" });
    const result = await run(agent, "Stream the word pelican", { stream: true });
    let text = "";
    for await (const delta of result.toTextStream()) text += delta;
    await result.completed;
    assert.match(text, /pelican/);
    assert.equal(text, String(result.finalOutput));
  });

  await t.step("a function tool round trip on a gpt-* model", async () => {
    const before = s.openai.chatRequests.length;
    const agent = new Agent({
      name: "Weather",
      instructions: "Use your tools.",
      model: "gpt-4.1",
      tools: [weather],
    });
    const result = await run(agent, WEATHER_PROMPT);
    assert.equal(result.finalOutput, "Tool said: Sunny in Paris, 21 degrees");
    const calls = result.newItems.filter((i) => i.type === "tool_call_item");
    assert.equal(calls.length, 1);
    const sent = s.openai.chatRequests.slice(before).map((r) => r.body as Record<string, unknown>);
    assert.equal(sent.length, 2, "the tool call, then the answer");
    const messages = sent[1].messages as Array<Record<string, unknown>>;
    assert.equal(messages[0].role, "system");
    assert.match(JSON.stringify(messages[0].content), /Use your tools/);
    const last = messages.at(-1)!;
    assert.equal(last.role, "tool");
    assert.match(JSON.stringify(last.content), /Sunny in Paris/);
  });

  await t.step(`a streamed function tool round trip on ${BEDROCK_CLAUDE}`, async () => {
    const before = s.bedrock.requests.length;
    const agent = new Agent({
      name: "Weather",
      instructions: "Use your tools.",
      model: BEDROCK_CLAUDE,
      tools: [weather],
    });
    const result = await run(agent, WEATHER_PROMPT, { stream: true });
    let text = "";
    for await (const delta of result.toTextStream()) text += delta;
    await result.completed;
    assert.equal(text, "Tool said: Sunny in Paris, 21 degrees");
    const sent = s.bedrock.requests.slice(before);
    assert.deepEqual(sent.map((r) => r.operation), ["converse-stream", "converse-stream"]);
    const messages = (sent[1].body as { messages: Array<{ role: string; content: unknown[] }> })
      .messages;
    assert.match(JSON.stringify(messages.at(-1)!.content), /"toolResult".*Sunny in Paris/s);
  });

  await t.step("previousResponseId continues a stored conversation on another model", async () => {
    const echo = new Agent({ name: "Echo", instructions: "Be brief.", model: "mock-echo" });
    const first = await run(echo, "My name is Ada");
    assert.ok(first.lastResponseId?.startsWith("resp_"), String(first.lastResponseId));
    const before = s.openai.chatRequests.length;
    const agent = new Agent({ name: "Recall", instructions: "Answer.", model: "gpt-4.1" });
    await run(agent, "What is my name?", { previousResponseId: first.lastResponseId });
    const sent = s.openai.chatRequests.slice(before).map((r) => r.body as Record<string, unknown>);
    assert.equal(sent.length, 1);
    const turns = (sent[0].messages as Array<{ role: string; content: unknown }>)
      .filter((m) => m.role !== "system")
      .map((m) => [m.role, JSON.stringify(m.content)]);
    assert.equal(turns.length, 3, JSON.stringify(turns));
    assert.deepEqual(turns.map(([role]) => role), ["user", "assistant", "user"]);
    assert.match(turns[0][1], /My name is Ada/);
    assert.match(turns[2][1], /What is my name\?/);
  });
});

Deno.test("OpenAI Agents SDK through an upstream that speaks Responses", async () => {
  await using s = await agentsGateway({ OPENAI_RESPONSES_API: "true" });
  setTracingDisabled(true);
  // The SDK keeps the default client's provider once used, so this agent gets its own model.
  const client = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: AGENTS_GATEWAY_KEY, maxRetries: 0 });
  const agent = new Agent({
    name: "Weather",
    instructions: "Use your tools.",
    model: new OpenAIResponsesModel(client, "gpt-4.1"),
    tools: [weather],
  });
  const result = await run(agent, WEATHER_PROMPT);
  assert.equal(result.finalOutput, "Tool said: Sunny in Paris, 21 degrees");
  assert.equal(s.openai.chatRequests.length, 0);
  const sent = s.openai.responsesRequests.map((r) => r.body as Record<string, unknown>);
  assert.equal(sent.length, 2, "the tool call, then the answer");
  assert.equal(sent[1].instructions, "Use your tools.");
  const output = (sent[1].input as Array<Record<string, unknown>>).at(-1)!;
  assert.equal(output.type, "function_call_output");
  assert.equal(output.output, "Sunny in Paris, 21 degrees");
});

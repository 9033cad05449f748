/**
 * The `anthropic` provider kind through the canonical hub: OpenAI chat (JSON, SSE, a tool call
 * round trip) and Responses requests become Claude bodies for the fake Anthropic API, and its
 * answers come back in the client's format; count_tokens uses the API's own count.
 */
import assert from "node:assert/strict";
import { anthropicMessage, startFakeAnthropic } from "../fakes/anthropic_upstream.ts";
import { chatBody } from "../helpers/app.ts";
import { readDataEvents } from "../helpers/sse.ts";
import { anthropicGateway, KEY } from "./anthropic_harness.ts";

/** A streamed tool-call delta, as the test reads it. */
type ToolCallDelta = { id?: string; function: { name?: string; arguments?: string } };

Deno.test("anthropic via /v1/chat/completions: JSON answer in OpenAI shape", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake);
  fake.script(anthropicMessage([{ type: "text", text: "Bonjour" }], { inputTokens: 9 }));
  const res = await gw.post(
    "/v1/chat/completions",
    {
      model: "anthropic/claude-haiku-4-5",
      messages: [{ role: "system", content: "Speak French." }, { role: "user", content: "Hi" }],
      max_tokens: 50,
      temperature: 0.2,
    },
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.object, "chat.completion");
  assert.equal(body.model, "claude-haiku-4-5");
  assert.equal(body.choices[0].message.content, "Bonjour");
  assert.equal(body.choices[0].finish_reason, "stop");
  assert.equal(body.usage.prompt_tokens, 9);
  const sent = fake.messageRequests[0].body!;
  assert.equal(sent.model, "claude-haiku-4-5");
  assert.equal(sent.system, "Speak French.");
  assert.equal(sent.max_tokens, 50);
  assert.equal(sent.temperature, 0.2);
  assert.equal(sent.anthropic_version, undefined);
  assert.deepEqual(sent.messages, [{ role: "user", content: "Hi" }]);
});

Deno.test("anthropic via /v1/chat/completions: SSE stream and a tool call round trip", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake);
  const tools = [{
    type: "function",
    function: { name: "weather", parameters: { type: "object", properties: { city: {} } } },
  }];
  fake.script(anthropicMessage([
    { type: "text", text: "Checking." },
    { type: "tool_use", id: "toolu_7", name: "weather", input: { city: "Paris" } },
  ]));
  const first = await gw.post("/v1/chat/completions", {
    ...chatBody("anthropic/claude-sonnet-4-5", "Weather in Paris?"),
    tools,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(first.status, 200);
  const events = await readDataEvents(first);
  assert.equal(events.at(-1), "[DONE]");
  const chunks = events.slice(0, -1) as Array<
    { choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }> }
  >;
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
  assert.equal(text, "Checking.");
  const calls = chunks.flatMap((c) =>
    (c.choices[0]?.delta.tool_calls as ToolCallDelta[] | undefined) ?? []
  );
  assert.equal(calls[0].id, "toolu_7");
  assert.equal(calls[0].function.name, "weather");
  assert.deepEqual(JSON.parse(calls.map((c) => c.function.arguments ?? "").join("")), {
    city: "Paris",
  });
  assert.ok(chunks.some((c) => c.choices[0]?.finish_reason === "tool_calls"));
  assert.equal(fake.messageRequests[0].body!.stream, true);
  assert.equal((fake.messageRequests[0].body!.tools as unknown[]).length, 1);

  fake.script(anthropicMessage([{ type: "text", text: "Sunny." }]));
  const second = await gw.post("/v1/chat/completions", {
    model: "anthropic/claude-sonnet-4-5",
    tools,
    messages: [
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [{
          id: "toolu_7",
          type: "function",
          function: { name: "weather", arguments: '{"city":"Paris"}' },
        }],
      },
      { role: "tool", tool_call_id: "toolu_7", content: "22C, sunny" },
    ],
  });
  assert.equal(second.status, 200);
  assert.equal((await second.json()).choices[0].message.content, "Sunny.");
  const sent = fake.messageRequests[1].body!.messages as Array<
    { role: string; content: Array<Record<string, unknown>> }
  >;
  assert.deepEqual(sent[1].content.at(-1), {
    type: "tool_use",
    id: "toolu_7",
    name: "weather",
    input: { city: "Paris" },
  });
  assert.equal(sent[2].content[0].type, "tool_result");
  assert.equal(sent[2].content[0].tool_use_id, "toolu_7");
});

Deno.test("anthropic via /v1/responses: a Responses answer from a Claude message", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake);
  fake.script(anthropicMessage([{ type: "text", text: "Forty-two." }]));
  const res = await gw.post("/v1/responses", {
    model: "anthropic/claude-sonnet-4-5",
    input: "What is the answer?",
    instructions: "Be terse.",
    store: false,
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.object, "response");
  assert.equal(body.status, "completed");
  assert.equal(body.output_text ?? body.output[0].content[0].text, "Forty-two.");
  const sent = fake.messageRequests[0].body!;
  assert.equal(sent.system, "Be terse.");
  assert.equal(sent.model, "claude-sonnet-4-5");
});

Deno.test("anthropic count_tokens: the Messages API's count, exact", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake);
  const res = await gw.post("/v1/messages/count_tokens", {
    model: "anthropic/claude-sonnet-4-5",
    messages: [{ role: "user", content: "Count me" }],
  }, { "anthropic-beta": "token-counting-2024-11-01" });
  assert.equal(res.status, 200);
  const body = await res.json();
  const counted = fake.requests.find((r) => r.path === "/v1/messages/count_tokens")!;
  assert.deepEqual(counted.body, {
    messages: [{ role: "user", content: "Count me" }],
    model: "claude-sonnet-4-5",
  });
  assert.equal(counted.headers.get("anthropic-beta"), "token-counting-2024-11-01");
  const expected = Math.ceil(JSON.stringify(["", counted.body!.messages, []]).length / 4);
  assert.equal(body.input_tokens, expected);
});

Deno.test("anthropic listModels: the API's list (owned by the instance); prefixed ids resolve", async () => {
  await using fake = startFakeAnthropic({ requireKey: KEY });
  const gw = anthropicGateway(fake);
  const res = await gw.get("/v1/models");
  const models = (await res.json()).data as Array<{ id: string; owned_by: string }>;
  const listed = models.filter((m) => m.owned_by === "anthropic").map((m) => m.id);
  // Ids no kind claims are listed as the upstream names them (the registry's rule today).
  assert.deepEqual(listed, ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]);
  const [call] = fake.requests.filter((r) => r.path === "/v1/models");
  assert.equal(call.headers.get("x-api-key"), KEY);
  const one = await gw.get("/v1/models/anthropic/claude-opus-4-1");
  assert.equal(one.status, 200);
  assert.equal((await one.json()).id, "anthropic/claude-opus-4-1");
});

Deno.test("anthropic listModels: an unreachable API degrades to an empty list", async () => {
  const fake = startFakeAnthropic({ requireKey: KEY });
  await fake.close();
  const gw = anthropicGateway(fake);
  const res = await gw.get("/v1/models");
  assert.equal(res.status, 200);
  const models = (await res.json()).data as Array<{ owned_by: string }>;
  assert.equal(models.filter((m) => m.owned_by === "anthropic").length, 0);
  assert.ok(models.length > 0, "the other instances are still listed");
});

/**
 * `POST /v1/messages/count_tokens` in process: Bedrock Claude models through the real AWS SDK's
 * CountTokensCommand against the fake Bedrock (the body it received is the native Claude body;
 * profile prefixes and ARNs mapped to the base model), the mock's exact count, the estimate for
 * OpenAI-compatible and non-Claude models (labelled by `x-gateway-token-count`), and bad input
 * answered in Anthropic's envelope with no upstream call.
 */
import assert from "node:assert/strict";
import { COUNT_UNSUPPORTED_MESSAGE, fakeTokenCount } from "../fakes/bedrock_count_tokens.ts";
import type { FakeBedrock } from "../fakes/bedrock_runtime.ts";
import { startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { testApp } from "../helpers/app.ts";
import { bedrockGateway } from "./bedrock_harness.ts";

const PATH = "/v1/messages/count_tokens";
const SONNET = "anthropic.claude-sonnet-4-20250514-v1:0";
const HEADER = "x-gateway-token-count";

/** 25 characters: the estimate is ceil(25 / 4) = 7. */
const HELLO = [{ role: "user", content: "Hello there, how are you?" }];

type AnthropicError = { type: string; error: { type: string; message: string } };

const countRequests = (fake: FakeBedrock) =>
  fake.requests.filter((r) => r.operation === "count-tokens");

Deno.test("Bedrock Claude: CountTokens gets the native Claude body; the count comes back exact", async () => {
  await using h = bedrockGateway();
  const tools = [{
    name: "get_weather",
    description: "Weather for a city",
    input_schema: { type: "object", properties: { city: { type: "string" } } },
  }];
  const res = await h.gw.post(PATH, {
    model: SONNET,
    system: "Be brief.",
    messages: [
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "t1", name: "get_weather", input: { city: "Paris" } }],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "Sunny" }] },
    ],
    tools,
    tool_choice: { type: "auto" },
    thinking: { type: "enabled", budget_tokens: 2048 },
    context_management: { edits: [] },
  }, { "anthropic-beta": "interleaved-thinking-2025-05-14,claude-code-20250219" });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get(HEADER), "exact");
  assert.ok(res.headers.get("request-id"), "Anthropic's request-id header");
  const [call] = countRequests(h.fake);
  assert.equal(call.modelId, SONNET);
  assert.equal(
    call.path,
    `/model/${encodeURIComponent(SONNET)}/count-tokens`,
  );
  // The native body InvokeModel would get: gateway fields gone, anthropic_version and max_tokens
  // (the model's maximum output) added, fields and betas Bedrock does not take dropped.
  const expected = {
    anthropic_version: "bedrock-2023-05-31",
    max_tokens: 64000,
    system: "Be brief.",
    messages: [
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "t1", name: "get_weather", input: { city: "Paris" } }],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "Sunny" }] },
    ],
    tools,
    tool_choice: { type: "auto" },
    thinking: { type: "enabled", budget_tokens: 2048 },
    anthropic_beta: ["interleaved-thinking-2025-05-14"],
  };
  assert.deepEqual(call.countedBody, expected);
  assert.deepEqual(await res.json(), { input_tokens: fakeTokenCount(expected) });
  const log = h.gw.accessLogs().at(-1)!;
  assert.equal(log.status, 200);
  assert.equal(log.provider, "bedrock");
});

Deno.test("Bedrock Claude: profile prefixes and ARNs count against the base model id", async (t) => {
  await using h = bedrockGateway();
  const rows: Array<[string, string]> = [
    [`us.${SONNET}`, SONNET],
    [`eu.${SONNET}`, SONNET],
    [`apac.${SONNET}`, SONNET],
    [`global.${SONNET}`, SONNET],
    [`arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${SONNET}`, SONNET],
    [`arn:aws:bedrock:us-east-1::foundation-model/${SONNET}`, SONNET],
    [`bedrock/us.${SONNET}`, SONNET],
  ];
  for (const [model, sent] of rows) {
    await t.step(model, async () => {
      const before = countRequests(h.fake).length;
      const res = await h.gw.post(PATH, { model, messages: HELLO, max_tokens: 100 });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get(HEADER), "exact");
      const calls = countRequests(h.fake);
      assert.equal(calls.length, before + 1);
      assert.equal(calls.at(-1)!.modelId, sent);
      const body = { anthropic_version: "bedrock-2023-05-31", max_tokens: 100, messages: HELLO };
      assert.deepEqual(calls.at(-1)!.countedBody, body, "the client's max_tokens is kept");
      assert.deepEqual(await res.json(), { input_tokens: fakeTokenCount(body) });
    });
  }
});

Deno.test("Bedrock: a model CountTokens does not support gets the labelled estimate", async (t) => {
  await using h = bedrockGateway();
  await t.step("a Claude model Bedrock refuses to count", async () => {
    h.fake.enqueue({
      kind: "error",
      type: "ValidationException",
      message: COUNT_UNSUPPORTED_MESSAGE,
    });
    const res = await h.gw.post(PATH, { model: `global.${SONNET}`, messages: HELLO });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get(HEADER), "estimate");
    assert.deepEqual(await res.json(), { input_tokens: 7 });
    assert.equal(countRequests(h.fake).length, 1, "Bedrock was asked first");
    const notes = h.gw.accessLogs().at(-1)!.notes as string[];
    assert.ok(notes.some((n) => n.includes("does not support")), JSON.stringify(notes));
  });
  await t.step(
    "an application inference profile (its model is unknown, as for chat): estimated",
    async () => {
      const arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123";
      const before = h.fake.requests.length;
      const res = await h.gw.post(PATH, { model: arn, messages: HELLO });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(res.headers.get(HEADER), "estimate");
      assert.deepEqual(await res.json(), { input_tokens: 7 });
      assert.equal(h.fake.requests.length, before);
    },
  );
  await t.step("a non-Claude Bedrock model: estimated without an upstream call", async () => {
    const before = h.fake.requests.length;
    const res = await h.gw.post(PATH, { model: "amazon.nova-pro-v1:0", messages: HELLO });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get(HEADER), "estimate");
    assert.deepEqual(await res.json(), { input_tokens: 7 });
    assert.equal(h.fake.requests.length, before);
  });
});

Deno.test("Bedrock: upstream errors are mapped as for chat, in Anthropic's envelope", async (t) => {
  await using h = bedrockGateway();
  const rows: Array<[string, number, string]> = [
    ["ValidationException", 400, "invalid_request_error"],
    ["ThrottlingException", 429, "rate_limit_error"],
    ["AccessDeniedException", 403, "permission_error"],
    ["ResourceNotFoundException", 404, "not_found_error"],
    ["InternalServerException", 502, "api_error"],
  ];
  for (const [type, status, anthropicType] of rows) {
    await t.step(type, async () => {
      h.fake.enqueue({ kind: "error", type, message: `${type}: messages.0.content is bad` });
      const res = await h.gw.post(PATH, { model: SONNET, messages: HELLO });
      assert.equal(res.status, status);
      const body = await res.json() as AnthropicError;
      assert.equal(body.type, "error");
      assert.equal(body.error.type, anthropicType);
    });
  }
});

Deno.test("mock: the exact count is the prompt tokens its answer reports", async () => {
  const gw = testApp();
  const request = {
    model: "mock-echo",
    system: "Be brief.",
    messages: [{ role: "user", content: "Hello there my friend" }],
  };
  const res = await gw.post(PATH, request);
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get(HEADER), "exact");
  assert.deepEqual(await res.json(), { input_tokens: 6 });
  const answer = await (await gw.post("/v1/messages", { ...request, max_tokens: 50 })).json();
  assert.equal(answer.usage.input_tokens, 6);
  // The SDK's beta endpoint (`client.beta.messages.countTokens`, as Claude Code calls it).
  const beta = await gw.post(`${PATH}?beta=true`, request, {
    "anthropic-beta": "token-counting-2024-11-01",
  });
  assert.equal(beta.status, 200);
  assert.deepEqual(await beta.json(), { input_tokens: 6 });
});

Deno.test("OpenAI models: the estimate, labelled, without an upstream call", async () => {
  await using fake = await startFakeOpenAI({ requireKey: "test" });
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  const tools = [{ name: "f", description: "abcd", input_schema: { type: "object" } }];
  const res = await gw.post(PATH, { model: "gpt-4o-mini", messages: HELLO, tools });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get(HEADER), "estimate");
  // 25 characters of text + "f" + "abcd" + '{"type":"object"}' (17) = 47 → ceil(47 / 4) = 12.
  assert.deepEqual(await res.json(), { input_tokens: 12 });
  assert.equal(fake.requests.length, 0);
});

Deno.test("unknown models: the usual not-found error in Anthropic's envelope", async () => {
  const gw = testApp();
  for (const model of ["no-such-model", "mock-nope"]) {
    const res = await gw.post(PATH, { model, messages: HELLO });
    assert.equal(res.status, 404);
    const body = await res.json() as AnthropicError;
    assert.equal(body.error.type, "not_found_error");
    assert.ok(body.error.message.includes(model), body.error.message);
    assert.ok(!body.error.message.includes("Unknown route"));
  }
  const get = await gw.get(PATH);
  assert.equal(get.status, 405);
  assert.equal((await get.json() as AnthropicError).type, "error");
});

Deno.test("bad input: 400 in Anthropic's envelope naming the field, no upstream call", async (t) => {
  await using h = bedrockGateway();
  const rows: Array<[string, unknown, string]> = [
    ["missing model", { messages: HELLO }, "'model'"],
    ["model not a string", { model: 5, messages: HELLO }, "'model'"],
    ["missing messages", { model: SONNET }, "'messages'"],
    ["empty messages", { model: SONNET, messages: [] }, "'messages'"],
    ["messages not a list", { model: SONNET, messages: "Hi" }, "'messages'"],
    [
      "unknown role",
      { model: SONNET, messages: [{ role: "bot", content: "Hi" }] },
      "messages[0].role",
    ],
    ["tools not a list", { model: SONNET, messages: HELLO, tools: {} }, "'tools'"],
    [
      "tool_choice unknown",
      { model: SONNET, messages: HELLO, tool_choice: { type: "x" } },
      "tool_choice",
    ],
    ["thinking budget 0", {
      model: SONNET,
      messages: HELLO,
      thinking: { type: "enabled", budget_tokens: 0 },
    }, "thinking.budget_tokens"],
    ["system a number", { model: SONNET, messages: HELLO, system: 3 }, "'system'"],
    ["max_tokens 0", { model: SONNET, messages: HELLO, max_tokens: 0 }, "'max_tokens'"],
    ["file_ids", { model: SONNET, messages: HELLO, file_ids: ["file-1"] }, "'file_ids'"],
    ["an orphan tool_result", {
      model: SONNET,
      messages: [{
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "x", content: "" }],
      }],
    }, "messages[0].content[0].tool_use_id"],
    ["not an object", [1, 2], "JSON object"],
  ];
  for (const [name, body, field] of rows) {
    await t.step(name, async () => {
      const res = await h.gw.post(PATH, body);
      assert.equal(res.status, 400, name);
      const error = await res.json() as AnthropicError;
      assert.equal(error.type, "error");
      assert.equal(error.error.type, "invalid_request_error");
      assert.ok(error.error.message.includes(field), `${field} in ${error.error.message}`);
    });
  }
  const invalidJson = await h.gw.post(PATH, "{not json");
  assert.equal(invalidJson.status, 400);
  assert.equal((await invalidJson.json() as AnthropicError).error.type, "invalid_request_error");
  assert.equal(h.fake.requests.length, 0, "no upstream call");
  const health = await h.gw.get("/health");
  assert.equal(health.status, 200);
});

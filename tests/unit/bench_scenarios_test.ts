/**
 * The benchmark's Responses and embeddings scenarios: the gateway is sent `/v1/responses` or
 * `/v1/embeddings`, the floors the Chat Completions body of the OpenAI scenarios, and the
 * answer checks accept a whole answer with the mock's text and refuse anything short of it.
 */
import assert from "node:assert/strict";
import { ANSWER_TEXT } from "../performance/mock_upstream.ts";
import {
  BENCH_ALIAS,
  requestFor,
  runsOn,
  type ScenarioId,
  SCENARIOS,
} from "../performance/scenarios.ts";

const scenario = (id: ScenarioId) => SCENARIOS.find((s) => s.id === id)!;
const bytes = (text: string) => new TextEncoder().encode(text);
const event = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const response = (text: string, status = "completed") => ({
  id: "resp_1",
  object: "response",
  status,
  output: [{
    type: "message",
    role: "assistant",
    content: [{ type: "output_text", text, annotations: [] }],
  }],
});
const stream = (end: string) =>
  event("response.created", { response: response("", "in_progress") }) +
  event("response.output_text.delta", { delta: ANSWER_TEXT }) + end;

Deno.test("bench scenarios: Responses requests go to the gateway's /v1/responses, floors to chat", () => {
  for (const id of ["responses-json", "responses-sse", "responses-json-nostore"] as const) {
    const s = scenario(id);
    const gateway = requestFor("gateway", "http://gw", s);
    assert.equal(gateway.url, "http://gw/v1/responses");
    const body = JSON.parse(gateway.body);
    assert.equal(body.model, "gpt-4o-mini");
    assert.equal(typeof body.input, "string");
    assert.equal(body.stream, s.stream ? true : undefined);
    assert.equal(body.store, id === "responses-json-nostore" ? false : undefined);
    if (id === "responses-json-nostore") continue;
    const floor = requestFor("passthrough", "http://pt", s);
    assert.equal(floor.url, "http://pt/v1/chat/completions");
    const chat = scenario(s.stream ? "openai-sse" : "openai-json");
    assert.equal(floor.body, requestFor("passthrough", "http://pt", chat).body);
  }
  assert.deepEqual(
    ["direct", "passthrough", "relay-floor", "sdk", "sdk-relay", "aws-sdk", "gateway"]
      .filter((t) => runsOn(t as never, scenario("responses-sse"))),
    ["direct", "passthrough", "relay-floor", "sdk", "sdk-relay", "gateway"],
  );
  assert.deepEqual(
    SCENARIOS.filter((s) => runsOn("direct", s) === false).map((s) => s.id),
    [
      "openai-sse-paced",
      "responses-json-nostore",
      "alias-json",
      "limited-json",
      "static-json",
      "embeddings-json",
    ],
  );
});

Deno.test("bench scenarios: the alias scenario sends the alias to the gateway, the model to floors", () => {
  const s = scenario("alias-json");
  assert.equal(JSON.parse(requestFor("gateway", "http://gw", s).body).model, BENCH_ALIAS);
  const floor = requestFor("passthrough", "http://pt", s);
  assert.equal(floor.body, requestFor("passthrough", "http://pt", scenario("openai-json")).body);
});

Deno.test("bench scenarios: the rate-limited scenario is OpenAI JSON with the limited key", () => {
  const s = scenario("limited-json");
  const limited = requestFor("gateway", "http://gw", s, "sk-gw-limited");
  const plain = requestFor("gateway", "http://gw", scenario("openai-json"), "sk-gw-limited");
  assert.equal(limited.body, plain.body);
  assert.equal(limited.headers.authorization, "Bearer sk-gw-limited");
  assert.notEqual(plain.headers.authorization, "Bearer sk-gw-limited");
  assert.throws(() => requestFor("gateway", "http://gw", s), /needs the rate-limited key/);
});

Deno.test("bench scenarios: the Response check wants the mock's text in output[0].content[0]", () => {
  const { validate } = requestFor("gateway", "http://gw", scenario("responses-json"));
  assert.equal(validate(bytes(JSON.stringify(response(ANSWER_TEXT)))), true);
  assert.equal(validate(bytes(JSON.stringify(response("other text")))), false);
  assert.equal(validate(bytes(JSON.stringify(response(ANSWER_TEXT, "incomplete")))), false);
  assert.equal(
    validate(bytes(JSON.stringify({ ...response(ANSWER_TEXT), object: "chat.completion" }))),
    false,
  );
});

Deno.test("bench scenarios: the Responses stream check wants response.completed with the text last", () => {
  const { validate } = requestFor("gateway", "http://gw", scenario("responses-sse"));
  const completed = event("response.completed", { response: response(ANSWER_TEXT) });
  assert.equal(validate(bytes(stream(completed))), true);
  assert.equal(validate(bytes(stream(""))), false, "no response.completed");
  assert.equal(
    validate(bytes(stream(event("response.completed", { response: response("partial") })))),
    false,
    "completed without the text",
  );
  assert.equal(
    validate(bytes(stream(completed + event("response.output_text.delta", { delta: "x" })))),
    false,
    "an event after completed",
  );
  assert.equal(validate(bytes(stream(completed.slice(0, -1)))), false, "cut before the end");
  assert.equal(
    validate(bytes(stream(event("error", { message: "boom" }) + completed))),
    false,
    "an error event",
  );
  assert.equal(validate(bytes(completed)), false, "no response.created first");
});

Deno.test("bench scenarios: embeddings go to the gateway alone, three vectors expected", () => {
  const s = scenario("embeddings-json");
  assert.deepEqual(SCENARIOS.filter((x) => x.targets?.length === 1).map((x) => x.id), [
    "limited-json",
    "static-json",
    "embeddings-json",
  ]);
  assert.equal(runsOn("passthrough", s), false);
  const { url, body, validate } = requestFor("gateway", "http://gw", s);
  assert.equal(url, "http://gw/v1/embeddings");
  assert.equal(JSON.parse(body).model, "mock-embed");
  const list = (n: number) => ({
    object: "list",
    data: Array.from({ length: n }, (_, i) => ({ object: "embedding", index: i, embedding: [1] })),
  });
  assert.equal(validate(bytes(JSON.stringify(list(3)))), true);
  assert.equal(validate(bytes(JSON.stringify(list(2)))), false);
});

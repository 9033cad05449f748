/**
 * `POST /v1/responses` answered by the mock provider through the canonical hub: the Response
 * object, the checked event stream, ignored built-in tools, and bad input (400s naming the
 * field, 404 for `previous_response_id` without a store; the gateway stays healthy).
 */
import assert from "node:assert/strict";
import { testApp } from "../helpers/app.ts";
import { checkResponsesStream } from "../helpers/responses_stream_checker.ts";
import { readSse } from "../helpers/sse.ts";

Deno.test("JSON: a Response object with the request's settings echoed", async () => {
  const gw = testApp({});
  const res = await gw.post("/v1/responses", {
    model: "mock-echo",
    input: [{ role: "user", content: [{ type: "input_text", text: "Hello there" }] }],
    instructions: "Be brief",
    temperature: 0,
    metadata: { k: "v" },
    max_output_tokens: 100,
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-gateway-ignored-tools"), null);
  const body = await res.json();
  assert.match(body.id, /^resp_/);
  assert.equal(body.object, "response");
  assert.equal(body.status, "completed");
  assert.equal(body.model, "mock-echo");
  assert.equal(body.instructions, "Be brief");
  assert.equal(body.temperature, 0);
  assert.deepEqual(body.metadata, { k: "v" });
  assert.equal(body.max_output_tokens, 100);
  assert.equal(body.error, null);
  assert.equal(body.incomplete_details, null);
  assert.equal(body.output.length, 1);
  const [message] = body.output;
  assert.match(message.id, /^msg_/);
  assert.deepEqual(message.content, [{
    type: "output_text",
    text: "Hello there",
    annotations: [],
    logprobs: [],
  }]);
  assert.equal(body.usage.input_tokens > 0, true);
  assert.equal(body.usage.total_tokens, body.usage.input_tokens + body.usage.output_tokens);
  assert.deepEqual(body.usage.input_tokens_details, { cached_tokens: 0 });
  assert.deepEqual(body.usage.output_tokens_details, { reasoning_tokens: 0 });
});

Deno.test("SSE: the event sequence passes the checker; event names are the types; no [DONE]", async () => {
  const gw = testApp({});
  const res = await gw.post("/v1/responses", {
    model: "mock-echo",
    input: "one two three",
    stream: true,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const frames = await readSse(res);
  assert.ok(frames.every((f) => f.data !== "[DONE]"));
  const summary = checkResponsesStream(frames);
  assert.equal(summary.terminal, "response.completed");
  assert.equal(summary.text, "one two three");
  assert.deepEqual(summary.itemTypes, ["message"]);
  assert.equal((summary.response.usage as { output_tokens: number }).output_tokens, 3);
});

Deno.test("built-in tools are left out for the mock and named in x-gateway-ignored-tools and the log", async () => {
  const gw = testApp({});
  const res = await gw.post("/v1/responses", {
    model: "mock-echo",
    input: "Hi",
    tools: [
      { type: "web_search" },
      { type: "function", name: "f", parameters: { type: "object", properties: {} } },
      { type: "file_search", vector_store_ids: ["vs_1"] },
      { type: "web_search" },
    ],
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-gateway-ignored-tools"), "web_search,file_search");
  const body = await res.json();
  assert.equal(body.tools.length, 4, "the Response echoes the tools as sent");
  const log = gw.accessLogs().at(-1)!;
  assert.match(JSON.stringify(log), /web_search, file_search/);
});

Deno.test("bad input: 400 naming the field, never an upstream call; the server stays healthy", async (t) => {
  const gw = testApp({});
  const cases: Array<{ name: string; body: unknown; status: number; param: string | null }> = [
    {
      name: "unknown item type",
      body: { model: "mock-echo", input: [{ type: "bogus" }] },
      status: 400,
      param: "input[0].type",
    },
    {
      name: "unknown item type after a good one",
      body: {
        model: "mock-echo",
        input: [{ role: "user", content: "Hi" }, { type: "nope", x: 1 }],
      },
      status: 400,
      param: "input[1].type",
    },
    {
      name: "empty input list",
      body: { model: "mock-echo", input: [] },
      status: 400,
      param: "input",
    },
    {
      name: "empty input string",
      body: { model: "mock-echo", input: "" },
      status: 400,
      param: "input",
    },
    { name: "missing input", body: { model: "mock-echo" }, status: 400, param: "input" },
    {
      name: "function_call_output without its call",
      body: {
        model: "mock-echo",
        input: [
          { role: "user", content: "Hi" },
          { type: "function_call", call_id: "call_1", name: "f", arguments: "{}" },
          { type: "function_call_output", call_id: "call_2", output: "4" },
        ],
      },
      status: 400,
      param: "input[2].call_id",
    },
    {
      name: "bad role",
      body: { model: "mock-echo", input: [{ role: "robot", content: "Hi" }] },
      status: 400,
      param: "input[0].role",
    },
    {
      name: "json_schema without a schema",
      body: {
        model: "mock-echo",
        input: "Hi",
        text: { format: { type: "json_schema", name: "x" } },
      },
      status: 400,
      param: "text.format.schema",
    },
    {
      name: "previous_response_id without a store",
      body: { model: "mock-echo", input: "Hi", previous_response_id: "resp_unknown" },
      status: 404,
      param: "previous_response_id",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      const res = await gw.post("/v1/responses", c.body);
      assert.equal(res.status, c.status);
      const body = await res.json();
      assert.equal(body.error.param, c.param, JSON.stringify(body));
      assert.equal(typeof body.error.message, "string");
      if (c.status === 404) assert.equal(body.error.code, "previous_response_not_found");
    });
  }
  const health = await gw.get("/health");
  assert.equal(health.status, 200);
  const ok = await gw.post("/v1/responses", { model: "mock-echo", input: "still fine" });
  assert.equal(ok.status, 200);
});

Deno.test("GET /v1/responses is 405; an unknown model is a 404 in OpenAI's envelope", async () => {
  const gw = testApp({});
  assert.equal((await gw.get("/v1/responses")).status, 405);
  const res = await gw.post("/v1/responses", { model: "nope-model", input: "Hi" });
  const body = await res.json();
  assert.ok(res.status >= 400 && res.status < 500, String(res.status));
  assert.equal(typeof body.error.message, "string");
});

Deno.test("/v1/chat/completions does not take a Responses body for one", async () => {
  const gw = testApp({});
  const res = await gw.post("/v1/chat/completions", { model: "mock-echo", input: "Hi" });
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.error.param, "messages");
});

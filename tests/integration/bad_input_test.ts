/**
 * Bad chat requests are 400 `invalid_request_error` with `param` naming the field — never a 5xx
 * — and the gateway keeps serving afterwards. No upstream is ever called for them.
 */
import assert from "node:assert/strict";
import { startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { chatBody, testApp } from "../helpers/app.ts";

const M = [{ role: "user", content: "hi" }];

interface Row {
  name: string;
  /** A string is sent as is; anything else as JSON. */
  body: unknown;
  param: string | null;
  code: string;
  query?: string;
}

const ROWS: Row[] = [
  { name: "not JSON", body: '{"model":', param: null, code: "invalid_json" },
  { name: "empty body", body: "", param: null, code: "invalid_json" },
  { name: "JSON array", body: "[]", param: null, code: "invalid_request_body" },
  { name: "JSON string", body: '"hello"', param: null, code: "invalid_request_body" },
  { name: "JSON null", body: "null", param: null, code: "invalid_request_body" },
  {
    name: "missing model",
    body: { messages: M },
    param: "model",
    code: "missing_required_parameter",
  },
  {
    name: "model is a number",
    body: { model: 42, messages: M },
    param: "model",
    code: "invalid_value",
  },
  {
    name: "model is empty",
    body: { model: "", messages: M },
    param: "model",
    code: "invalid_value",
  },
  {
    name: "missing messages",
    body: { model: "gpt-4o" },
    param: "messages",
    code: "missing_required_parameter",
  },
  {
    name: "empty messages",
    body: { model: "gpt-4o", messages: [] },
    param: "messages",
    code: "invalid_value",
  },
  {
    name: "messages is a string",
    body: { model: "gpt-4o", messages: "hi" },
    param: "messages",
    code: "invalid_value",
  },
  {
    name: "unknown role",
    body: { model: "gpt-4o", messages: [{ role: "wizard", content: "x" }] },
    param: "messages[0].role",
    code: "invalid_value",
  },
  {
    name: "unknown role in the second message",
    body: { model: "gpt-4o", messages: [...M, { role: "robot", content: "x" }] },
    param: "messages[1].role",
    code: "invalid_value",
  },
  {
    name: "temperature as a string",
    body: { model: "gpt-4o", messages: M, temperature: "0.5" },
    param: "temperature",
    code: "invalid_value",
  },
  {
    name: "temperature out of range",
    body: { model: "gpt-4o", messages: M, temperature: 2.5 },
    param: "temperature",
    code: "invalid_value",
  },
  {
    name: "unknown content-part type",
    body: { model: "gpt-4o", messages: [{ role: "user", content: [{ type: "video" }] }] },
    param: "messages[0].content[0].type",
    code: "invalid_value",
  },
  {
    name: "text part without text",
    body: { model: "gpt-4o", messages: [{ role: "user", content: [{ type: "text" }] }] },
    param: "messages[0].content[0].text",
    code: "missing_required_parameter",
  },
  {
    name: "tool without a name",
    body: { model: "gpt-4o", messages: M, tools: [{ type: "function", function: {} }] },
    param: "tools[0].function.name",
    code: "missing_required_parameter",
  },
  {
    name: "tool with an invalid name",
    body: {
      model: "gpt-4o",
      messages: M,
      tools: [{ type: "function", function: { name: "a b" } }],
    },
    param: "tools[0].function.name",
    code: "invalid_value",
  },
  {
    name: "n = 0",
    body: { model: "gpt-4o", messages: M, n: 0 },
    param: "n",
    code: "invalid_value",
  },
  {
    name: "n = 129",
    body: { model: "gpt-4o", messages: M, n: 129 },
    param: "n",
    code: "invalid_value",
  },
  {
    name: "n = 1.5",
    body: { model: "gpt-4o", messages: M, n: 1.5 },
    param: "n",
    code: "invalid_value",
  },
  {
    name: "stream as a string",
    body: { model: "gpt-4o", messages: M, stream: "yes" },
    param: "stream",
    code: "invalid_value",
  },
  {
    name: "tool message without tool_call_id",
    body: { model: "gpt-4o", messages: [{ role: "tool", content: "x" }] },
    param: "messages[0].tool_call_id",
    code: "missing_required_parameter",
  },
  {
    name: "unknown response_format type",
    body: { model: "gpt-4o", messages: M, response_format: { type: "xml" } },
    param: "response_format.type",
    code: "invalid_value",
  },
  {
    name: "unknown tool_choice",
    body: { model: "gpt-4o", messages: M, tool_choice: "sometimes" },
    param: "tool_choice",
    code: "invalid_value",
  },
  {
    // Found by the fuzz test: Bedrock ids travel in the URL path, which the SDK cannot encode.
    name: "Bedrock model id with a lone surrogate",
    body: { model: "anthropic.claude-\ud83d", messages: M },
    param: "model",
    code: "invalid_value",
  },
  {
    name: "OpenAI model id with a lone surrogate",
    body: { model: "gpt-\ud800", messages: M },
    param: "model",
    code: "invalid_value",
  },
  {
    name: "unknown target_format",
    body: { model: "gpt-4o", messages: M },
    query: "?target_format=xml",
    param: "target_format",
    code: "invalid_value",
  },
];

Deno.test("bad chat input → 400 invalid_request_error naming the field", async (t) => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  for (const row of ROWS) {
    await t.step(row.name, async () => {
      const res = await gw.post(`/v1/chat/completions${row.query ?? ""}`, row.body);
      assert.equal(res.status, 400);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      const { error } = await res.json();
      assert.equal(error.type, "invalid_request_error");
      assert.equal(error.code, row.code);
      assert.equal(error.param, row.param);
      assert.equal(typeof error.message, "string");
      if (row.param !== null) assert.ok(error.message.includes(row.param), error.message);
      if (row.code === "missing_required_parameter") {
        assert.ok(error.message.endsWith(`Missing required parameter: '${row.param}'.`));
      }
    });
  }
  assert.equal(fake.requests.length, 0, "nothing reached the upstream");

  // The gateway keeps serving.
  const ok = await gw.post("/v1/chat/completions", chatBody("mock-echo", "still here"));
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).choices[0].message.content, "still here");
  const logged = gw.accessLogs().map((l) => l.status);
  assert.deepEqual(logged, [...ROWS.map(() => 400), 200]);
});

Deno.test("stream:true with a bad body is a plain JSON 400, not an event stream", async () => {
  const gw = testApp();
  const res = await gw.post("/v1/chat/completions", { model: "mock-echo", stream: true });
  assert.equal(res.status, 400);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  assert.equal((await res.json()).error.param, "messages");
});

Deno.test("with API_KEY, a wrong content-type with a JSON body is still parsed as JSON", async () => {
  // Clients such as `curl -d` send application/x-www-form-urlencoded; a key proves they are no
  // cross-site page. (Without API_KEY a JSON content type is required: local_only_test.ts.)
  const gw = testApp({ API_KEY: "k" });
  const res = await gw.request("/v1/chat/completions", {
    method: "POST",
    headers: { "content-type": "text/plain", authorization: "Bearer k" },
    body: JSON.stringify(chatBody("mock-echo", "plain")),
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).choices[0].message.content, "plain");
});

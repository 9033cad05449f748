import assert from "node:assert/strict";
import { GatewayError } from "../../../../core/errors.ts";
import { chatRequestSchema } from "../../../../core/formats/openai/schema.ts";
import { formatPath, parseWith } from "../../../../core/formats/validate.ts";

const user = { role: "user", content: "hi" };
const base = { model: "gpt-4o", messages: [user] };

Deno.test("chatRequestSchema accepts the full current request", () => {
  const body = {
    model: "gpt-4o",
    messages: [
      { role: "system", content: "be brief" },
      { role: "developer", content: [{ type: "text", text: "dev" }] },
      {
        role: "user",
        name: "ann",
        content: [
          { type: "text", text: "look" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "low" } },
          { type: "input_audio", input_audio: { data: "AAAA", format: "wav" } },
          {
            type: "file",
            file: { file_data: "data:application/pdf;base64,AAAA", filename: "a.pdf" },
          },
        ],
      },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "call_1", content: "42" },
      { role: "assistant", content: [{ type: "refusal", refusal: "no" }] },
    ],
    tools: [{
      type: "function",
      function: { name: "f", parameters: { type: "object" }, strict: true },
    }],
    tool_choice: { type: "function", function: { name: "f" } },
    parallel_tool_calls: false,
    response_format: { type: "json_schema", json_schema: { name: "x", schema: {}, strict: true } },
    stream: true,
    stream_options: { include_usage: true },
    temperature: 0,
    top_p: 1,
    max_tokens: 10,
    max_completion_tokens: 20,
    stop: ["a", "b"],
    seed: 7,
    n: 1,
    user: "u",
    metadata: { k: "v" },
    logit_bias: { "50256": -100 },
    logprobs: true,
    top_logprobs: 2,
    reasoning_effort: "low",
    service_tier: "auto",
    some_vendor_field: { keep: true },
  };
  const parsed = parseWith(chatRequestSchema, body);
  assert.equal(parsed.temperature, 0);
  assert.deepEqual((parsed as Record<string, unknown>).some_vendor_field, { keep: true });
  assert.equal(parsed.messages.length, 6);
});

Deno.test("chatRequestSchema: tool_choice strings and response_format variants", () => {
  for (const tool_choice of ["none", "auto", "required"]) {
    parseWith(chatRequestSchema, { ...base, tool_choice });
  }
  for (const type of ["text", "json_object"]) {
    parseWith(chatRequestSchema, { ...base, response_format: { type } });
  }
  parseWith(chatRequestSchema, { ...base, stop: "END" });
});

Deno.test("parseWith: bad input names the field", async (t) => {
  const rows: Array<{ name: string; body: unknown; param: string | null }> = [
    { name: "JSON array", body: [1], param: null },
    { name: "string body", body: "x", param: null },
    { name: "null body", body: null, param: null },
    { name: "missing model", body: { messages: [user] }, param: "model" },
    { name: "model not a string", body: { model: 4, messages: [user] }, param: "model" },
    { name: "empty model", body: { model: "", messages: [user] }, param: "model" },
    { name: "missing messages", body: { model: "m" }, param: "messages" },
    { name: "empty messages", body: { model: "m", messages: [] }, param: "messages" },
    {
      name: "unknown role",
      body: { model: "m", messages: [{ role: "bot", content: "x" }] },
      param: "messages[0].role",
    },
    { name: "temperature as string", body: { ...base, temperature: "0.5" }, param: "temperature" },
    { name: "temperature too high", body: { ...base, temperature: 3 }, param: "temperature" },
    {
      name: "unknown content part",
      body: { model: "m", messages: [{ role: "user", content: [{ type: "video", url: "x" }] }] },
      param: "messages[0].content[0].type",
    },
    {
      name: "tool without a name",
      body: { ...base, tools: [{ type: "function", function: { parameters: {} } }] },
      param: "tools[0].function.name",
    },
    {
      name: "tool with an invalid name",
      body: { ...base, tools: [{ type: "function", function: { name: "has space" } }] },
      param: "tools[0].function.name",
    },
    { name: "n zero", body: { ...base, n: 0 }, param: "n" },
    { name: "n too large", body: { ...base, n: 129 }, param: "n" },
    { name: "max_tokens negative", body: { ...base, max_tokens: -1 }, param: "max_tokens" },
    { name: "stop too many", body: { ...base, stop: ["a", "b", "c", "d", "e"] }, param: "stop" },
    {
      name: "tool message without tool_call_id",
      body: { model: "m", messages: [{ role: "tool", content: "x" }] },
      param: "messages[0].tool_call_id",
    },
    { name: "bad tool_choice", body: { ...base, tool_choice: "sometimes" }, param: "tool_choice" },
    { name: "stream not boolean", body: { ...base, stream: "yes" }, param: "stream" },
    {
      name: "reasoning_effort unknown",
      body: { ...base, reasoning_effort: "max" },
      param: "reasoning_effort",
    },
    // Typed gateway extensions: a wrong type is named like any other field.
    { name: "top_k as a string", body: { ...base, top_k: "many" }, param: "top_k" },
    {
      name: "tool message is_error not boolean",
      body: {
        model: "m",
        messages: [{ role: "tool", tool_call_id: "t", content: "x", is_error: "no" }],
      },
      param: "messages[0].is_error",
    },
    {
      name: "cache_control without a type",
      body: {
        model: "m",
        messages: [{ role: "user", content: [{ type: "text", text: "x", cache_control: {} }] }],
      },
      param: "messages[0].content[0].cache_control.type",
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      assert.throws(() => parseWith(chatRequestSchema, row.body), (error: unknown) => {
        assert.ok(error instanceof GatewayError);
        assert.equal(error.kind, "invalid_request");
        assert.equal(error.param, row.param);
        if (row.param !== null) {
          assert.match(error.message, new RegExp(row.param.replace(/[[\].]/g, "\\$&")));
        }
        return true;
      });
    });
  }
});

Deno.test("formatPath renders OpenAI-style paths", () => {
  assert.equal(formatPath(["messages", 0, "content", 2, "type"]), "messages[0].content[2].type");
  assert.equal(formatPath([]), "");
});

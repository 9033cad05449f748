/** Canonical completion ⇄ Response object; usage and status mappings. */
import assert from "node:assert/strict";
import type { ChatCompletion, ResponseMessage } from "../../../../core/formats/openai/schema.ts";
import {
  canonicalToResponse,
  responseToCanonical,
} from "../../../../core/formats/openai_responses/response.ts";
import { responsesRequestSchema } from "../../../../core/formats/openai_responses/schema.ts";

function ids() {
  let n = 0;
  return (prefix: string) => `${prefix}${++n}`;
}

const completion = (
  message: Partial<ResponseMessage>,
  finish: ChatCompletion["choices"][0]["finish_reason"] = "stop",
): ChatCompletion => ({
  id: "c",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{
    index: 0,
    message: { role: "assistant", content: null, refusal: null, ...message },
    finish_reason: finish,
  }],
  usage: {
    prompt_tokens: 7,
    completion_tokens: 5,
    total_tokens: 12,
    prompt_tokens_details: { cached_tokens: 2 },
    completion_tokens_details: { reasoning_tokens: 3 },
  },
});

const ctx = (request?: Record<string, unknown>) => ({
  id: "resp_1",
  createdAt: 100,
  model: "client-model",
  newId: ids(),
  ...(request
    ? { request: responsesRequestSchema.parse({ model: "m", input: "x", ...request }) }
    : {}),
});

Deno.test("text answer: a message item, usage mapped, defaults echoed", () => {
  const r = canonicalToResponse(completion({ content: "Hi" }), ctx());
  assert.equal(r.id, "resp_1");
  assert.equal(r.object, "response");
  assert.equal(r.created_at, 100);
  assert.equal(r.status, "completed");
  assert.equal(r.incomplete_details, null);
  assert.equal(r.model, "client-model");
  assert.deepEqual(r.output, [{
    id: "msg_1",
    type: "message",
    role: "assistant",
    status: "completed",
    content: [{ type: "output_text", text: "Hi", annotations: [], logprobs: [] }],
  }]);
  assert.deepEqual(r.usage, {
    input_tokens: 7,
    input_tokens_details: { cached_tokens: 2 },
    output_tokens: 5,
    output_tokens_details: { reasoning_tokens: 3 },
    total_tokens: 12,
  });
  assert.equal(r.tool_choice, "auto");
  assert.deepEqual(r.tools, []);
  assert.equal(r.parallel_tool_calls, true);
  assert.equal(r.store, true);
  assert.deepEqual(r.text, { format: { type: "text" }, verbosity: "medium" });
});

Deno.test("incomplete reasons: length → max_output_tokens, content_filter → content_filter", async (t) => {
  for (
    const [finish, reason] of [["length", "max_output_tokens"], [
      "content_filter",
      "content_filter",
    ]] as const
  ) {
    await t.step(finish, () => {
      const r = canonicalToResponse(completion({ content: "cut" }, finish), ctx());
      assert.equal(r.status, "incomplete");
      assert.deepEqual(r.incomplete_details, { reason });
    });
  }
});

Deno.test("reasoning (signed and redacted), then function calls with their namespace", () => {
  const r = canonicalToResponse(
    completion({
      content: null,
      reasoning_details: [
        { type: "reasoning.text", text: "Think", signature: "S" },
        { type: "reasoning.encrypted", data: "QUJD" },
      ],
      tool_calls: [{ id: "call_1", type: "function", function: { name: "read", arguments: "{}" } }],
    }, "tool_calls"),
    ctx({
      tools: [{ type: "namespace", name: "mcp__fs", tools: [{ type: "function", name: "read" }] }],
      instructions: "I",
      temperature: 0,
    }),
  );
  assert.deepEqual(r.output, [
    {
      id: "rs_1",
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Think" }],
      encrypted_content: "sig:S",
    },
    { id: "rs_2", type: "reasoning", summary: [], encrypted_content: "redacted:QUJD" },
    {
      id: "fc_3",
      type: "function_call",
      status: "completed",
      call_id: "call_1",
      name: "read",
      arguments: "{}",
      namespace: "mcp__fs",
    },
  ]);
  assert.equal(r.instructions, "I");
  assert.equal(r.temperature, 0);
});

Deno.test("a refusal is a refusal part", () => {
  const r = canonicalToResponse(completion({ refusal: "No" }), ctx());
  assert.deepEqual((r.output[0] as { content: unknown }).content, [{
    type: "refusal",
    refusal: "No",
  }]);
});

Deno.test("responseToCanonical reads text, calls, reasoning and usage; incomplete → length", () => {
  const c = responseToCanonical({
    status: "incomplete",
    incomplete_details: { reason: "max_output_tokens" },
    output: [
      {
        type: "reasoning",
        summary: [{ type: "summary_text", text: "T" }],
        encrypted_content: "sig:X",
      },
      { type: "message", content: [{ type: "output_text", text: "Hi" }] },
      { type: "function_call", call_id: "c1", name: "f", arguments: "{}" },
      { type: "web_search_call", id: "ws" },
    ],
    usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
  }, { id: "chatcmpl-1", created: 9, model: "m" });
  assert.deepEqual(c.choices[0], {
    index: 0,
    message: {
      role: "assistant",
      content: "Hi",
      refusal: null,
      tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
      reasoning_content: "T",
      reasoning_signature: "X",
      reasoning_details: [{ type: "reasoning.text", text: "T", signature: "X" }],
    },
    finish_reason: "length",
  });
  assert.deepEqual(c.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  assert.throws(() => responseToCanonical({ nope: 1 }, { id: "c", created: 0, model: "m" }));
});

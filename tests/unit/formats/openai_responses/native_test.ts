/** The native side: body, Responses events → canonical chunks, the usage tap; call-id check. */
import assert from "node:assert/strict";
import {
  nativeResponsesBody,
  ResponsesStreamDecoder,
  responsesUsageTap,
} from "../../../../core/formats/openai_responses/native.ts";
import {
  checkCallIds,
  inputItems,
  responsesRequestSchema,
} from "../../../../core/formats/openai_responses/schema.ts";
import { canonicalToResponses } from "../../../../core/formats/openai_responses/from_canonical.ts";
import { responseEvents } from "../../../fakes/openai_responses_replies.ts";

const parse = (body: Record<string, unknown>) =>
  responsesRequestSchema.parse({ model: "gpt-4o", ...body });

Deno.test("nativeResponsesBody: as sent minus file_ids; Files API references take the hub", () => {
  assert.deepEqual(nativeResponsesBody(parse({ input: "Hi", file_ids: [], x: 1 })), {
    model: "gpt-4o",
    input: "Hi",
    x: 1,
  });
  assert.equal(nativeResponsesBody(parse({ input: "Hi", file_ids: ["file-1"] })), undefined);
  assert.equal(
    nativeResponsesBody(parse({
      input: [{ role: "user", content: [{ type: "input_file", file_id: "file-1" }] }],
    })),
    undefined,
  );
});

Deno.test("ResponsesStreamDecoder: OpenAI's events → text, reasoning, tool calls, finish, usage", () => {
  const events = responseEvents({
    reasoning: { summary: "Think", encrypted_content: "gAAA" },
    text: "Hello",
    calls: [{ name: "f", arguments: '{"a":1}', call_id: "c1" }],
    usage: { input_tokens: 4, output_tokens: 6 },
  }, { model: "gpt-4o" });
  const decoder = new ResponsesStreamDecoder({ id: "x", created: 0, model: "m" });
  const chunks = events.flatMap((e) => decoder.push(e));
  decoder.end();
  const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
  assert.equal(deltas.map((d) => d.content ?? "").join(""), "Hello");
  assert.equal(deltas.map((d) => d.reasoning_content ?? "").join(""), "Think");
  const calls = deltas.flatMap((d) => d.tool_calls ?? []);
  assert.equal(calls[0].id, "c1");
  assert.equal(calls.map((c) => c.function?.arguments ?? "").join(""), '{"a":1}');
  assert.equal(
    chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)[0],
    "tool_calls",
  );
  assert.deepEqual(chunks.at(-1)!.usage, {
    prompt_tokens: 4,
    completion_tokens: 6,
    total_tokens: 10,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  });
});

Deno.test("ResponsesStreamDecoder: a cut stream and response.failed throw", () => {
  const cut = new ResponsesStreamDecoder({ id: "x", created: 0, model: "m" });
  cut.push({ type: "response.created", response: {} });
  assert.throws(() => cut.end(), /ended early/);
  const failed = new ResponsesStreamDecoder({ id: "x", created: 0, model: "m" });
  assert.throws(
    () => failed.push({ type: "response.failed", response: { error: { message: "boom" } } }),
    /boom/,
  );
});

Deno.test("responsesUsageTap: usage of the terminal event; no terminal event → throws", () => {
  const tap = responsesUsageTap();
  for (
    const e of responseEvents({ text: "Hi", usage: { input_tokens: 2, output_tokens: 1 } }, {})
  ) {
    tap.push(e);
  }
  tap.end();
  assert.equal(tap.usage()?.total_tokens, 3);
  const cut = responsesUsageTap();
  cut.push({ type: "response.created" });
  assert.throws(() => cut.end());
});

Deno.test("checkCallIds: an output needs an earlier call; history offset shifts the param", () => {
  const items = inputItems(parse({
    input: [
      { type: "function_call", call_id: "a", name: "f", arguments: "{}" },
      { type: "function_call_output", call_id: "a", output: "ok" },
      { type: "function_call_output", call_id: "b", output: "no" },
    ],
  }));
  assert.throws(() => checkCallIds(items), { param: "input[2].call_id" });
  assert.throws(() => checkCallIds(items, 1), { param: "input[1].call_id" });
  assert.doesNotThrow(() => checkCallIds(items.slice(0, 2)));
});

Deno.test("canonicalToResponses: chat → Responses body (formats.convert)", () => {
  assert.deepEqual(
    canonicalToResponses({
      model: "m",
      messages: [
        { role: "system", content: "Be brief" },
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "c", content: "4" },
      ],
      tools: [{ type: "function", function: { name: "f" } }],
      tool_choice: "auto",
      max_tokens: 9,
      response_format: { type: "json_schema", json_schema: { name: "o", schema: {} } },
    }),
    {
      model: "m",
      instructions: "Be brief",
      input: [
        { role: "user", content: "Hi" },
        { type: "function_call", call_id: "c", name: "f", arguments: "{}" },
        { type: "function_call_output", call_id: "c", output: "4" },
      ],
      tools: [{ type: "function", name: "f" }],
      tool_choice: "auto",
      text: { format: { type: "json_schema", name: "o", schema: {} } },
      max_output_tokens: 9,
    },
  );
});

import assert from "node:assert/strict";
import { asInput, historyOf, recordOf } from "../../core/responses/conversation.ts";
import { previousResponseNotFound } from "../../core/responses/prepare.ts";
import { listedInput, pageOf } from "../../core/responses/input_items.ts";

let n = 0;
const newId = (prefix: string) => `${prefix}${++n}`;

Deno.test("listedInput: a string is one user message with an input_text part and an id", () => {
  n = 0;
  assert.deepEqual(listedInput("Hi", newId), [
    { id: "msg_1", type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] },
  ]);
});

Deno.test("listedInput: types default to message, string content becomes parts, ids are kept", () => {
  n = 0;
  const items = listedInput([
    { role: "developer", content: "Be brief" },
    { role: "assistant", content: "Earlier answer" },
    { type: "function_call", call_id: "call_1", name: "f", arguments: "{}" },
    { type: "function_call_output", call_id: "call_1", output: "42" },
    { id: "rs_given", type: "reasoning", summary: [] },
  ], newId);
  assert.deepEqual(items.map((i) => [i.id, i.type]), [
    ["msg_1", "message"],
    ["msg_2", "message"],
    ["fc_3", "function_call"],
    ["fco_4", "function_call_output"],
    ["rs_given", "reasoning"],
  ]);
  assert.deepEqual(items[0].content, [{ type: "input_text", text: "Be brief" }]);
  assert.deepEqual(items[1].content, [{ type: "output_text", text: "Earlier answer" }]);
  assert.equal(Object.keys(items[0])[0], "id");
});

const items = ["a", "b", "c", "d", "e"].map((id) => ({ id }));

Deno.test("pageOf: desc by default order, after and has_more as OpenAI lists", () => {
  assert.deepEqual(pageOf(items, { limit: 2, order: "desc" }), {
    object: "list",
    data: [{ id: "e" }, { id: "d" }],
    first_id: "e",
    last_id: "d",
    has_more: true,
  });
  assert.deepEqual(pageOf(items, { limit: 2, order: "desc", after: "b" })?.data, [{ id: "a" }]);
  assert.equal(pageOf(items, { limit: 2, order: "desc", after: "b" })?.has_more, false);
  assert.deepEqual(pageOf(items, { limit: 10, order: "asc", after: "c" })?.data, [
    { id: "d" },
    { id: "e" },
  ]);
  assert.equal(pageOf(items, { limit: 3, order: "asc", after: "zz" }), undefined);
  assert.deepEqual(pageOf([], { limit: 3, order: "asc" }), {
    object: "list",
    data: [],
    first_id: null,
    last_id: null,
    has_more: false,
  });
});

Deno.test("recordOf and historyOf: a chain flattens into context + input + output", () => {
  const first = recordOf({
    response: { id: "resp_1", created_at: 100, model: "m", output: [{ id: "msg_o1" }] },
    inputItems: [{ id: "msg_i1" }],
    now: 100,
    ttlDays: 30,
  });
  assert.equal(first.expiresAt, 100 + 30 * 86_400);
  assert.deepEqual(first.context, []);
  assert.equal(first.previousResponseId, undefined);
  const second = recordOf({
    response: { id: "resp_2", created_at: 200, model: "m", output: [{ id: "msg_o2" }] },
    inputItems: [{ id: "msg_i2" }],
    previous: first,
    now: 200,
    ttlDays: 1,
  });
  assert.equal(second.previousResponseId, "resp_1");
  assert.deepEqual(second.context.map((i) => i.id), ["msg_i1", "msg_o1"]);
  assert.deepEqual(historyOf(second).map((i) => i.id), ["msg_i1", "msg_o1", "msg_i2", "msg_o2"]);
});

Deno.test("asInput: ids and statuses go, a reasoning item keeps its id", () => {
  assert.deepEqual(
    asInput({ id: "msg_1", type: "message", role: "assistant", status: "completed", content: [] }),
    { type: "message", role: "assistant", content: [] },
  );
  assert.deepEqual(
    asInput({ id: "rs_1", type: "reasoning", summary: [], encrypted_content: "x" }),
    {
      id: "rs_1",
      type: "reasoning",
      summary: [],
      encrypted_content: "x",
    },
  );
});

Deno.test("previousResponseNotFound: a 404 naming previous_response_id", () => {
  const error = previousResponseNotFound("resp_gone");
  assert.equal(error.kind, "not_found");
  assert.equal(error.param, "previous_response_id");
  assert.equal(error.code, "previous_response_not_found");
  assert.match(error.message, /resp_gone/);
});

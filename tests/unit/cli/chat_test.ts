import assert from "node:assert/strict";
import {
  buildRequest,
  formatToolCall,
  TOOL_NOT_RUN,
  withAnswer,
  withUserMessage,
} from "../../../cli/chat_session.ts";
import type { ChunkLike } from "../../../cli/chat_types.ts";
import { newSession } from "../../../cli/history_store.ts";
import { parseSlash } from "../../../cli/repl.ts";
import { addToolCallFragments, type Answer, applyChunk } from "../../../cli/stream_answer.ts";

const chunk = (
  delta: ChunkLike["choices"][0]["delta"],
  finish: string | null = null,
): ChunkLike => ({
  choices: [{ delta, finish_reason: finish }],
});

Deno.test("applyChunk assembles text and tool calls as they stream", () => {
  const answer: Answer = { content: "", toolCalls: [], finishReason: null, cancelled: false };
  const pieces = [
    chunk({ content: "" }),
    chunk({ content: "Hel" }),
    chunk({ content: "lo" }),
    chunk({ tool_calls: [{ index: 0, id: "c1", function: { name: "get", arguments: "" } }] }),
    chunk({ tool_calls: [{ index: 1, id: "c2", function: { name: "put", arguments: "{}" } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
    chunk({ content: null }, "tool_calls"),
    { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
  ].map((c) => applyChunk(answer, c));
  assert.deepEqual(pieces, ["", "Hel", "lo", "", "", "", "", "", ""]);
  assert.equal(answer.content, "Hello");
  assert.deepEqual(answer.toolCalls, [
    { id: "c1", name: "get", arguments: '{"a":1}' },
    { id: "c2", name: "put", arguments: "{}" },
  ]);
  assert.equal(answer.finishReason, "tool_calls");
});

Deno.test("addToolCallFragments does not mutate its input", () => {
  const calls = [{ id: "a", name: "f", arguments: "{" }];
  const next = addToolCallFragments(calls, [{ index: 0, function: { arguments: "}" } }]);
  assert.equal(calls[0].arguments, "{");
  assert.equal(next[0].arguments, "{}");
});

Deno.test("buildRequest: system first, history, parameters only when given (0 kept)", () => {
  const session = withUserMessage(newSession("m", "be brief"), "hi");
  assert.deepEqual(buildRequest(session, {}), {
    model: "m",
    messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hi" }],
  });
  const withParams = buildRequest(withUserMessage(newSession("m", undefined), "x"), {
    temperature: 0,
    maxTokens: 10,
    tools: [],
  }) as Record<string, unknown>;
  assert.equal(withParams.temperature, 0);
  assert.equal(withParams.max_tokens, 10);
  assert.equal("tools" in withParams, false);
  assert.equal((withParams.messages as unknown[]).length, 1);
});

Deno.test("withAnswer records text, tool calls and a not-run result per call", () => {
  const asked = withUserMessage(newSession("m", undefined), "q");
  const plain = withAnswer(
    asked,
    { content: "a", toolCalls: [] },
    new Date("2025-01-01T00:00:00Z"),
  );
  assert.deepEqual(plain.messages.at(-1), { role: "assistant", content: "a" });
  assert.equal(plain.updated_at, "2025-01-01T00:00:00.000Z");
  const tools = withAnswer(asked, {
    content: "",
    toolCalls: [{ id: "c1", name: "f", arguments: "{}" }, { id: "", name: "g", arguments: "" }],
  });
  assert.deepEqual(tools.messages.slice(1), [
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "c1", type: "function", function: { name: "f", arguments: "{}" } },
        { id: "call_1", type: "function", function: { name: "g", arguments: "" } },
      ],
    },
    { role: "tool", tool_call_id: "c1", content: TOOL_NOT_RUN },
    { role: "tool", tool_call_id: "call_1", content: TOOL_NOT_RUN },
  ]);
});

Deno.test("formatToolCall compacts JSON arguments and keeps others as sent", () => {
  assert.equal(
    formatToolCall({ id: "", name: "f", arguments: '{ "a": [1, 2] }' }),
    'f({"a":[1,2]})',
  );
  assert.equal(formatToolCall({ id: "", name: "f", arguments: '{"a":' }), 'f({"a":)');
});

Deno.test("parseSlash", async (t) => {
  const rows: Array<[string, ReturnType<typeof parseSlash>]> = [
    ["/model gpt-4o", { name: "model", arg: "gpt-4o" }],
    ["  /SYSTEM  Be  brief. ", { name: "system", arg: "Be  brief." }],
    ["/exit", { name: "exit", arg: "" }],
    ["/?", { name: "?", arg: "" }],
    ["hello /model", null],
    ["/", null],
    ["/path/to/file", null],
  ];
  for (const [line, expected] of rows) {
    await t.step(JSON.stringify(line), () => assert.deepEqual(parseSlash(line), expected));
  }
});

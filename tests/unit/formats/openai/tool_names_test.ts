import assert from "node:assert/strict";
import {
  restoreChunkToolNames,
  restoreToolNames,
  shortenToolNames,
  shortToolName,
} from "../../../../core/formats/openai/tool_names.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
} from "../../../../core/formats/openai/schema.ts";

const LONG = "mcp__very_long_server_name__" + "a_tool_with_a_descriptive_name_".repeat(3); // 121
const LONG2 = LONG.slice(0, -1) + "X"; // same 55-character prefix

const fn = (name: string) => ({ type: "function" as const, function: { name, parameters: {} } });

Deno.test("tool names over 64 characters", async (t) => {
  await t.step("names that fit are unchanged; the request is the same object", () => {
    const request: ChatRequest = { model: "m", messages: [], tools: [fn("get_weather")] };
    const out = shortenToolNames(request);
    assert.equal(out.request, request);
    assert.deepEqual(out.toOriginal, {});
  });

  await t.step(
    "a long name becomes 64 characters, stable, in tools, tool_choice and history",
    () => {
      const request: ChatRequest = {
        model: "m",
        messages: [
          { role: "user", content: "hi" },
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c1", type: "function", function: { name: LONG, arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "c1", content: "ok" },
        ],
        tools: [fn(LONG), fn("short")],
        tool_choice: { type: "function", function: { name: LONG } },
      };
      const { request: out, toOriginal } = shortenToolNames(request);
      const short = out.tools![0].function.name;
      assert.equal(short.length, 64);
      assert.equal(short, shortToolName(LONG));
      assert.equal(out.tools![1].function.name, "short");
      assert.equal((out.tool_choice as { function: { name: string } }).function.name, short);
      const assistant = out.messages[1] as { tool_calls: Array<{ function: { name: string } }> };
      assert.equal(assistant.tool_calls[0].function.name, short);
      assert.deepEqual(toOriginal, { [short]: LONG });
      assert.equal(request.tools![0].function.name, LONG, "the input is not modified");
      // Another request with the same name maps it the same way (turns agree).
      assert.equal(
        shortenToolNames({ model: "m", messages: [], tools: [fn(LONG)] }).request
          .tools![0].function.name,
        short,
      );
    },
  );

  await t.step("names sharing a prefix get distinct short names", () => {
    const { request, toOriginal } = shortenToolNames({
      model: "m",
      messages: [],
      tools: [fn(LONG), fn(LONG2)],
    });
    const [a, b] = request.tools!.map((tool) => tool.function.name);
    assert.notEqual(a, b);
    assert.equal(toOriginal[a], LONG);
    assert.equal(toOriginal[b], LONG2);
  });

  await t.step("a short name never takes an unchanged tool's name", () => {
    const taken = shortToolName(LONG);
    const { request, toOriginal } = shortenToolNames({
      model: "m",
      messages: [],
      tools: [fn(LONG), fn(taken)],
    });
    const [a, b] = request.tools!.map((tool) => tool.function.name);
    assert.equal(b, taken);
    assert.notEqual(a, taken);
    assert.ok(a.length <= 64);
    assert.equal(toOriginal[a], LONG);
  });

  await t.step("responses and stream chunks are mapped back", () => {
    const short = shortToolName(LONG);
    const completion = {
      id: "x",
      object: "chat.completion",
      created: 0,
      model: "m",
      choices: [{
        index: 0,
        finish_reason: "tool_calls",
        logprobs: null,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name: short, arguments: "{}" } }],
        },
      }],
    } as unknown as ChatCompletion;
    restoreToolNames(completion, { [short]: LONG });
    assert.equal(completion.choices[0].message.tool_calls![0].function.name, LONG);
    const chunk = {
      id: "x",
      object: "chat.completion.chunk",
      created: 0,
      model: "m",
      choices: [{
        index: 0,
        finish_reason: null,
        delta: { tool_calls: [{ index: 0, id: "c", function: { name: short, arguments: "" } }] },
      }],
    } as unknown as ChatCompletionChunk;
    restoreChunkToolNames(chunk, { [short]: LONG });
    assert.equal(chunk.choices[0].delta.tool_calls![0].function!.name, LONG);
  });
});

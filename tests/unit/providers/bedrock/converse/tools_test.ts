/** Table tests: OpenAI tools, tool calls and tool results → Converse (issue 3, "Tools"). */
import assert from "node:assert/strict";
import { parseToolArguments } from "../../../../../core/formats/openai/tool_arguments.ts";
import {
  sanitizeToolName,
  ToolNames,
  toolResultContent,
} from "../../../../../core/providers/bedrock/converse/tools.ts";
import {
  assistant,
  call,
  fnTool,
  LLAMA,
  runRows,
  TITAN,
  toolMsg,
  user,
  userTurn,
} from "../../../converter_helpers.ts";

const tools = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Weather by city",
      parameters: { type: "object", properties: { city: { type: "string" } } },
    },
  },
];
const weatherSpec = {
  toolSpec: {
    name: "get_weather",
    description: "Weather by city",
    inputSchema: { json: { type: "object", properties: { city: { type: "string" } } } },
  },
};

Deno.test("tools → toolConfig", async (t) => {
  await runRows(t, [
    {
      name:
        "function tools → toolConfig with description and JSON schema, tool_choice default auto",
      request: { tools, messages: [user("q")] },
      expected: {
        toolConfig: { tools: [weatherSpec], toolChoice: { auto: {} } },
        toolNameMap: { get_weather: "get_weather" },
      },
    },
    {
      name: "a tool without parameters gets an empty object schema and no description",
      request: { tools: [{ type: "function", function: { name: "ping" } }], messages: [user("q")] },
      expected: {
        toolConfig: {
          tools: [{
            toolSpec: { name: "ping", inputSchema: { json: { type: "object", properties: {} } } },
          }],
          toolChoice: { auto: {} },
        },
      },
    },
    {
      name: "tool_choice auto → auto",
      request: { tools, tool_choice: "auto", messages: [user("q")] },
      expected: { toolConfig: { tools: [weatherSpec], toolChoice: { auto: {} } } },
    },
    {
      name: "tool_choice required → any",
      request: { tools, tool_choice: "required", messages: [user("q")] },
      expected: { toolConfig: { tools: [weatherSpec], toolChoice: { any: {} } } },
    },
    {
      name: "tool_choice named → tool",
      request: {
        tools,
        tool_choice: { type: "function", function: { name: "get_weather" } },
        messages: [user("q")],
      },
      expected: {
        toolConfig: { tools: [weatherSpec], toolChoice: { tool: { name: "get_weather" } } },
      },
    },
    {
      name: "tool_choice none → no toolConfig at all (never silently auto)",
      request: { tools, tool_choice: "none", messages: [user("q")] },
      expected: { toolConfig: undefined },
    },
    {
      name: "tool_choice without tools → no toolConfig (toolChoice never sent alone)",
      request: { tool_choice: "auto", messages: [user("q")] },
      expected: { toolConfig: undefined },
    },
    {
      name: "tool_choice required on a family with only auto → 400 naming tool_choice",
      model: LLAMA,
      request: { tools, tool_choice: "required", messages: [user("q")] },
      errorParam: "tool_choice",
    },
    {
      name: "tools on a model without tool use → 400 naming tools",
      model: TITAN,
      request: { tools, messages: [user("q")] },
      errorParam: "tools",
    },
    {
      name: "tools with tool_choice none on a model without tool use are fine",
      model: TITAN,
      request: { tools, tool_choice: "none", messages: [user("q")] },
      expected: { toolConfig: undefined },
    },
    {
      name: "tool names from history are made Bedrock-valid, deduplicated and mapped back",
      request: {
        tools: [fnTool("a_b")],
        messages: [
          user("q"),
          assistant(null, { tool_calls: [call("c1", "a.b", "{}"), call("c2", "x y", "{}")] }),
          toolMsg("c1", "1"),
          toolMsg("c2", "2"),
        ],
      },
      expected: {
        toolNameMap: { a_b: "a_b", a_b_2: "a.b", x_y: "x y" },
        messages: [
          userTurn("q"),
          {
            role: "assistant",
            content: [
              { toolUse: { toolUseId: "c1", name: "a_b_2", input: {} } },
              { toolUse: { toolUseId: "c2", name: "x_y", input: {} } },
            ],
          },
          {
            role: "user",
            content: [
              { toolResult: { toolUseId: "c1", content: [{ text: "1" }] } },
              { toolResult: { toolUseId: "c2", content: [{ text: "2" }] } },
            ],
          },
        ],
      },
    },
    {
      name: "tool_calls → toolUse: arguments parsed; empty, invalid or non-object JSON → {}",
      request: {
        tools,
        messages: [
          user("q"),
          assistant(null, {
            tool_calls: [
              call("c1", "get_weather", '{"city":"Rome"}'),
              call("c2", "get_weather", ""),
              call("c3", "get_weather", "{not json"),
              call("c4", "get_weather", "[1,2]"),
            ],
          }),
        ],
      },
      expected: {
        messages: [userTurn("q"), {
          role: "assistant",
          content: [
            { toolUse: { toolUseId: "c1", name: "get_weather", input: { city: "Rome" } } },
            { toolUse: { toolUseId: "c2", name: "get_weather", input: {} } },
            { toolUse: { toolUseId: "c3", name: "get_weather", input: {} } },
            { toolUse: { toolUseId: "c4", name: "get_weather", input: {} } },
          ],
        }],
      },
    },
    {
      name: "tool messages → toolResult: JSON object/array as json, other text as text",
      request: {
        tools,
        messages: [
          user("q"),
          assistant(null, {
            tool_calls: [
              call("c1", "get_weather", "{}"),
              call("c2", "get_weather", "{}"),
              call("c3", "get_weather", "{}"),
              call("c4", "get_weather", "{}"),
            ],
          }),
          toolMsg("c1", '{"temp": 21}'),
          toolMsg("c2", "[1, 2]"),
          toolMsg("c3", [{ type: "text", text: "42" }]),
          toolMsg("c4", ""),
        ],
      },
      expected: {
        messages: [
          userTurn("q"),
          {
            role: "assistant",
            content: ["c1", "c2", "c3", "c4"].map((id) => ({
              toolUse: { toolUseId: id, name: "get_weather", input: {} },
            })),
          },
          {
            role: "user",
            content: [
              { toolResult: { toolUseId: "c1", content: [{ json: { temp: 21 } }] } },
              { toolResult: { toolUseId: "c2", content: [{ json: [1, 2] }] } },
              { toolResult: { toolUseId: "c3", content: [{ text: "42" }] } },
              { toolResult: { toolUseId: "c4", content: [{ text: "(empty)" }] } },
            ],
          },
        ],
      },
    },
    {
      name: "tool call ids are made Bedrock-valid the same way in toolUse and toolResult",
      request: {
        tools,
        messages: [
          user("q"),
          assistant(null, { tool_calls: [call("call:1.a", "get_weather", "{}")] }),
          toolMsg("call:1.a", "ok"),
        ],
      },
      expected: {
        messages: [
          userTurn("q"),
          {
            role: "assistant",
            content: [{ toolUse: { toolUseId: "call_1_a", name: "get_weather", input: {} } }],
          },
          {
            role: "user",
            content: [{ toolResult: { toolUseId: "call_1_a", content: [{ text: "ok" }] } }],
          },
        ],
      },
    },
  ]);
});

Deno.test("tool helpers", async (t) => {
  await t.step("sanitizeToolName replaces invalid characters and truncates to 64", () => {
    assert.equal(sanitizeToolName("a.b c"), "a_b_c");
    assert.equal(sanitizeToolName("x".repeat(70)).length, 64);
    assert.equal(sanitizeToolName(""), "tool");
  });
  await t.step("ToolNames deduplicates long names within 64 characters", () => {
    const names = new ToolNames();
    const long = "n".repeat(64);
    assert.equal(names.add(long), long);
    const second = names.add(`${long}.`);
    assert.equal(second.length, 64);
    assert.notEqual(second, long);
    assert.match(second, /_[0-9a-f]{8}$/, "a long name ends in a hash of the whole name");
    assert.equal(new ToolNames().add(`${long}.`), second, "the same short name in every request");
    assert.equal(names.add(long), long, "stable for a known name");
    assert.equal(names.toOriginal[second], `${long}.`);
    // Names that sanitize alike are told apart by a suffix.
    assert.equal(names.add("get.weather"), "get_weather");
    assert.equal(names.add("get weather"), "get_weather_2");
  });
  await t.step("parseToolArguments: object kept, anything else {}", () => {
    assert.deepStrictEqual(parseToolArguments('{"a":1}'), { a: 1 });
    assert.deepStrictEqual(parseToolArguments("null"), {});
    assert.deepStrictEqual(parseToolArguments('"s"'), {});
  });
  await t.step("toolResultContent: JSON primitives stay text", () => {
    assert.deepStrictEqual(toolResultContent("42"), [{ text: "42" }]);
    assert.deepStrictEqual(toolResultContent("{broken"), [{ text: "{broken" }]);
  });
});

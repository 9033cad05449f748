/** Table tests: OpenAI messages → Converse system blocks and turns (issue 3, "Messages"). */
import {
  assistant,
  call,
  fnTool,
  runRows,
  TITAN,
  toolMsg,
  user,
  userTurn,
} from "../../../converter_helpers.ts";

const weatherCall = call("call_1", "get_weather", '{"city":"Paris"}');

Deno.test("messages → Converse turns", async (t) => {
  await runRows(t, [
    {
      name: "minimal request: one user turn, family default maxTokens, empty tool name map",
      request: { messages: [user("Hi")] },
      expected: {
        modelId: "us.anthropic.claude-sonnet-4-20250514-v1:0",
        messages: [userTurn("Hi")],
        inferenceConfig: { maxTokens: 4096 },
        toolNameMap: {},
      },
    },
    {
      name: "system and developer messages become system blocks, all of them, in order",
      request: {
        messages: [
          { role: "system", content: "A" },
          user("Hi"),
          { role: "developer", content: "B" },
          { role: "system", content: [{ type: "text", text: "C" }, { type: "text", text: "D" }] },
        ],
      },
      expected: {
        system: [{ text: "A" }, { text: "B" }, { text: "C" }, { text: "D" }],
        messages: [userTurn("Hi")],
      },
    },
    {
      name: "model without system prompt: system text opens the first user turn",
      model: TITAN,
      request: {
        messages: [
          { role: "system", content: "A" },
          { role: "developer", content: "B" },
          user("Hi"),
        ],
      },
      expected: { system: undefined, messages: [userTurn("A\n\nB", "Hi")] },
    },
    {
      name: "consecutive user messages are merged into one turn",
      request: { messages: [user("a"), user([{ type: "text", text: "b" }])] },
      expected: { messages: [userTurn("a", "b")] },
    },
    {
      name: "consecutive assistant messages are merged into one turn",
      request: { messages: [user("q"), assistant("a"), assistant("b"), user("c")] },
      expected: {
        messages: [
          userTurn("q"),
          { role: "assistant", content: [{ text: "a" }, { text: "b" }] },
          userTurn("c"),
        ],
      },
    },
    {
      name: "all tool results after one assistant turn go into ONE user turn",
      request: {
        tools: [fnTool("get_weather")],
        messages: [
          user("weather?"),
          assistant(null, {
            tool_calls: [weatherCall, call("call_2", "get_weather", '{"city":"Oslo"}')],
          }),
          toolMsg("call_1", "sunny"),
          toolMsg("call_2", "rain"),
        ],
      },
      expected: {
        messages: [
          userTurn("weather?"),
          {
            role: "assistant",
            content: [
              { toolUse: { toolUseId: "call_1", name: "get_weather", input: { city: "Paris" } } },
              { toolUse: { toolUseId: "call_2", name: "get_weather", input: { city: "Oslo" } } },
            ],
          },
          {
            role: "user",
            content: [
              { toolResult: { toolUseId: "call_1", content: [{ text: "sunny" }] } },
              { toolResult: { toolUseId: "call_2", content: [{ text: "rain" }] } },
            ],
          },
        ],
      },
    },
    {
      name: "a tool message with is_error (from a Claude tool_result) → status error",
      request: {
        tools: [fnTool("get_weather")],
        messages: [
          user("weather?"),
          assistant(null, { tool_calls: [weatherCall] }),
          { ...toolMsg("call_1", "city not found"), is_error: true },
        ],
      },
      expected: {
        messages: [
          userTurn("weather?"),
          {
            role: "assistant",
            content: [
              { toolUse: { toolUseId: "call_1", name: "get_weather", input: { city: "Paris" } } },
            ],
          },
          {
            role: "user",
            content: [{
              toolResult: {
                toolUseId: "call_1",
                content: [{ text: "city not found" }],
                status: "error",
              },
            }],
          },
        ],
      },
    },
    {
      name: "tool results come first when a user message joins their turn",
      request: {
        tools: [fnTool("get_weather")],
        messages: [
          user("weather?"),
          assistant("", { tool_calls: [weatherCall] }),
          toolMsg("call_1", "sunny"),
          user("thanks"),
        ],
      },
      expected: {
        messages: [
          userTurn("weather?"),
          {
            role: "assistant",
            content: [{
              toolUse: { toolUseId: "call_1", name: "get_weather", input: { city: "Paris" } },
            }],
          },
          {
            role: "user",
            content: [
              { toolResult: { toolUseId: "call_1", content: [{ text: "sunny" }] } },
              { text: "thanks" },
            ],
          },
        ],
      },
    },
    {
      name: "empty and whitespace-only text blocks are dropped",
      request: {
        messages: [
          { role: "system", content: "  " },
          user([{ type: "text", text: "" }, { type: "text", text: "x" }, {
            type: "text",
            text: " \n ",
          }]),
        ],
      },
      expected: { system: undefined, messages: [userTurn("x")] },
    },
    {
      name: "an assistant message left empty disappears and its neighbours merge",
      request: { messages: [user("a"), assistant("   "), user("b")] },
      expected: { messages: [userTurn("a", "b")] },
    },
    {
      name: "a conversation with no content at all is a 400 naming messages",
      request: { messages: [user("   ")] },
      errorParam: "messages",
    },
    {
      name: "final assistant prefill: trailing whitespace trimmed",
      request: { messages: [user("Say hi"), assistant("Hello, \n ")] },
      expected: {
        messages: [userTurn("Say hi"), { role: "assistant", content: [{ text: "Hello," }] }],
      },
    },
    {
      name: "non-final assistant text keeps its whitespace",
      request: { messages: [user("a"), assistant("b \n"), user("c")] },
      expected: {
        messages: [
          userTurn("a"),
          { role: "assistant", content: [{ text: "b \n" }] },
          userTurn("c"),
        ],
      },
    },
    {
      name: "assistant refusal in history is kept as text",
      request: {
        messages: [user("a"), assistant(null, { refusal: "I can't" }), user("ok")],
      },
      expected: {
        messages: [
          userTurn("a"),
          { role: "assistant", content: [{ text: "I can't" }] },
          userTurn("ok"),
        ],
      },
    },
    {
      name: "tool history without tools: converted to text (documented policy)",
      request: {
        messages: [
          user("weather?"),
          assistant("Checking.", { tool_calls: [weatherCall] }),
          toolMsg("call_1", '{"temp":21}'),
          user("and?"),
        ],
      },
      expected: {
        toolConfig: undefined,
        messages: [
          userTurn("weather?"),
          {
            role: "assistant",
            content: [
              { text: "Checking." },
              {
                text: '[Called tool get_weather (call id call_1) with arguments: {"city":"Paris"}]',
              },
            ],
          },
          userTurn('[Result of tool get_weather (call id call_1): {"temp":21}]', "and?"),
        ],
      },
    },
    {
      name: "tool history with tool_choice none: no toolConfig, history as text",
      request: {
        tools: [fnTool("get_weather")],
        tool_choice: "none",
        messages: [
          user("weather?"),
          assistant(null, { tool_calls: [call("c1", "get_weather", "")] }),
          toolMsg("c1", "sunny"),
        ],
      },
      expected: {
        toolConfig: undefined,
        messages: [
          userTurn("weather?"),
          {
            role: "assistant",
            content: [{ text: "[Called tool get_weather (call id c1) with arguments: {}]" }],
          },
          userTurn("[Result of tool get_weather (call id c1): sunny]"),
        ],
      },
    },
    {
      name: "tool history on a model without tool use: converted to text",
      model: TITAN,
      request: {
        messages: [
          user("q"),
          assistant(null, { tool_calls: [call("c1", "f", "{}")] }),
          toolMsg("c1", "r"),
        ],
      },
      expected: {
        messages: [
          userTurn("q"),
          {
            role: "assistant",
            content: [{ text: "[Called tool f (call id c1) with arguments: {}]" }],
          },
          userTurn("[Result of tool f (call id c1): r]"),
        ],
      },
    },
  ]);
});

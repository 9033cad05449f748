/**
 * Canonical request → Claude body (`openaiToClaudeRequest`): one row per rule. Every converted
 * body must pass the strict Claude schema.
 */
import assert from "node:assert/strict";
import { openaiToClaudeRequest } from "../../../../core/formats/bedrock_claude/from_canonical.ts";
import { claudeRequestSchema } from "../../../../core/formats/bedrock_claude/schema.ts";
import { chatRequestSchema } from "../../../../core/formats/openai/schema.ts";
import { GatewayError } from "../../../../core/errors.ts";
import { assistant, call, fnTool, toolMsg, user } from "../../converter_helpers.ts";

interface Row {
  name: string;
  request: Record<string, unknown>;
  expected?: Record<string, unknown>;
  errorParam?: string;
}

const rows: Row[] = [
  {
    name: "defaults: anthropic_version and max_tokens 4096",
    request: { messages: [user("Hi")] },
    expected: {
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 4096,
      messages: [{ role: "user", content: "Hi" }],
      system: undefined,
    },
  },
  {
    name: "one string system message → system string; developer and later system → blocks",
    request: { messages: [{ role: "system", content: "S" }, user("Hi")] },
    expected: { system: "S" },
  },
  {
    name: "several system/developer messages → text blocks in order",
    request: {
      messages: [
        { role: "system", content: "A" },
        user("Hi"),
        { role: "developer", content: [{ type: "text", text: "B" }] },
      ],
    },
    expected: {
      system: [{ type: "text", text: "A" }, { type: "text", text: "B" }],
      messages: [{ role: "user", content: "Hi" }],
    },
  },
  {
    name: "max_completion_tokens wins over max_tokens",
    request: { messages: [user("x")], max_tokens: 10, max_completion_tokens: 20 },
    expected: { max_tokens: 20 },
  },
  {
    name: "temperature capped at 1, 0 kept; top_p; top_k; stop string → array; user",
    request: {
      messages: [user("x")],
      temperature: 1.7,
      top_p: 0,
      top_k: 5,
      stop: "END",
      user: "u1",
    },
    expected: {
      temperature: 1,
      top_p: 0,
      top_k: 5,
      stop_sequences: ["END"],
      metadata: { user_id: "u1" },
    },
  },
  {
    name: "temperature 0 is kept",
    request: { messages: [user("x")], temperature: 0 },
    expected: { temperature: 0 },
  },
  {
    name: "tool calls, tool results and a following user message share one user turn",
    request: {
      messages: [
        user("Weather?"),
        assistant("Checking.", { tool_calls: [call("c1", "get_weather", '{"city":"Paris"}')] }),
        toolMsg("c1", "sunny"),
        user("Thanks"),
      ],
    },
    expected: {
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Checking." },
            { type: "tool_use", id: "c1", name: "get_weather", input: { city: "Paris" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "c1", content: "sunny" },
            { type: "text", text: "Thanks" },
          ],
        },
      ],
    },
  },
  {
    name: "invalid or non-object arguments → input {}; empty text dropped",
    request: {
      messages: [
        user("x"),
        assistant("", { tool_calls: [call("a", "f", "{oops"), call("b", "f", "[1]")] }),
        toolMsg("a", ""),
        toolMsg("b", [{ type: "text", text: "r" }]),
      ],
    },
    expected: {
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "a", name: "f", input: {} },
            { type: "tool_use", id: "b", name: "f", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "a", content: "" },
            { type: "tool_result", tool_use_id: "b", content: [{ type: "text", text: "r" }] },
          ],
        },
      ],
    },
  },
  {
    name: "reasoning: details win; unsigned reasoning_content is dropped",
    request: {
      messages: [
        user("x"),
        assistant("A", { reasoning_content: "unsigned" }),
        user("y"),
        assistant("B", {
          reasoning_details: [
            { type: "reasoning.text", text: "t", signature: "s" },
            { type: "reasoning.encrypted", data: "R" },
          ],
        }),
        user("z"),
        assistant("C", { reasoning_content: "r", reasoning_signature: "sig" }),
        user("w"),
      ],
    },
    expected: {
      messages: [
        { role: "user", content: "x" },
        { role: "assistant", content: "A" },
        { role: "user", content: "y" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "t", signature: "s" },
            { type: "redacted_thinking", data: "R" },
            { type: "text", text: "B" },
          ],
        },
        { role: "user", content: "z" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "r", signature: "sig" },
            { type: "text", text: "C" },
          ],
        },
        { role: "user", content: "w" },
      ],
    },
  },
  {
    name: "images and files → image and document blocks",
    request: {
      messages: [user([
        { type: "text", text: "see", cache_control: { type: "ephemeral" } },
        { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/" } },
        { type: "image_url", image_url: { url: "https://x/a.png" } },
        {
          type: "file",
          file: { file_data: "data:application/pdf;base64,JVBE", filename: "r.pdf" },
        },
        { type: "file", file: { file_data: "data:text/plain;base64,aGk=" } },
      ])],
    },
    expected: {
      messages: [{
        role: "user",
        content: [
          { type: "text", text: "see", cache_control: { type: "ephemeral" } },
          { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/" } },
          { type: "image", source: { type: "url", url: "https://x/a.png" } },
          {
            type: "document",
            source: { type: "base64", media_type: "application/pdf", data: "JVBE" },
            title: "r.pdf",
          },
          { type: "document", source: { type: "text", media_type: "text/plain", data: "hi" } },
        ],
      }],
    },
  },
  {
    name: "tools and tool_choice required + parallel_tool_calls false",
    request: {
      messages: [user("x")],
      tools: [fnTool("f"), {
        type: "function",
        function: { name: "g" },
        cache_control: { type: "ephemeral" },
      }],
      tool_choice: "required",
      parallel_tool_calls: false,
    },
    expected: {
      tools: [
        { name: "f", input_schema: { type: "object", properties: {} } },
        {
          name: "g",
          input_schema: { type: "object", properties: {} },
          cache_control: { type: "ephemeral" },
        },
      ],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
    },
  },
  {
    name: "parallel_tool_calls false without tool_choice → auto with disable",
    request: { messages: [user("x")], tools: [fnTool("f")], parallel_tool_calls: false },
    expected: { tool_choice: { type: "auto", disable_parallel_tool_use: true } },
  },
  {
    name: "named tool_choice; none",
    request: {
      messages: [user("x")],
      tools: [fnTool("f")],
      tool_choice: { type: "function", function: { name: "f" } },
    },
    expected: { tool_choice: { type: "tool", name: "f" } },
  },
  {
    name: "reasoning_effort → thinking budget, max_tokens raised above it",
    request: { messages: [user("x")], reasoning_effort: "low", max_tokens: 1000 },
    expected: { thinking: { type: "enabled", budget_tokens: 2048 }, max_tokens: 3048 },
  },
  {
    name: "exact reasoning_budget_tokens wins; none → disabled",
    request: {
      messages: [user("x")],
      reasoning_effort: "high",
      reasoning_budget_tokens: 3000,
      max_tokens: 5000,
    },
    expected: { thinking: { type: "enabled", budget_tokens: 3000 }, max_tokens: 5000 },
  },
  {
    name: "reasoning_effort none → thinking disabled",
    request: { messages: [user("x")], reasoning_effort: "none" },
    expected: { thinking: { type: "disabled" } },
  },
  {
    name: "audio → 400 naming the part",
    request: {
      messages: [user([{ type: "input_audio", input_audio: { data: "x", format: "wav" } }])],
    },
    errorParam: "messages[0].content[0].input_audio",
  },
  {
    name: "file_id reference → 400",
    request: { messages: [user([{ type: "file", file: { file_id: "file-1" } }])] },
    errorParam: "messages[0].content[0].file.file_id",
  },
  {
    name: "a non-base64 data URL image → 400",
    request: {
      messages: [user([{ type: "image_url", image_url: { url: "data:image/svg+xml,<svg/>" } }])],
    },
    errorParam: "messages[0].content[0].image_url",
  },
];

Deno.test("openaiToClaudeRequest", async (t) => {
  for (const row of rows) {
    await t.step(row.name, () => {
      const request = chatRequestSchema.parse({ model: "anthropic.claude", ...row.request });
      if (row.errorParam !== undefined) {
        assert.throws(() => openaiToClaudeRequest(request), (e: unknown) => {
          assert.ok(e instanceof GatewayError);
          assert.equal(e.param, row.errorParam);
          return true;
        });
        return;
      }
      const out = openaiToClaudeRequest(request) as Record<string, unknown>;
      const expected = row.expected ?? {};
      const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, out[k]]));
      assert.deepStrictEqual(picked, expected);
      claudeRequestSchema.parse(out);
    });
  }
  await t.step("options: default max tokens and version", () => {
    const request = chatRequestSchema.parse({ model: "m", messages: [user("x")] });
    const out = openaiToClaudeRequest(request, { defaultMaxTokens: 10, anthropicVersion: "v" });
    assert.equal(out.max_tokens, 10);
    assert.equal(out.anthropic_version, "v");
  });
});

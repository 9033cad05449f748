/**
 * Claude request → canonical request: one row per rule.
 */
import assert from "node:assert/strict";
import { claudeToOpenAIRequest } from "../../../../core/formats/bedrock_claude/to_canonical.ts";
import { claudeRequestSchema } from "../../../../core/formats/bedrock_claude/schema.ts";
import { chatRequestSchema } from "../../../../core/formats/openai/schema.ts";
import { GatewayError } from "../../../../core/errors.ts";

const base = {
  anthropic_version: "bedrock-2023-05-31",
  model: "anthropic.claude-sonnet-4",
  max_tokens: 100,
};

interface Row {
  name: string;
  body: Record<string, unknown>;
  /** Members of the converted request to compare. */
  expected?: Record<string, unknown>;
  errorParam?: string;
}

const user = (content: unknown) => ({ role: "user", content });
const assistant = (content: unknown) => ({ role: "assistant", content });
const toolUse = (id: string, name = "get_weather", input: unknown = { city: "Paris" }) => ({
  type: "tool_use",
  id,
  name,
  input,
});

const rows: Row[] = [
  {
    name: "string content and string system stay strings",
    body: { system: "Be brief.", messages: [user("Hi"), assistant("Hello")] },
    expected: {
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello" },
      ],
    },
  },
  {
    name: "system blocks → one system message with text parts (cache_control kept)",
    body: {
      system: [
        { type: "text", text: "A" },
        { type: "text", text: "B", cache_control: { type: "ephemeral" } },
      ],
      messages: [user("Hi")],
    },
    expected: {
      messages: [
        {
          role: "system",
          content: [
            { type: "text", text: "A" },
            { type: "text", text: "B", cache_control: { type: "ephemeral" } },
          ],
        },
        { role: "user", content: "Hi" },
      ],
    },
  },
  {
    name: "images: base64 → data URL, url → URL",
    body: {
      messages: [user([
        { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } },
        { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
      ])],
    },
    expected: {
      messages: [user([
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBO" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
      ])],
    },
  },
  {
    name: "documents: base64 pdf, text, url → file parts",
    body: {
      messages: [user([
        {
          type: "document",
          source: { type: "base64", media_type: "application/pdf", data: "JVBE" },
          title: "Report",
          context: "Q3",
        },
        { type: "document", source: { type: "text", media_type: "text/plain", data: "hi" } },
        { type: "document", source: { type: "url", url: "https://x/a.pdf" } },
        { type: "document", source: { type: "content", content: [{ type: "text", text: "hi" }] } },
      ])],
    },
    expected: {
      messages: [user([
        {
          type: "file",
          file: { file_data: "data:application/pdf;base64,JVBE", filename: "Report" },
          context: "Q3",
        },
        { type: "file", file: { file_data: "data:text/plain;base64,aGk=" } },
        { type: "file", file: { file_url: "https://x/a.pdf" } },
        { type: "file", file: { file_data: "data:text/plain;base64,aGk=" } },
      ])],
    },
  },
  {
    name: "tool_use → tool_calls with JSON arguments; thinking → reasoning fields",
    body: {
      messages: [
        user("Weather?"),
        assistant([
          { type: "thinking", thinking: "Need ", signature: "s1" },
          { type: "redacted_thinking", data: "RED" },
          { type: "thinking", thinking: "a tool.", signature: "s2" },
          { type: "text", text: "Checking." },
          toolUse("toolu_1"),
        ]),
        user([{ type: "tool_result", tool_use_id: "toolu_1", content: "sunny" }]),
      ],
    },
    expected: {
      messages: [
        user("Weather?"),
        {
          role: "assistant",
          content: [{ type: "text", text: "Checking." }],
          tool_calls: [{
            id: "toolu_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          }],
          reasoning_content: "Need a tool.",
          reasoning_signature: "s2",
          reasoning_details: [
            { type: "reasoning.text", text: "Need ", signature: "s1" },
            { type: "reasoning.encrypted", data: "RED" },
            { type: "reasoning.text", text: "a tool.", signature: "s2" },
          ],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "sunny" },
      ],
    },
  },
  {
    name: "assistant with only tool_use → content null",
    body: {
      messages: [
        user("x"),
        assistant([toolUse("t1", "f", {})]),
        user([
          { type: "tool_result", tool_use_id: "t1", content: [{ type: "text", text: "ok" }] },
          { type: "text", text: "Thanks" },
        ]),
      ],
    },
    expected: {
      messages: [
        user("x"),
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "t1", content: [{ type: "text", text: "ok" }] },
        user([{ type: "text", text: "Thanks" }]),
      ],
    },
  },
  {
    name:
      "tool_result is_error kept; no content → empty string; images move after the tool messages",
    body: {
      messages: [
        user("x"),
        assistant([toolUse("a"), toolUse("b")]),
        user([
          { type: "tool_result", tool_use_id: "a", is_error: true },
          {
            type: "tool_result",
            tool_use_id: "b",
            content: [
              { type: "text", text: "chart:" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } },
            ],
          },
        ]),
      ],
    },
    expected: {
      messages: [
        user("x"),
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "a",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
            {
              id: "b",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "a", content: "", is_error: true },
        { role: "tool", tool_call_id: "b", content: [{ type: "text", text: "chart:" }] },
        user([{
          type: "image_url",
          image_url: { url: "data:image/png;base64,iVBO" },
          tool_call_id: "b",
        }]),
      ],
    },
  },
  {
    name: "parameters: max_tokens, temperature 0, top_p, top_k 0, stop, user",
    body: {
      messages: [user("x")],
      temperature: 0,
      top_p: 0.5,
      top_k: 0,
      stop_sequences: ["END", "STOP"],
      metadata: { user_id: "u-1" },
    },
    expected: {
      max_tokens: 100,
      temperature: 0,
      top_p: 0.5,
      top_k: 0,
      stop: ["END", "STOP"],
      user: "u-1",
    },
  },
  {
    name: "tools and tool_choice any with disable_parallel_tool_use",
    body: {
      messages: [user("x")],
      tools: [{
        name: "f",
        description: "d",
        input_schema: { type: "object" },
        cache_control: { type: "ephemeral" },
      }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
    },
    expected: {
      tools: [{
        type: "function",
        function: { name: "f", description: "d", parameters: { type: "object" } },
        cache_control: { type: "ephemeral" },
      }],
      tool_choice: "required",
      parallel_tool_calls: false,
    },
  },
  {
    name: "tool_choice auto / tool / none",
    body: { messages: [user("x")], tool_choice: { type: "tool", name: "f" } },
    expected: { tool_choice: { type: "function", function: { name: "f" } } },
  },
  {
    name: "tool_choice none",
    body: { messages: [user("x")], tool_choice: { type: "none" } },
    expected: { tool_choice: "none", parallel_tool_calls: undefined },
  },
  {
    name: "thinking budget → reasoning_effort and exact budget",
    body: { messages: [user("x")], thinking: { type: "enabled", budget_tokens: 5000 } },
    expected: { reasoning_effort: "medium", reasoning_budget_tokens: 5000 },
  },
  {
    name: "thinking disabled → none; adaptive → medium",
    body: { messages: [user("x")], thinking: { type: "disabled" } },
    expected: { reasoning_effort: "none" },
  },
  {
    name: "stream true asks for usage; gateway fields kept",
    body: { messages: [user("x")], stream: true, file_ids: ["file-1"] },
    expected: { stream: true, stream_options: { include_usage: true }, file_ids: ["file-1"] },
  },
  {
    name: "tool_use in a user message → 400 naming the block type",
    body: { messages: [user([toolUse("t")])] },
    errorParam: "messages[0].content[0].type",
  },
  {
    name: "image in an assistant message → 400",
    body: {
      messages: [user("x"), assistant([{ type: "image", source: { type: "url", url: "u" } }])],
    },
    errorParam: "messages[1].content[0].type",
  },
  {
    name: "an Anthropic-defined tool → 400 naming tools[i].type",
    body: { messages: [user("x")], tools: [{ type: "bash_20250124", name: "bash" }] },
    errorParam: "tools[0].type",
  },
];

Deno.test("claudeToOpenAIRequest", async (t) => {
  for (const row of rows) {
    await t.step(row.name, () => {
      const request = claudeRequestSchema.parse({ ...base, ...row.body });
      if (row.errorParam !== undefined) {
        assert.throws(() => claudeToOpenAIRequest(request), (e: unknown) => {
          assert.ok(e instanceof GatewayError);
          assert.equal(e.param, row.errorParam);
          return true;
        });
        return;
      }
      const out = claudeToOpenAIRequest(request) as Record<string, unknown>;
      const expected = row.expected ?? {};
      const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, out[k]]));
      assert.deepStrictEqual(picked, expected);
      // The result is a valid canonical request.
      chatRequestSchema.parse(out);
    });
  }
  await t.step("adaptive thinking → medium effort", () => {
    const request = claudeRequestSchema.parse({
      ...base,
      messages: [user("x")],
      thinking: { type: "adaptive" },
    });
    assert.equal(claudeToOpenAIRequest(request).reasoning_effort, "medium");
  });
  await t.step(
    "anthropic_version, unknown top-level fields and absent options are not copied",
    () => {
      const request = claudeRequestSchema.parse({ ...base, messages: [user("x")], foo: 1 });
      assert.deepStrictEqual(claudeToOpenAIRequest(request), {
        model: base.model,
        messages: [{ role: "user", content: "x" }],
        max_tokens: 100,
      });
    },
  );
});

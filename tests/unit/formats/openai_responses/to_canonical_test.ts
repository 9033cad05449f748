/** Responses request → canonical request: every input item type, tools, formats, options. */
import assert from "node:assert/strict";
import { responsesRequestSchema } from "../../../../core/formats/openai_responses/schema.ts";
import { responsesToCanonical } from "../../../../core/formats/openai_responses/to_canonical.ts";
import { convertTools } from "../../../../core/formats/openai_responses/tools.ts";

const convert = (body: Record<string, unknown>) =>
  responsesToCanonical(responsesRequestSchema.parse({ model: "m", ...body }));

interface Row {
  name: string;
  body: Record<string, unknown>;
  expected: Record<string, unknown>;
}

const USER_HI = { role: "user", content: [{ type: "text", text: "Hi" }] };

const ROWS: Row[] = [
  {
    name: "string input → one user message; instructions → system first",
    body: { input: "Hi", instructions: "Be brief" },
    expected: { messages: [{ role: "system", content: "Be brief" }, USER_HI] },
  },
  {
    name: "EasyInputMessage without type, string content",
    body: { input: [{ role: "user", content: "Hi" }] },
    expected: { messages: [USER_HI] },
  },
  {
    name: "developer and system messages → system, in order",
    body: {
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "Dev" }] },
        { role: "system", content: "Sys" },
        { role: "user", content: "Hi" },
      ],
    },
    expected: {
      messages: [{ role: "system", content: "Dev" }, { role: "system", content: "Sys" }, USER_HI],
    },
  },
  {
    name: "a developer message with two parts keeps them apart",
    body: {
      input: [
        {
          role: "developer",
          content: [{ type: "input_text", text: "A" }, { type: "input_text", text: "B" }],
        },
        { role: "user", content: "Hi" },
      ],
    },
    expected: {
      messages: [
        { role: "system", content: [{ type: "text", text: "A" }, { type: "text", text: "B" }] },
        USER_HI,
      ],
    },
  },
  {
    name: "input_image URL and data URL, input_file data and URL",
    body: {
      input: [{
        role: "user",
        content: [
          { type: "input_image", image_url: "https://x.test/a.png", detail: "high" },
          { type: "input_image", image_url: "data:image/png;base64,iVBO" },
          { type: "input_file", file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" },
          { type: "input_file", file_url: "https://x.test/b.pdf" },
        ],
      }],
    },
    expected: {
      messages: [{
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "https://x.test/a.png", detail: "high" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBO" } },
          {
            type: "file",
            file: { file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" },
          },
          { type: "file", file: { file_url: "https://x.test/b.pdf" } },
        ],
      }],
    },
  },
  {
    name: "file_id parts → the Files API's file_ids (text context)",
    body: {
      input: [{
        role: "user",
        content: [
          { type: "input_text", text: "Summarise" },
          { type: "input_file", file_id: "file-abc" },
          { type: "input_image", file_id: "file-img" },
        ],
      }],
    },
    expected: {
      messages: [{ role: "user", content: [{ type: "text", text: "Summarise" }] }],
      file_ids: ["file-abc", "file-img"],
    },
  },
  {
    name: "assistant history (output_text, refusal) → assistant content and refusal",
    body: {
      input: [
        { role: "user", content: "Hi" },
        {
          type: "message",
          id: "msg_1",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "Hello", annotations: [] }],
        },
        { role: "assistant", content: [{ type: "refusal", refusal: "No." }] },
        { role: "user", content: "Hi" },
      ],
    },
    expected: {
      messages: [
        USER_HI,
        { role: "assistant", content: "Hello", refusal: "No." },
        USER_HI,
      ],
    },
  },
  {
    name: "function_call items join the assistant message; outputs → tool messages",
    body: {
      input: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "output_text", text: "Checking" }] },
        { type: "function_call", call_id: "c1", name: "f", arguments: '{"a":1}', id: "fc_1" },
        { type: "function_call", call_id: "c2", name: "g", arguments: "{}" },
        { type: "function_call_output", call_id: "c1", output: "one" },
        {
          type: "function_call_output",
          call_id: "c2",
          output: [
            { type: "input_text", text: "see " },
            { type: "input_text", text: "image" },
            { type: "input_image", image_url: "data:image/png;base64,iVBO" },
          ],
        },
      ],
    },
    expected: {
      messages: [
        USER_HI,
        {
          role: "assistant",
          content: "Checking",
          tool_calls: [
            { id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } },
            { id: "c2", type: "function", function: { name: "g", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "one" },
        { role: "tool", tool_call_id: "c2", content: "see image" },
        {
          role: "user",
          content: [{
            type: "image_url",
            image_url: { url: "data:image/png;base64,iVBO" },
            tool_call_id: "c2",
          }],
        },
      ],
    },
  },
  {
    name: "reasoning items with Claude signatures → signed reasoning on the next assistant turn",
    body: {
      input: [
        { role: "user", content: "Hi" },
        {
          type: "reasoning",
          id: "rs_1",
          summary: [{ type: "summary_text", text: "Hmm" }],
          encrypted_content: "sig:S1",
        },
        { type: "reasoning", summary: [], encrypted_content: "redacted:AAAA" },
        { role: "assistant", content: [{ type: "output_text", text: "42" }] },
      ],
    },
    expected: {
      messages: [USER_HI, {
        role: "assistant",
        content: "42",
        reasoning_details: [
          { type: "reasoning.text", text: "Hmm", signature: "S1" },
          { type: "reasoning.encrypted", data: "AAAA" },
        ],
        reasoning_content: "Hmm",
        reasoning_signature: "S1",
      }],
    },
  },
  {
    name: "an OpenAI reasoning blob is not carried to the hub as a signature",
    body: {
      input: [
        { role: "user", content: "Hi" },
        {
          type: "reasoning",
          summary: [{ type: "summary_text", text: "T" }],
          encrypted_content: "gAAAAB",
        },
        { type: "function_call", call_id: "c", name: "f", arguments: "{}" },
      ],
    },
    expected: {
      messages: [USER_HI, {
        role: "assistant",
        content: null,
        reasoning_details: [{ type: "reasoning.text", text: "T" }],
        reasoning_content: "T",
        tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
      }],
    },
  },
  {
    name: "built-in tool items are left out",
    body: {
      input: [
        { role: "user", content: "Hi" },
        { type: "web_search_call", id: "ws_1", status: "completed", action: {} },
        { type: "item_reference", id: "msg_0" },
      ],
    },
    expected: { messages: [USER_HI] },
  },
  {
    name: "options: max_output_tokens, temperature 0, top_p, reasoning.effort, user, metadata",
    body: {
      input: "Hi",
      max_output_tokens: 64,
      temperature: 0,
      top_p: 0.5,
      reasoning: { effort: "high", summary: "auto" },
      user: "u1",
      metadata: { a: "b" },
      store: false,
      include: ["reasoning.encrypted_content"],
      prompt_cache_key: "k",
      stream: true,
      text: { verbosity: "low" },
    },
    expected: {
      messages: [USER_HI],
      max_completion_tokens: 64,
      temperature: 0,
      top_p: 0.5,
      reasoning_effort: "high",
      user: "u1",
      metadata: { a: "b" },
      prompt_cache_key: "k",
      stream: true,
      verbosity: "low",
    },
  },
  {
    name: "text.format json_schema → response_format json_schema",
    body: {
      input: "Hi",
      text: {
        format: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true },
      },
    },
    expected: {
      messages: [USER_HI],
      response_format: {
        type: "json_schema",
        json_schema: { name: "out", schema: { type: "object" }, strict: true },
      },
    },
  },
  {
    name: "text.format json_object and text",
    body: { input: "Hi", text: { format: { type: "json_object" } } },
    expected: { messages: [USER_HI], response_format: { type: "json_object" } },
  },
  {
    name: "function tools, a named tool_choice, parallel_tool_calls",
    body: {
      input: "Hi",
      tools: [{
        type: "function",
        name: "f",
        description: "d",
        parameters: { type: "object" },
        strict: true,
      }],
      tool_choice: { type: "function", name: "f" },
      parallel_tool_calls: false,
    },
    expected: {
      messages: [USER_HI],
      tools: [{
        type: "function",
        function: { name: "f", description: "d", parameters: { type: "object" }, strict: true },
      }],
      tool_choice: { type: "function", function: { name: "f" } },
      parallel_tool_calls: false,
    },
  },
  {
    name: "only built-in tools: no canonical tools and no tool_choice",
    body: { input: "Hi", tools: [{ type: "web_search" }], tool_choice: "required" },
    expected: { messages: [USER_HI] },
  },
];

Deno.test("responsesToCanonical", async (t) => {
  for (const row of ROWS) {
    await t.step(row.name, () => {
      assert.deepEqual(convert(row.body), { model: "m", ...row.expected });
    });
  }
});

Deno.test("convertTools: namespaces flattened, built-ins named once each", () => {
  const tools = responsesRequestSchema.parse({
    model: "m",
    input: "x",
    tools: [
      { type: "web_search" },
      {
        type: "namespace",
        name: "mcp__files",
        description: "File tools",
        tools: [
          { type: "function", name: "read", parameters: { type: "object" } },
          { type: "custom", name: "patch" },
        ],
      },
      { type: "function", name: "shell" },
      { type: "web_search", search_context_size: "low" },
      { type: "mcp", server_label: "x" },
    ],
  }).tools;
  assert.deepEqual(convertTools(tools), {
    tools: [
      { type: "function", function: { name: "read", parameters: { type: "object" } } },
      { type: "function", function: { name: "shell" } },
    ],
    ignored: ["web_search", "custom", "mcp"],
    namespaces: { read: "mcp__files" },
  });
});

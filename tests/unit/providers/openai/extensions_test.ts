/**
 * `withoutExtensions`: the canonical request minus the gateway extension fields, as sent to
 * strict OpenAI upstreams for requests converted from Claude or Titan.
 */
import assert from "node:assert/strict";
import { claudeToOpenAIRequest } from "../../../../core/formats/bedrock_claude/to_canonical.ts";
import { withoutExtensions } from "../../../../core/providers/openai/extensions.ts";
import type { ChatRequest } from "../../../../core/formats/openai/schema.ts";

const ephemeral = { type: "ephemeral" };

const rows: Array<{ name: string; input: ChatRequest; expected: ChatRequest }> = [
  {
    name: "request fields",
    input: {
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
      top_k: 5,
      reasoning_budget_tokens: 2048,
      temperature: 0,
    } as ChatRequest,
    expected: { model: "m", messages: [{ role: "user", content: "Hi" }], temperature: 0 },
  },
  {
    name: "tool message, parts, tool calls, tools",
    input: {
      model: "m",
      messages: [
        { role: "system", content: [{ type: "text", text: "S", cache_control: ephemeral }] },
        {
          role: "assistant",
          content: null,
          reasoning_content: "think",
          reasoning_signature: "sig",
          reasoning_details: [{ type: "reasoning.text", text: "think", signature: "sig" }],
          tool_calls: [{
            id: "t",
            type: "function",
            function: { name: "f", arguments: "{}" },
            cache_control: ephemeral,
          }],
        },
        {
          role: "tool",
          tool_call_id: "t",
          content: "bad",
          is_error: true,
          cache_control: ephemeral,
        },
        {
          role: "user",
          content: [
            {
              type: "image_url",
              image_url: { url: "data:image/png;base64,AA==" },
              tool_call_id: "t",
            },
            { type: "text", text: "Hi", cache_control: ephemeral, citations: { enabled: true } },
          ],
        },
      ],
      tools: [{ type: "function", function: { name: "f" }, cache_control: ephemeral }],
    } as unknown as ChatRequest,
    expected: {
      model: "m",
      messages: [
        { role: "system", content: [{ type: "text", text: "S" }] },
        {
          role: "assistant",
          content: null,
          reasoning_content: "think",
          tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "t", content: "bad" },
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url: "data:image/png;base64,AA==" } },
            { type: "text", text: "Hi" },
          ],
        },
      ],
      tools: [{ type: "function", function: { name: "f" } }],
    } as unknown as ChatRequest,
  },
  {
    name: "nothing to strip: same values",
    input: { model: "m", messages: [{ role: "user", content: "Hi" }], seed: 1 },
    expected: { model: "m", messages: [{ role: "user", content: "Hi" }], seed: 1 },
  },
];

Deno.test("withoutExtensions", async (t) => {
  for (const row of rows) {
    await t.step(row.name, () => {
      const before = structuredClone(row.input);
      assert.deepEqual(withoutExtensions(row.input), row.expected);
      assert.deepEqual(row.input, before, "input not modified");
    });
  }
});

Deno.test("withoutExtensions: a converted Claude request keeps no extension field", () => {
  const canonical = claudeToOpenAIRequest({
    model: "gpt-4o",
    max_tokens: 10,
    top_k: 3,
    thinking: { type: "enabled", budget_tokens: 1500 },
    tools: [{ name: "f", input_schema: {}, cache_control: ephemeral }],
    messages: [
      { role: "user", content: "Q" },
      { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] },
      {
        role: "user",
        content: [{
          type: "tool_result",
          tool_use_id: "t",
          is_error: true,
          content: [{
            type: "image",
            source: { type: "base64", media_type: "image/png", data: "AA==" },
          }],
        }],
      },
    ],
  });
  const stripped = withoutExtensions(canonical);
  const text = JSON.stringify(stripped);
  for (const field of ["top_k", "reasoning_budget_tokens", "is_error", "cache_control"]) {
    assert.equal(text.includes(field), false, `${field} in ${text}`);
  }
  const user = stripped.messages.at(-1) as {
    role: string;
    content: Array<Record<string, unknown>>;
  };
  assert.equal(user.role, "user");
  assert.equal(user.content[0].type, "image_url");
  assert.equal("tool_call_id" in user.content[0], false, "the media part loses its marker");
  assert.ok(text.includes('"tool_call_id":"t"'), "the tool message keeps its tool_call_id");
});

/**
 * The Bedrock Claude schemas: what they accept, and the field each rejection names.
 */
import assert from "node:assert/strict";
import {
  claudeRequestSchema,
  messagesApiRequestSchema,
} from "../../../../core/formats/bedrock_claude/schema.ts";
import { nativeClaudeBody } from "../../../../core/formats/bedrock_claude/native.ts";
import { parseWith } from "../../../../core/formats/validate.ts";
import { GatewayError } from "../../../../core/errors.ts";

const base = {
  anthropic_version: "bedrock-2023-05-31",
  model: "anthropic.claude-sonnet-4",
  max_tokens: 100,
  messages: [{ role: "user", content: "Hi" }],
};

const full = {
  ...base,
  stream: true,
  file_ids: ["file-1"],
  system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "Look" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } },
        { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
        {
          type: "document",
          source: { type: "base64", media_type: "application/pdf", data: "JVBE" },
          title: "Report",
        },
        { type: "document", source: { type: "text", media_type: "text/plain", data: "notes" } },
        { type: "document", source: { type: "url", url: "https://example.com/a.pdf" } },
      ],
    },
    {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "hmm", signature: "sig" },
        { type: "redacted_thinking", data: "abc" },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
      ],
    },
    {
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: "toolu_1",
          content: [{ type: "text", text: "sunny" }],
          is_error: false,
        },
      ],
    },
  ],
  tools: [{ name: "get_weather", description: "d", input_schema: { type: "object" } }],
  tool_choice: { type: "tool", name: "get_weather", disable_parallel_tool_use: true },
  temperature: 0,
  top_p: 0.9,
  top_k: 0,
  stop_sequences: ["END"],
  metadata: { user_id: "u1" },
  thinking: { type: "enabled", budget_tokens: 2048 },
  anthropic_beta: ["x"],
};

Deno.test("Claude schema accepts", async (t) => {
  const rows: Array<[string, Record<string, unknown>]> = [
    ["a minimal body", base],
    ["every field and block type (unknown fields kept)", full],
    ["thinking disabled", { ...base, thinking: { type: "disabled" } }],
    ["tool_choice none", { ...base, tool_choice: { type: "none" } }],
    ["system as a string", { ...base, system: "" }],
    ["tool_result with string content and is_error", {
      ...base,
      messages: [
        { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t", is_error: true }] },
      ],
    }],
  ];
  for (const [name, body] of rows) {
    await t.step(name, () => {
      const parsed = parseWith(claudeRequestSchema, body);
      assert.deepEqual(parsed, body);
    });
  }
});

Deno.test("Claude schema rejects, naming the field", async (t) => {
  const rows: Array<[string, Record<string, unknown>, string]> = [
    ["no max_tokens", { ...base, max_tokens: undefined }, "max_tokens"],
    ["max_tokens 0", { ...base, max_tokens: 0 }, "max_tokens"],
    [
      "a tool role",
      { ...base, messages: [{ role: "tool", content: "x" }] },
      "messages[0].role",
    ],
    ["an unknown block type", {
      ...base,
      messages: [{ role: "user", content: [{ type: "video", url: "x" }] }],
    }, "messages[0].content[0].type"],
    ["tool_result without a matching tool_use", {
      ...base,
      messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "nope" }] }],
    }, "messages[0].content[0].tool_use_id"],
    ["tool_result before its tool_use", {
      ...base,
      messages: [
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] },
      ],
    }, "messages[0].content[0].tool_use_id"],
    ["temperature above 1", { ...base, temperature: 1.5 }, "temperature"],
    ["no messages", { ...base, messages: [] }, "messages"],
    [
      "tool_choice tool without name",
      { ...base, tool_choice: { type: "tool" } },
      "tool_choice.name",
    ],
    [
      "thinking without budget",
      { ...base, thinking: { type: "enabled" } },
      "thinking.budget_tokens",
    ],
    ["image without source data", {
      ...base,
      messages: [{
        role: "user",
        content: [{ type: "image", source: { type: "base64", media_type: "image/png" } }],
      }],
    }, "messages[0].content[0].source.data"],
    [
      "no anthropic_version (strict schema)",
      { ...base, anthropic_version: undefined },
      "anthropic_version",
    ],
  ];
  for (const [name, body, param] of rows) {
    await t.step(name, () => {
      assert.throws(() => parseWith(claudeRequestSchema, body), (e: unknown) => {
        assert.ok(e instanceof GatewayError);
        assert.equal(e.kind, "invalid_request");
        assert.equal(e.param, param, e.message);
        return true;
      });
    });
  }
});

Deno.test("Messages API schema: anthropic_version optional; native body", async (t) => {
  await t.step("no anthropic_version is fine on /v1/messages", () => {
    const { anthropic_version: _, ...body } = base;
    assert.deepEqual(parseWith(messagesApiRequestSchema, body), body);
  });
  await t.step("nativeClaudeBody drops gateway fields and defaults the version", () => {
    const { anthropic_version: _, ...body } = base;
    const request = parseWith(messagesApiRequestSchema, { ...body, stream: true, file_ids: [] });
    assert.deepEqual(nativeClaudeBody(request), {
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hi" }],
    });
  });
  await t.step("nativeClaudeBody keeps a given version and unknown fields", () => {
    const request = parseWith(claudeRequestSchema, { ...base, anthropic_version: "v", x: 1 });
    assert.deepEqual(nativeClaudeBody(request), {
      anthropic_version: "v",
      max_tokens: 100,
      messages: [{ role: "user", content: "Hi" }],
      x: 1,
    });
  });
});

import assert from "node:assert/strict";
import { messagesApiRequestSchema } from "../../../../core/formats/bedrock_claude/schema.ts";
import {
  foldSystemMessages,
  nativeClaudeBody,
} from "../../../../core/formats/bedrock_claude/native.ts";
import { claudeToOpenAIRequest } from "../../../../core/formats/bedrock_claude/to_canonical.ts";
import { withHeaderBetas } from "../../../../server/routes/messages.ts";

const text = (t: string) => ({ type: "text", text: t });

Deno.test("system entries inside messages", async (t) => {
  const rows: Array<
    { name: string; input: Array<{ role: string; content: unknown }>; expected: unknown }
  > = [
    {
      name: "after a user turn: appended to it",
      input: [{ role: "user", content: "Hi" }, { role: "system", content: [text("Env")] }],
      expected: [{ role: "user", content: [text("Hi"), text("Env")] }],
    },
    {
      name: "first: put at the start of the next user turn",
      input: [{ role: "system", content: "Env" }, { role: "user", content: "Hi" }],
      expected: [{ role: "user", content: [text("Env"), text("Hi")] }],
    },
    {
      name: "after an assistant turn, before tool results: after the results",
      input: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "tool_use", id: "t", name: "x", input: {} }] },
        { role: "system", content: "Env" },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "t", content: "r" }, text("more")],
        },
      ],
      expected: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "tool_use", id: "t", name: "x", input: {} }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "t", content: "r" },
            text("Env"),
            text("more"),
          ],
        },
      ],
    },
    {
      name: "last, after an assistant turn: a user turn of its own",
      input: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Yo" }, {
        role: "system",
        content: "Env",
      }],
      expected: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Yo" }, {
        role: "user",
        content: [text("Env")],
      }],
    },
  ];
  for (const row of rows) {
    await t.step(`fold: ${row.name}`, () => {
      const copy = structuredClone(row.input);
      assert.deepEqual(foldSystemMessages(row.input), row.expected);
      assert.deepEqual(row.input, copy, "the input is not modified");
    });
  }

  await t.step("the Messages schema accepts them; the native body has none", () => {
    const request = messagesApiRequestSchema.parse({
      model: "m",
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }, { role: "system", content: [text("Env")] }],
    });
    const body = nativeClaudeBody(request);
    assert.deepEqual(body.messages, [{ role: "user", content: [text("Hi"), text("Env")] }]);
  });

  await t.step("a system entry with a non-text block is a 400 naming it", () => {
    const result = messagesApiRequestSchema.safeParse({
      model: "m",
      max_tokens: 10,
      messages: [{ role: "system", content: [{ type: "image", source: {} }] }],
    });
    assert.equal(result.success, false);
  });

  await t.step("canonical: a system message at its place; output_config mapped", () => {
    const request = messagesApiRequestSchema.parse({
      model: "m",
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }, { role: "system", content: "Env" }],
      output_config: { effort: "max", format: { type: "json_schema", schema: { type: "object" } } },
    });
    const canonical = claudeToOpenAIRequest(request);
    assert.deepEqual(canonical.messages, [
      { role: "user", content: "Hi" },
      { role: "system", content: "Env" },
    ]);
    assert.equal(canonical.reasoning_effort, "xhigh");
    assert.deepEqual(canonical.response_format, {
      type: "json_schema",
      json_schema: { name: "output", schema: { type: "object" }, strict: true },
    });
  });
});

Deno.test("anthropic-beta header merged into anthropic_beta", () => {
  assert.equal(withHeaderBetas(undefined, undefined), undefined);
  assert.deepEqual(withHeaderBetas(["a"], undefined), ["a"]);
  assert.deepEqual(withHeaderBetas(["a"], "b, a,,c"), ["a", "b", "c"]);
});

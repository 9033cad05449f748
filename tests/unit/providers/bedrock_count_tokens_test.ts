import assert from "node:assert/strict";
import {
  countTokensBody,
  countTokensModelId,
} from "../../../core/providers/bedrock/count_tokens.ts";

const SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0";

Deno.test("CountTokens takes the base model id", async (t) => {
  const rows: Array<{ name: string; input: string; expected: string }> = [
    { name: "plain id", input: SONNET_4, expected: SONNET_4 },
    { name: "us. profile", input: `us.${SONNET_4}`, expected: SONNET_4 },
    { name: "global. profile", input: `global.${SONNET_4}`, expected: SONNET_4 },
    { name: "us-gov. profile", input: `us-gov.${SONNET_4}`, expected: SONNET_4 },
    {
      name: "system inference-profile ARN",
      input: `arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.${SONNET_4}`,
      expected: SONNET_4,
    },
    {
      name: "foundation-model ARN",
      input: `arn:aws:bedrock:us-east-1::foundation-model/${SONNET_4}`,
      expected: SONNET_4,
    },
    {
      name: "application inference-profile ARN (no model in the id): as is",
      input: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc",
      expected: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc",
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () => assert.equal(countTokensModelId(row.input), row.expected));
  }
});

Deno.test("the CountTokens body is the InvokeModel body with max_tokens filled in", async (t) => {
  const base = {
    anthropic_version: "bedrock-2023-05-31",
    messages: [{ role: "user", content: "Hi" }],
  };
  await t.step("max_tokens defaults to the model's maximum output", () => {
    assert.deepEqual(countTokensBody(base, `us.${SONNET_4}`), {
      body: { ...base, max_tokens: 64000 },
      notes: [],
    });
    assert.equal(
      countTokensBody(base, "anthropic.claude-3-haiku-20240307-v1:0").body.max_tokens,
      4096,
    );
  });
  await t.step("the client's max_tokens is kept", () => {
    assert.equal(countTokensBody({ ...base, max_tokens: 10 }, SONNET_4).body.max_tokens, 10);
  });
  await t.step("adaptive thinking on a budget model becomes a budget under max_tokens", () => {
    const { body, notes } = countTokensBody({ ...base, thinking: { type: "adaptive" } }, SONNET_4);
    const thinking = body.thinking as { type: string; budget_tokens: number };
    assert.equal(thinking.type, "enabled");
    assert.ok(thinking.budget_tokens < 64000 && thinking.budget_tokens >= 1024);
    assert.equal(notes.length, 1);
  });
  await t.step("fields Bedrock does not take are dropped, with a note", () => {
    const out = countTokensBody({ ...base, context_management: {}, mcp_servers: [] }, SONNET_4);
    assert.deepEqual(out.body, { ...base, max_tokens: 64000 });
    assert.deepEqual(out.notes, ["dropped context_management", "dropped mcp_servers"]);
  });
});

import assert from "node:assert/strict";
import { adaptClaudeBodyForBedrock } from "../../../core/providers/bedrock/native_claude_fields.ts";

const base = {
  anthropic_version: "bedrock-2023-05-31",
  max_tokens: 32_000,
  messages: [{ role: "user", content: "Hi" }],
};
const SONNET_45 = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const OPUS_46 = "us.anthropic.claude-opus-4-6-v1";
const HAIKU_35 = "us.anthropic.claude-3-5-haiku-20241022-v1:0";

Deno.test("Claude bodies adapted to what Bedrock takes", async (t) => {
  await t.step("a body Bedrock takes is the same object, no notes", () => {
    const body = { ...base, metadata: { user_id: "u" }, anthropic_beta: ["context-1m-2025-08-07"] };
    const out = adaptClaudeBodyForBedrock(body, SONNET_45);
    assert.equal(out.body, body);
    assert.deepEqual(out.notes, []);
  });

  await t.step(
    "Claude Code's body on Opus 4.6: extraneous keys and betas dropped, effort kept",
    () => {
      const body = {
        ...base,
        context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
        output_config: { effort: "high" },
        thinking: { type: "adaptive", display: "omitted" },
        anthropic_beta: ["claude-code-20250219", "interleaved-thinking-2025-05-14"],
        tools: [{ name: "T", input_schema: {}, defer_loading: true }],
      };
      const out = adaptClaudeBodyForBedrock(body, OPUS_46);
      assert.deepEqual(out.body, {
        ...base,
        output_config: { effort: "high" },
        thinking: { type: "adaptive" },
        anthropic_beta: ["interleaved-thinking-2025-05-14"],
        tools: [{ name: "T", input_schema: {} }],
      });
      assert.deepEqual(out.notes, [
        "dropped context_management",
        "dropped anthropic_beta claude-code-20250219",
        "dropped thinking.display",
        "dropped tools[].defer_loading",
      ]);
      assert.ok("context_management" in body, "the input is not modified");
    },
  );

  await t.step("Sonnet 4.5: adaptive thinking → a budget from the effort; effort dropped", () => {
    const out = adaptClaudeBodyForBedrock({
      ...base,
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
    }, SONNET_45);
    assert.deepEqual(out.body.thinking, { type: "enabled", budget_tokens: 16_384 });
    assert.equal(out.body.output_config, undefined);
    assert.ok(out.notes.includes("dropped output_config.effort"));
  });

  await t.step("the budget stays below max_tokens; no room → thinking dropped", () => {
    const small = adaptClaudeBodyForBedrock(
      { ...base, max_tokens: 4000, thinking: { type: "adaptive" } },
      SONNET_45,
    );
    assert.deepEqual(small.body.thinking, { type: "enabled", budget_tokens: 3999 });
    const none = adaptClaudeBodyForBedrock(
      { ...base, max_tokens: 500, thinking: { type: "adaptive" } },
      SONNET_45,
    );
    assert.equal(none.body.thinking, undefined);
  });

  await t.step("Claude 3.5 has no thinking: dropped, with the only beta left out", () => {
    const out = adaptClaudeBodyForBedrock({
      ...base,
      thinking: { type: "adaptive" },
      anthropic_beta: ["claude-code-20250219"],
    }, HAIKU_35);
    assert.equal(out.body.thinking, undefined);
    assert.equal(out.body.anthropic_beta, undefined);
  });
});

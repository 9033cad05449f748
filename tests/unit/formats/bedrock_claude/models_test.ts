import assert from "node:assert/strict";
import { toAnthropicModelPage } from "../../../../core/formats/bedrock_claude/models.ts";
import { GatewayError } from "../../../../core/errors.ts";
import type { ModelInfo } from "../../../../core/formats/openai/schema.ts";

const models: ModelInfo[] = ["a", "b", "c", "d", "e"].map((id, i) => ({
  id,
  object: "model",
  created: 1_700_000_000 + i,
  owned_by: "x",
}));
const ids = (page: { data: Array<{ id: string }> }) => page.data.map((m) => m.id).join("");

Deno.test("toAnthropicModelPage: limit, after_id, before_id, has_more, first/last ids", async (t) => {
  const rows = [
    { name: "default limit takes all five", paging: {}, ids: "abcde", more: false },
    { name: "limit 2", paging: { limit: "2" }, ids: "ab", more: true },
    { name: "after b", paging: { limit: "2", after_id: "b" }, ids: "cd", more: true },
    { name: "after d", paging: { limit: "2", after_id: "d" }, ids: "e", more: false },
    { name: "before d", paging: { limit: "2", before_id: "d" }, ids: "bc", more: true },
    { name: "before b", paging: { limit: "2", before_id: "b" }, ids: "a", more: false },
    { name: "after the last", paging: { after_id: "e" }, ids: "", more: false },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      const page = toAnthropicModelPage(models, row.paging);
      assert.equal(ids(page), row.ids);
      assert.equal(page.has_more, row.more);
      assert.equal(page.first_id, row.ids === "" ? null : row.ids[0]);
      assert.equal(page.last_id, row.ids === "" ? null : row.ids[row.ids.length - 1]);
    });
  }
  await t.step("entries in Anthropic's shape", () => {
    assert.deepEqual(toAnthropicModelPage(models, { limit: "1" }).data[0], {
      type: "model",
      id: "a",
      display_name: "a",
      created_at: "2023-11-14T22:13:20Z",
    });
  });
  for (
    const [name, paging, param] of [
      ["limit 0", { limit: "0" }, "limit"],
      ["limit 1001", { limit: "1001" }, "limit"],
      ["limit text", { limit: "many" }, "limit"],
      ["unknown after_id", { after_id: "zz" }, "after_id"],
    ] as const
  ) {
    await t.step(name, () =>
      assert.throws(
        () => toAnthropicModelPage(models, paging),
        (e: unknown) =>
          e instanceof GatewayError && e.param === param && e.kind === "invalid_request",
      ));
  }
});

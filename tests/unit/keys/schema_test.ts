import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import {
  changesOf,
  createKeySchema,
  parseKeyBody,
  settingsOf,
  updateKeySchema,
} from "../../../core/keys/schema.ts";
import type { VirtualKeyRecord } from "../../../core/store/store.ts";

/** Asserts that parsing `body` fails with a 400 naming `param` and matching `message`. */
function refused(
  schema: typeof createKeySchema | typeof updateKeySchema,
  body: unknown,
  param: string | null,
  message: RegExp,
) {
  assert.throws(() => parseKeyBody(schema, body), (error: unknown) => {
    assert.ok(error instanceof GatewayError, String(error));
    assert.equal(error.kind, "invalid_request");
    assert.equal(error.param, param);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("create body: every field, converted to the store's names", () => {
  const body = parseKeyBody(createKeySchema, {
    name: " ci-bot ",
    team: "platform",
    models: ["gpt-4o*", "smart"],
    rpm_limit: 60,
    tpm_limit: 100000,
    max_parallel: 2,
    max_budget_usd: 5.5,
    budget_period: "weekly",
    expires_at: "2030-01-31T00:00:00Z",
    metadata: { owner: "ana" },
    enabled: false,
  });
  assert.equal(body.name, "ci-bot");
  assert.deepEqual(settingsOf(body), {
    team: "platform",
    models: ["gpt-4o*", "smart"],
    rpmLimit: 60,
    tpmLimit: 100000,
    maxParallel: 2,
    maxBudgetUsd: 5.5,
    budgetPeriod: "weekly",
    expiresAt: Date.UTC(2030, 0, 31) / 1000,
    metadata: { owner: "ana" },
  });
  assert.equal(
    parseKeyBody(createKeySchema, { name: "x", expires_at: 1_900_000_000 }).expires_at,
    1_900_000_000,
  );
});

Deno.test("create body: invalid values are 400s naming the field", () => {
  const bad: [unknown, string | null, RegExp][] = [
    [{}, "name", /^name is required/],
    [{ name: "" }, "name", /name must not be empty/],
    [{ name: 3 }, "name", /name must be a string/],
    [{ name: "x", rpm_limit: 0 }, "rpm_limit", /^rpm_limit must be a positive integer\.$/],
    [{ name: "x", rpm_limit: 1.5 }, "rpm_limit", /rpm_limit must be a positive integer/],
    [{ name: "x", rpm_limit: "60" }, "rpm_limit", /rpm_limit must be a positive integer/],
    [{ name: "x", tpm_limit: -1 }, "tpm_limit", /tpm_limit must be a positive integer/],
    [{ name: "x", max_parallel: 0 }, "max_parallel", /max_parallel must be a positive integer/],
    [
      { name: "x", max_budget_usd: 0 },
      "max_budget_usd",
      /max_budget_usd must be a positive number/,
    ],
    [{ name: "x", max_budget_usd: "5" }, "max_budget_usd", /max_budget_usd must be a positive/],
    [{ name: "x", budget_period: "yearly" }, "budget_period", /'daily', 'weekly' or 'monthly'/],
    [
      { name: "x", expires_at: "tomorrow" },
      "expires_at",
      /expires_at must be unix seconds or an ISO/,
    ],
    [{ name: "x", expires_at: 1.5 }, "expires_at", /expires_at must be/],
    [{ name: "x", models: "gpt-4o" }, "models", /models must be an array/],
    [{ name: "x", models: ["ok", ""] }, "models.1", /each models entry must not be empty/],
    [{ name: "x", metadata: [1] }, "metadata", /metadata must be a JSON object/],
    [{ name: "x", enabled: "yes" }, "enabled", /enabled must be true or false/],
    [{ name: "x", rpm: 5 }, "rpm", /unknown field 'rpm'; the fields are name, team/],
  ];
  for (const [body, param, message] of bad) refused(createKeySchema, body, param, message);
  refused(createKeySchema, [], null, /must be a JSON object/);
  assert.throws(
    () => settingsOf(parseKeyBody(createKeySchema, { name: "x", budget_period: "daily" })),
    /budget_period needs max_budget_usd/,
  );
});

Deno.test("update body: partial, null removes, the combined budget is checked", () => {
  const current = {
    id: "key_1",
    hash: "h",
    prefix: "sk-gw-abcd",
    name: "n",
    enabled: true,
    createdAt: 1,
    updatedAt: 1,
    maxBudgetUsd: 10,
    budgetPeriod: "daily",
  } satisfies VirtualKeyRecord;
  assert.deepEqual(changesOf(parseKeyBody(updateKeySchema, {}), current), {});
  assert.deepEqual(
    changesOf(
      parseKeyBody(updateKeySchema, { models: null, rpm_limit: 5, enabled: false }),
      current,
    ),
    { models: null, rpmLimit: 5, enabled: false },
  );
  refused(updateKeySchema, { name: null }, "name", /name must be a string/);
  refused(updateKeySchema, { rpm_limit: 0 }, "rpm_limit", /rpm_limit must be a positive integer/);
  assert.throws(
    () => changesOf(parseKeyBody(updateKeySchema, { max_budget_usd: null }), current),
    /budget_period needs max_budget_usd/,
  );
  assert.deepEqual(
    changesOf(
      parseKeyBody(updateKeySchema, { max_budget_usd: null, budget_period: null }),
      current,
    ),
    { maxBudgetUsd: null, budgetPeriod: null },
  );
});

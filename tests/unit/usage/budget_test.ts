import assert from "node:assert/strict";
import { errorType } from "../../../core/errors.ts";
import {
  budgetError,
  createSpendTracker,
  periodBounds,
  type SpendSource,
} from "../../../core/usage/budget.ts";
import { errorResponse } from "../../../server/errors.ts";

const at = (iso: string) => Date.parse(iso);

Deno.test("periodBounds: UTC days, weeks from Monday, months; no period is all time", () => {
  const wed = at("2026-12-02T17:30:00Z"); // a Wednesday
  assert.deepEqual(periodBounds("daily", wed), {
    start: at("2026-12-02T00:00:00Z"),
    end: at("2026-12-03T00:00:00Z"),
  });
  assert.deepEqual(periodBounds("weekly", wed), {
    start: at("2026-11-30T00:00:00Z"),
    end: at("2026-12-07T00:00:00Z"),
  });
  // Sunday belongs to the week that began the Monday before.
  assert.equal(
    periodBounds("weekly", at("2026-12-06T23:59:59Z")).start,
    at("2026-11-30T00:00:00Z"),
  );
  assert.equal(
    periodBounds("weekly", at("2026-12-07T00:00:00Z")).start,
    at("2026-12-07T00:00:00Z"),
  );
  assert.deepEqual(periodBounds("monthly", at("2026-12-31T23:59:59Z")), {
    start: at("2026-12-01T00:00:00Z"),
    end: at("2027-01-01T00:00:00Z"),
  });
  assert.deepEqual(periodBounds(undefined, wed), { start: 0 });
});

/** A store stand-in for the spend query: the rows it holds, summed like the real query. */
function rowsSource(rows: { key: string; usd: number; atMs: number }[]) {
  const calls: number[] = [];
  const source: SpendSource = (from) => {
    calls.push(from);
    const sums = new Map<string, number>();
    for (const r of rows) if (r.atMs >= from) sums.set(r.key, (sums.get(r.key) ?? 0) + r.usd);
    return Promise.resolve(sums);
  };
  return { source, calls };
}

Deno.test("spend tracker: the store's sums plus this process's own costs, per period", async () => {
  let now = at("2026-12-02T12:00:00Z");
  const rows = [
    { key: "k1", usd: 1, atMs: at("2026-12-02T01:00:00Z") }, // today
    { key: "k1", usd: 2, atMs: at("2026-11-20T01:00:00Z") }, // earlier this... last month
    { key: "k2", usd: 4, atMs: at("2026-12-01T01:00:00Z") }, // this month, not today
  ];
  const { source, calls } = rowsSource(rows);
  const spend = createSpendTracker({ source, now: () => now });
  assert.equal(spend.spent("k1", "daily"), 0); // nothing read yet: the check starts a read
  await spend.refresh();
  assert.equal(spend.spent("k1", "daily"), 1);
  assert.equal(spend.spent("k1", "monthly"), 1);
  assert.equal(spend.spent("k1"), 3); // all time
  assert.equal(spend.spent("k2", "monthly"), 4);
  assert.equal(spend.spent("k2", "daily"), 0);
  assert.deepEqual(
    new Set(calls),
    new Set([
      at("2026-12-02T00:00:00Z"), // daily
      at("2026-11-30T00:00:00Z"), // weekly
      at("2026-12-01T00:00:00Z"), // monthly
      0, // no period
    ]),
  );

  spend.add("k1", 0.5); // a request that just finished, not in the store yet
  assert.equal(spend.spent("k1", "daily"), 1.5);
  assert.equal(spend.spent("k1"), 3.5);
  spend.add("k1", 0); // free requests change nothing
  spend.add("k1", Number.NaN);
  assert.equal(spend.spent("k1", "daily"), 1.5);

  // Next day: the daily sum starts again; the monthly one keeps what the store has.
  now = at("2026-12-03T00:00:01Z");
  assert.equal(spend.spent("k1", "daily"), 0);
  rows.push({ key: "k1", usd: 0.5, atMs: at("2026-12-02T12:00:00Z") }); // the record landed
  await spend.refresh();
  assert.equal(spend.spent("k1", "daily"), 0);
  assert.equal(spend.spent("k1", "monthly"), 1.5);
});

Deno.test("spend tracker: flushes its own records before reading, so none is lost or counted twice", async () => {
  const now = at("2026-12-02T12:00:00Z");
  const rows: { key: string; usd: number; atMs: number }[] = [];
  const pending: { key: string; usd: number; atMs: number }[] = [];
  const { source } = rowsSource(rows);
  const spend = createSpendTracker({
    source,
    now: () => now,
    beforeRead: () => {
      rows.push(...pending.splice(0)); // the usage writer's flush
      return Promise.resolve();
    },
  });
  spend.spent("k", "daily");
  await spend.refresh();
  for (let i = 0; i < 3; i++) {
    pending.push({ key: "k", usd: 1, atMs: now });
    spend.add("k", 1);
  }
  assert.equal(spend.spent("k", "daily"), 3);
  await spend.refresh();
  assert.equal(spend.spent("k", "daily"), 3);
});

Deno.test("spend tracker: a failing store keeps the local sums, warns once and is read again a second later", async () => {
  let fail = true;
  let reads = 0;
  const warnings: string[] = [];
  let now = 1_000_000;
  const spend = createSpendTracker({
    source: () => {
      reads++;
      return fail ? Promise.reject(new Error("db down")) : Promise.resolve(new Map([["k", 7]]));
    },
    now: () => now,
    refreshMs: 5_000,
    logger: { warn: (msg: string) => warnings.push(msg), info: () => {} } as never,
  });
  spend.spent("k");
  await spend.refresh();
  spend.add("k", 2);
  await spend.refresh();
  assert.equal(spend.spent("k"), 2);
  assert.equal(warnings.length >= 1, true);
  assert.match(warnings[0], /budgets: reading the spend from the store failed/);
  assert.equal(warnings.length, 1, "one warning per outage, not per try");
  const tries = reads;
  now += 500;
  spend.spent("k"); // tried again only a second after the failure
  assert.equal(reads, tries);
  fail = false;
  now += 600; // a failed read waits 1 s, not refreshMs
  spend.spent("k");
  await spend.refresh();
  assert.equal(spend.spent("k"), 7); // the store has it now (its records were flushed)
  const before = reads;
  now += 1_000;
  spend.spent("k"); // fresh enough: no read
  assert.equal(reads, before);
  now += 5_000;
  spend.spent("k");
  await spend.refresh();
  assert.equal(reads, before + 4); // one grouped query per period
});

Deno.test("budgetError: 429 insufficient_quota naming the key, budget, spend and reset", () => {
  const now = at("2026-12-02T12:00:00Z");
  const budget = { keyId: "key_1", keyName: "ci", maxUsd: 5, period: "monthly" as const };
  assert.equal(budgetError(budget, 4.99, now), undefined);
  const error = budgetError(budget, 5.004, now)!;
  assert.equal(error.kind, "rate_limited");
  assert.equal(error.code, "insufficient_quota");
  assert.equal(errorType(error), "insufficient_quota");
  assert.equal(
    error.message,
    "The key 'ci' has spent its monthly budget of $5.00 (spent $5.00). It resets at 2027-01-01T00:00:00.000Z.",
  );
  const forever = budgetError({ ...budget, period: undefined }, 6, now)!;
  assert.match(forever.message, /budget of \$5\.00 \(spent \$6\.00\)\. It has no reset period/);
  const response = errorResponse(error);
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("x-should-retry"), "false");
  assert.equal(response.headers.get("retry-after"), null);
});

/**
 * The state store contract for usage records (`UsageRepository`), run against every backend
 * with the rest of the contract (`store_contract_cases.ts`): batches land whole, summaries by
 * every grouping, filters and time bounds, unknown cost counted as unpriced (not as zero), and
 * empty results.
 */
import assert from "node:assert/strict";
import { StoreClosedError } from "../../core/store/errors.ts";
import type { Store, UsageGroup, UsageRecord } from "../../core/store/store.ts";
import type { StoreTarget } from "../helpers/stores.ts";

/** 2027-01-15T00:00:00Z in unix ms; DAY later is the 16th. */
const T0 = Date.UTC(2027, 0, 15);
const DAY = 86_400_000;

let n = 0;
/** A usage record at `atMs`, plus `overrides`. */
function usage(atMs: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    time: new Date(atMs).toISOString(),
    request_id: `req_${++n}`,
    key_id: "key_a",
    team: "red",
    route: "/v1/chat/completions",
    model: "gpt-4o",
    provider: "openai",
    deployment: "openai/gpt-4o",
    input_tokens: 100,
    cached_tokens: 10,
    output_tokens: 20,
    reasoning_tokens: 5,
    cost_usd: 0.5,
    latency_ms: 12.5,
    ttft_ms: 3.25,
    status: 200,
    error_code: null,
    ...overrides,
  };
}

/** The six records most cases sum. */
const SAMPLE: UsageRecord[] = [
  usage(T0 + 1_000),
  usage(T0 + 2_000, { cost_usd: 0.25, output_tokens: 40 }),
  usage(T0 + 3_000, {
    key_id: "key_b",
    team: "blue",
    model: "smart",
    provider: "bedrock",
    deployment: "bedrock/claude",
    cost_usd: 2,
  }),
  usage(T0 + DAY + 1_000, {
    key_id: "key_b",
    team: "blue",
    model: "llama3",
    provider: "ollama",
    deployment: "ollama/llama3",
    cost_usd: null,
  }),
  usage(T0 + DAY + 2_000, {
    key_id: null,
    team: null,
    input_tokens: 0,
    cached_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0,
    status: 502,
    error_code: "upstream_error",
    ttft_ms: null,
  }),
  usage(T0 + 2 * DAY, { cost_usd: 1, reasoning_tokens: 0 }),
];

/** A group with zeros, then `fields`. */
function group(name: string | null, fields: Partial<UsageGroup>): UsageGroup {
  return {
    group: name,
    requests: 0,
    errors: 0,
    input_tokens: 0,
    cached_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cost_usd: 0,
    unpriced_requests: 0,
    ...fields,
  };
}

const withSample =
  (body: (store: Store, target: StoreTarget) => Promise<void>) => async (target: StoreTarget) => {
    const store = await target.open();
    try {
      await store.usage.insert(SAMPLE);
      await body(store, target);
    } finally {
      await store.close();
    }
  };

/** The usage contract: `{name, run(target)}` cases. */
export const USAGE_CONTRACT: { name: string; run(target: StoreTarget): Promise<void> }[] = [
  {
    name: "usage: insert keeps every field; time as unix ms",
    run: withSample(async (_store, target) => {
      const rows = await target.query("SELECT * FROM usage ORDER BY id");
      assert.equal(rows.length, SAMPLE.length);
      const first = rows[0];
      assert.equal(Number(first.time), T0 + 1_000);
      const expected = SAMPLE[0];
      for (const [column, value] of Object.entries(expected)) {
        if (column === "time") continue;
        const stored = first[column];
        assert.equal(
          typeof value === "number" ? Number(stored) : stored,
          value,
          `column ${column}`,
        );
      }
      const failed = rows[4];
      assert.equal(failed.key_id, null);
      assert.equal(failed.cost_usd === null ? 0 : Number(failed.cost_usd), 0);
      assert.equal(failed.ttft_ms, null);
      assert.equal(failed.error_code, "upstream_error");
      assert.equal(rows[3].cost_usd, null, "an unknown cost stays null");
    }),
  },
  {
    name: "usage: totals without a grouping; unknown cost is unpriced, not zero",
    run: withSample(async (store) => {
      assert.deepEqual(await store.usage.summarize({}), [
        group(null, {
          requests: 6,
          errors: 1,
          input_tokens: 500,
          cached_tokens: 50,
          output_tokens: 120,
          reasoning_tokens: 20,
          cost_usd: 3.75,
          unpriced_requests: 1,
        }),
      ]);
    }),
  },
  {
    name: "usage: group by key, team, model, provider — by cost, then group, null last",
    run: withSample(async (store) => {
      const pick = (groups: UsageGroup[]) =>
        groups.map((g) => [g.group, g.requests, g.cost_usd, g.unpriced_requests, g.errors]);
      assert.deepEqual(pick(await store.usage.summarize({ groupBy: "key" })), [
        ["key_b", 2, 2, 1, 0],
        ["key_a", 3, 1.75, 0, 0],
        [null, 1, 0, 0, 1],
      ]);
      assert.deepEqual(pick(await store.usage.summarize({ groupBy: "team" })), [
        ["blue", 2, 2, 1, 0],
        ["red", 3, 1.75, 0, 0],
        [null, 1, 0, 0, 1],
      ]);
      assert.deepEqual(pick(await store.usage.summarize({ groupBy: "model" })), [
        ["smart", 1, 2, 0, 0],
        ["gpt-4o", 4, 1.75, 0, 1],
        ["llama3", 1, 0, 1, 0],
      ]);
      assert.deepEqual(pick(await store.usage.summarize({ groupBy: "provider" })), [
        ["bedrock", 1, 2, 0, 0],
        ["openai", 4, 1.75, 0, 1],
        ["ollama", 1, 0, 1, 0],
      ]);
    }),
  },
  {
    name: "usage: group by day is the UTC date, in day order",
    run: withSample(async (store) => {
      const days = await store.usage.summarize({ groupBy: "day" });
      assert.deepEqual(days.map((g) => [g.group, g.requests, g.cost_usd, g.unpriced_requests]), [
        ["2027-01-15", 3, 2.75, 0],
        ["2027-01-16", 2, 0, 1],
        ["2027-01-17", 1, 1, 0],
      ]);
      assert.deepEqual(days[0], {
        group: "2027-01-15",
        requests: 3,
        errors: 0,
        input_tokens: 300,
        cached_tokens: 30,
        output_tokens: 80,
        reasoning_tokens: 15,
        cost_usd: 2.75,
        unpriced_requests: 0,
      });
    }),
  },
  {
    name: "usage: filters by key, team and model combine",
    run: withSample(async (store) => {
      const totals = async (query: Parameters<Store["usage"]["summarize"]>[0]) =>
        (await store.usage.summarize(query)).map((g) => [g.requests, g.cost_usd]);
      assert.deepEqual(await totals({ keyId: "key_a" }), [[3, 1.75]]);
      assert.deepEqual(await totals({ team: "blue" }), [[2, 2]]);
      assert.deepEqual(await totals({ model: "gpt-4o" }), [[4, 1.75]]);
      assert.deepEqual(await totals({ keyId: "key_b", model: "smart" }), [[1, 2]]);
      assert.deepEqual(await totals({ keyId: "key_a", team: "blue" }), [[0, 0]]);
      assert.deepEqual(
        (await store.usage.summarize({ team: "blue", groupBy: "model" })).map((g) => g.group),
        ["smart", "llama3"],
      );
    }),
  },
  {
    name: "usage: from is inclusive, to exclusive (unix ms)",
    run: withSample(async (store) => {
      const count = async (from?: number, to?: number) =>
        (await store.usage.summarize({ from, to }))[0].requests;
      assert.equal(await count(T0 + 1_000, T0 + 3_000), 2);
      assert.equal(await count(T0 + 1_001, T0 + 3_001), 2);
      assert.equal(await count(T0 + DAY), 3);
      assert.equal(await count(undefined, T0 + DAY), 3);
      assert.equal(await count(T0 + 2 * DAY, T0 + 2 * DAY + 1), 1);
      assert.equal(await count(T0 + 2 * DAY + 1), 0);
    }),
  },
  {
    name: "usage: nothing recorded — one group of zeros as totals, an empty list when grouped",
    run: async (target) => {
      const store = await target.open();
      try {
        await store.usage.insert([]);
        assert.deepEqual(await store.usage.summarize({}), [group(null, {})]);
        for (const groupBy of ["key", "team", "model", "provider", "day"] as const) {
          assert.deepEqual(await store.usage.summarize({ groupBy }), [], groupBy);
        }
        await store.usage.insert(SAMPLE);
        assert.deepEqual(await store.usage.summarize({ keyId: "key_zzz", groupBy: "day" }), []);
      } finally {
        await store.close();
      }
    },
  },
  {
    name: "usage: a batch of 2 500 lands whole; batches from two instances add up",
    run: async (target) => {
      const a = await target.open();
      const b = await target.open();
      try {
        const batch = Array.from(
          { length: 2_500 },
          (_, i) => usage(T0 + i, { cost_usd: 0.001, input_tokens: 1 }),
        );
        await Promise.all([a.usage.insert(batch), b.usage.insert(SAMPLE)]);
        const [totals] = await a.usage.summarize({});
        assert.equal(totals.requests, 2_506);
        assert.equal(totals.input_tokens, 2_500 + 500);
        assert.equal(totals.cost_usd, 2.5 + 3.75);
      } finally {
        await a.close();
        await b.close();
      }
    },
  },
  {
    name: "usage: a batch with a bad record fails whole; nothing of it is kept",
    run: async (target) => {
      const store = await target.open();
      try {
        const bad = { ...usage(T0), route: null } as unknown as UsageRecord;
        await assert.rejects(store.usage.insert([usage(T0), bad]));
        assert.equal((await store.usage.summarize({}))[0].requests, 0);
      } finally {
        await store.close();
      }
    },
  },
  {
    name: "usage: after close insert and summarize reject",
    run: async (target) => {
      const store = await target.open();
      await store.close();
      await assert.rejects(store.usage.insert([usage(T0)]), StoreClosedError);
      await assert.rejects(store.usage.summarize({}), StoreClosedError);
    },
  },
];

/**
 * The state store's contract: one list of cases, each run against every backend by
 * `store_contract_test.ts`. A case gets an empty database (`StoreTarget`) and opens as many
 * store instances on it as it needs.
 */
import assert from "node:assert/strict";
import { StoreClosedError, StoreOpenError } from "../../core/store/errors.ts";
import { type Migration, MIGRATIONS } from "../../core/store/migrations.ts";
import type { Store, StoredResponse } from "../../core/store/store.ts";
import type { StoreTarget } from "../helpers/stores.ts";
import { KEY_CONTRACT } from "./store_contract_keys.ts";
import { USAGE_CONTRACT } from "./store_contract_usage.ts";

/** One contract case. */
export interface ContractCase {
  name: string;
  run(target: StoreTarget): Promise<void>;
}

const NOW = 1_800_000_000;

/** A record with `id`, expiring at `expiresAt` (default a day after NOW). */
export function record(id: string, overrides: Partial<StoredResponse> = {}): StoredResponse {
  return {
    id,
    createdAt: NOW,
    expiresAt: NOW + 86_400,
    model: "mock-echo",
    response: { id, object: "response", status: "completed", output: [] },
    inputItems: [{ id: `msg_${id}`, type: "message", role: "user", content: "hi" }],
    context: [],
    ...overrides,
  };
}

async function using<T>(store: Store, body: (store: Store) => Promise<T>): Promise<T> {
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

/** A migration that fails if it is ever applied twice (CREATE TABLE without IF NOT EXISTS). */
const PROBE: Migration = {
  version: MIGRATIONS.length + 1,
  name: "contract probe",
  sqlite: "CREATE TABLE contract_probe (n INTEGER); INSERT INTO contract_probe VALUES (1);",
  postgres: "CREATE TABLE contract_probe (n INTEGER); INSERT INTO contract_probe VALUES (1);",
};

/** Every value JSON can carry, with the awkward ones. */
const AWKWARD = {
  text: 'plain, "quoted", back\\slash, tab\t, newline\n, cr\r, nul\u0000 end',
  unicode: "héllo — Ωμέγα — 中文 — עברית — 🙂👍🏽 — 𝄞 — 👩‍👩‍👧 — \u200b\ufeff",
  astral: "\u{1F600}\u{10FFFF}",
  loneSurrogates: "\ud800 and \udfff",
  numbers: [0, 1, -1, 1.5, -0.25, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 9007199254740991],
  literals: [true, false, null],
  empty: { object: {}, array: [], string: "" },
  nested: { a: { b: { c: { d: [{ e: [1, [2, [3, { f: "deep" }]]] }] } } } },
  "key with spaces and ключ 🔑": "value",
};

/** The contract. */
export const CONTRACT: ContractCase[] = [
  {
    name: "put then get returns the record as stored",
    run: (target) =>
      target.open().then((s) =>
        using(s, async (store) => {
          const first = record("resp_a", { previousResponseId: "resp_0" });
          const second = record("resp_b");
          await store.responses.put(first);
          await store.responses.put(second);
          assert.deepEqual(await store.responses.get("resp_a", NOW), first);
          const got = await store.responses.get("resp_b", NOW);
          assert.deepEqual(got, second);
          assert.ok(got !== undefined && !("previousResponseId" in got), "absent stays absent");
          assert.equal(await store.responses.get("resp_missing", NOW), undefined);
        })
      ),
  },
  {
    name: "put with an existing id replaces the record",
    run: (target) =>
      target.open().then((s) =>
        using(s, async (store) => {
          await store.responses.put(record("resp_r", { model: "first", previousResponseId: "x" }));
          const replacement = record("resp_r", {
            model: "second",
            expiresAt: NOW + 10,
            response: { id: "resp_r", v: 2 },
          });
          await store.responses.put(replacement);
          assert.deepEqual(await store.responses.get("resp_r", NOW), replacement);
        })
      ),
  },
  {
    name: "delete is true once, then false; false for an unknown or expired id",
    run: (target) =>
      target.open().then((s) =>
        using(s, async (store) => {
          await store.responses.put(record("resp_d"));
          await store.responses.put(record("resp_old", { expiresAt: NOW - 1 }));
          assert.equal(await store.responses.delete("resp_d", NOW), true);
          assert.equal(await store.responses.get("resp_d", NOW), undefined);
          assert.equal(await store.responses.delete("resp_d", NOW), false);
          assert.equal(await store.responses.delete("resp_never", NOW), false);
          assert.equal(await store.responses.delete("resp_old", NOW), false);
          assert.equal(await store.responses.purgeExpired(NOW), 0, "the expired one went too");
        })
      ),
  },
  {
    name: "a record expires exactly at expiresAt",
    run: (target) =>
      target.open().then((s) =>
        using(s, async (store) => {
          await store.responses.put(record("resp_e", { expiresAt: NOW + 100 }));
          assert.ok(await store.responses.get("resp_e", NOW + 99), "present a second before");
          assert.equal(await store.responses.get("resp_e", NOW + 100), undefined, "gone at");
          assert.equal(await store.responses.get("resp_e", NOW + 101), undefined, "gone after");
          assert.ok(await store.responses.get("resp_e", NOW), "expiry is a read filter");
        })
      ),
  },
  {
    name: "purgeExpired removes what expired at now and counts it",
    run: (target) =>
      target.open().then((s) =>
        using(s, async (store) => {
          for (const [id, at] of [["p1", 100], ["p2", 200], ["p3", 300]] as const) {
            await store.responses.put(record(id, { expiresAt: NOW + at }));
          }
          assert.equal(await store.responses.purgeExpired(NOW), 0);
          assert.equal(await store.responses.purgeExpired(NOW + 200), 2);
          assert.equal(await store.responses.purgeExpired(NOW + 200), 0);
          assert.ok(await store.responses.get("p3", NOW + 250));
          assert.equal(await store.responses.purgeExpired(NOW + 10_000), 1);
          assert.deepEqual(await target.query("SELECT id FROM responses"), []);
        })
      ),
  },
  {
    name:
      "JSON comes back exactly: unicode (astral, lone surrogates), NUL, nesting, numbers, key order",
    run: (target) =>
      target.open().then((s) =>
        using(s, async (store) => {
          const r = record("resp_json", {
            model: "模型-🙂",
            response: { id: "resp_json", ...AWKWARD },
            inputItems: [AWKWARD, { id: "i2", list: [AWKWARD] }],
            context: [{ nested: AWKWARD }],
          });
          await store.responses.put(r);
          const got = await store.responses.get("resp_json", NOW);
          assert.deepEqual(got, r);
          assert.equal(JSON.stringify(got?.response), JSON.stringify(r.response), "same text");
        })
      ),
  },
  {
    name: "a record of about 1 MB round-trips",
    run: (target) =>
      target.open().then((s) =>
        using(s, async (store) => {
          const chunk = "The quick brown fox 🦊 jumps over the lazy dog. ";
          const items = Array.from({ length: 400 }, (_, i) => ({
            id: `item_${i}`,
            type: "message",
            content: chunk.repeat(50) + i,
          }));
          const r = record("resp_big", { inputItems: items, response: { id: "resp_big", items } });
          assert.ok(JSON.stringify(r).length > 1_000_000, "at least 1 MB");
          await store.responses.put(r);
          assert.deepEqual(await store.responses.get("resp_big", NOW), r);
        })
      ),
  },
  {
    name: "concurrent puts all land; racing puts on one id leave one of them whole",
    run: (target) =>
      target.open().then((s) =>
        using(s, async (store) => {
          const records = Array.from({ length: 50 }, (_, i) => record(`resp_c${i}`));
          await Promise.all(records.map((r) => store.responses.put(r)));
          const got = await Promise.all(records.map((r) => store.responses.get(r.id, NOW)));
          assert.deepEqual(got, records);
          const racers = Array.from(
            { length: 10 },
            (_, i) => record("resp_race", { model: `m${i}`, response: { id: "resp_race", i } }),
          );
          await Promise.all(racers.map((r) => store.responses.put(r)));
          const winner = await store.responses.get("resp_race", NOW);
          assert.ok(winner !== undefined);
          assert.deepEqual(winner, racers[Number(winner.response.i)]);
        })
      ),
  },
  {
    name: "migrations: opening twice applies each once; data stays",
    run: async (target) => {
      await using(await target.open(), (store) => store.responses.put(record("resp_m")));
      await using(await target.open([...MIGRATIONS, PROBE]), async (store) => {
        assert.ok(await store.responses.get("resp_m", NOW));
      });
      await using(await target.open([...MIGRATIONS, PROBE]), async () => {});
      const versions = await target.query("SELECT version FROM schema_migrations ORDER BY 1");
      assert.deepEqual(
        versions.map((v) => Number(v.version)),
        [...MIGRATIONS, PROBE].map((m) => m.version),
      );
      assert.deepEqual((await target.query("SELECT n FROM contract_probe")).length, 1);
    },
  },
  {
    name: "migrations: instances opening at the same moment apply each once",
    run: async (target) => {
      const results = await target.openConcurrently(4, [...MIGRATIONS, PROBE]);
      assert.deepEqual(results, ["ok", "ok", "ok", "ok"]);
      assert.deepEqual((await target.query("SELECT n FROM contract_probe")).length, 1);
    },
  },
  {
    name: "migrations: a failing one rolls back and fails the open; a later open succeeds",
    run: async (target) => {
      const broken: Migration = {
        version: MIGRATIONS.length + 1,
        name: "broken",
        sqlite: "CREATE TABLE half_done (n INTEGER); THIS IS NOT SQL;",
        postgres: "CREATE TABLE half_done (n INTEGER); THIS IS NOT SQL;",
      };
      await assert.rejects(target.open([...MIGRATIONS, broken]), StoreOpenError);
      await using(await target.open(), async (store) => {
        await store.responses.put(record("resp_after"));
        assert.ok(await store.responses.get("resp_after", NOW));
      });
      const versions = await target.query("SELECT version FROM schema_migrations");
      assert.deepEqual(versions.map((v) => Number(v.version)), MIGRATIONS.map((m) => m.version));
      await assert.rejects(target.query("SELECT * FROM half_done"));
    },
  },
  {
    name: "records survive closing and reopening",
    run: async (target) => {
      const r = record("resp_p", { previousResponseId: "resp_o" });
      await using(await target.open(), (store) => store.responses.put(r));
      await using(await target.open(), async (store) => {
        assert.deepEqual(await store.responses.get("resp_p", NOW), r);
      });
    },
  },
  {
    name: "two instances on one database see each other's writes",
    run: async (target) => {
      const a = await target.open();
      const b = await target.open();
      try {
        await a.responses.put(record("resp_shared"));
        assert.ok(await b.responses.get("resp_shared", NOW));
        await b.responses.put(record("resp_shared", { model: "from b" }));
        assert.equal((await a.responses.get("resp_shared", NOW))?.model, "from b");
        assert.equal(await b.responses.delete("resp_shared", NOW), true);
        assert.equal(await a.responses.get("resp_shared", NOW), undefined);
        await Promise.all(
          Array.from(
            { length: 20 },
            (_, i) => (i % 2 === 0 ? a : b).responses.put(record(`resp_ab${i}`)),
          ),
        );
        assert.equal(await a.responses.purgeExpired(NOW + 86_400), 20);
      } finally {
        await a.close();
        await b.close();
      }
    },
  },
  {
    name: "after close every call rejects; closing again is fine",
    run: async (target) => {
      const store = await target.open();
      await store.responses.put(record("resp_closed"));
      await store.close();
      await store.close();
      await assert.rejects(store.responses.put(record("resp_x")), StoreClosedError);
      await assert.rejects(store.responses.get("resp_closed", NOW), StoreClosedError);
      await assert.rejects(store.responses.delete("resp_closed", NOW), StoreClosedError);
      await assert.rejects(store.responses.purgeExpired(NOW), StoreClosedError);
    },
  },
  ...KEY_CONTRACT,
  ...USAGE_CONTRACT,
];

/**
 * The state store contract for virtual keys (`KeyRepository`), run against every backend with
 * the rest of the contract (`store_contract_cases.ts`): writes and reads, partial updates,
 * revocation as a soft delete that polls see, paging, two instances on one database, the key
 * cache over a second instance, and no plaintext key anywhere in the table.
 */
import assert from "node:assert/strict";
import { createKeyAdmin } from "../../core/keys/admin.ts";
import { createKeyCache } from "../../core/keys/key_cache.ts";
import { hashKey } from "../../core/keys/key_material.ts";
import { StoreClosedError } from "../../core/store/errors.ts";
import type { Store, VirtualKeyRecord } from "../../core/store/store.ts";
import type { StoreTarget } from "../helpers/stores.ts";

const NOW = 1_800_000_000;

/** A key record with `id` (hash derived from it), plus `overrides`. */
function keyRecord(
  id: string,
  overrides: Partial<VirtualKeyRecord> = {},
): Omit<VirtualKeyRecord, "updatedAt" | "revokedAt"> {
  return {
    id,
    hash: hashKey(`sk-gw-${id}`),
    prefix: "sk-gw-test",
    name: `name of ${id}`,
    enabled: true,
    createdAt: NOW,
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

const withStore =
  (body: (store: Store, target: StoreTarget) => Promise<void>) => (target: StoreTarget) =>
    target.open().then((s) => using(s, (store) => body(store, target)));

/** The keys contract: `{name, run(target)}` cases. */
export const KEY_CONTRACT: { name: string; run(target: StoreTarget): Promise<void> }[] = [
  {
    name: "keys: insert then get returns every field as stored; absent stays absent",
    run: withStore(async (store) => {
      const full = keyRecord("key_full", {
        team: "platform",
        models: ["gpt-4o*", "smart", "bedrock/*"],
        rpmLimit: 60,
        tpmLimit: 100_000,
        maxParallel: 4,
        maxBudgetUsd: 12.5,
        budgetPeriod: "monthly",
        expiresAt: NOW + 3600,
        metadata: { owner: "ana", tags: ["a", "ü🙂"], nested: { n: 1.5 } },
      });
      const inserted = await store.keys.insert(full);
      assert.ok(inserted.updatedAt > 0, "updatedAt set by the store");
      assert.deepEqual(await store.keys.get("key_full"), inserted);
      assert.deepEqual({ ...inserted, updatedAt: undefined }, { ...full, updatedAt: undefined });
      const bare = await store.keys.insert(keyRecord("key_bare", { enabled: false }));
      const got = await store.keys.get("key_bare");
      assert.deepEqual(got, bare);
      for (const field of ["team", "models", "rpmLimit", "expiresAt", "metadata", "revokedAt"]) {
        assert.ok(got !== undefined && !(field in got), `${field} absent`);
      }
      assert.equal(await store.keys.get("key_none"), undefined);
    }),
  },
  {
    name: "keys: a second key with the same id or hash is refused",
    run: withStore(async (store) => {
      await store.keys.insert(keyRecord("key_a"));
      await assert.rejects(store.keys.insert(keyRecord("key_a", { hash: hashKey("other") })));
      await assert.rejects(store.keys.insert(keyRecord("key_b", { hash: hashKey("sk-gw-key_a") })));
      assert.equal((await store.keys.list({ limit: 10, order: "asc" })).data.length, 1);
    }),
  },
  {
    name: "keys: update replaces given fields, null removes, others stay; updatedAt grows",
    run: withStore(async (store) => {
      const first = await store.keys.insert(
        keyRecord("key_u", { team: "a", models: ["x"], rpmLimit: 5, metadata: { k: 1 } }),
      );
      const updated = await store.keys.update("key_u", {
        name: "renamed",
        team: null,
        rpmLimit: 10,
        models: null,
        enabled: false,
      });
      assert.ok(updated !== undefined && updated.updatedAt > first.updatedAt);
      const got = await store.keys.get("key_u");
      assert.deepEqual(got, updated);
      assert.equal(got?.name, "renamed");
      assert.equal(got?.rpmLimit, 10);
      assert.equal(got?.enabled, false);
      assert.deepEqual(got?.metadata, { k: 1 });
      assert.ok(got !== undefined && !("team" in got) && !("models" in got));
      assert.equal(await store.keys.update("key_missing", { name: "x" }), undefined);
    }),
  },
  {
    name: "keys: concurrent updates of different fields all land",
    run: withStore(async (store) => {
      await store.keys.insert(keyRecord("key_c"));
      await Promise.all([
        store.keys.update("key_c", { rpmLimit: 1 }),
        store.keys.update("key_c", { tpmLimit: 2 }),
        store.keys.update("key_c", { maxParallel: 3 }),
        store.keys.update("key_c", { team: "t" }),
        store.keys.update("key_c", { metadata: { m: true } }),
        store.keys.update("key_c", { name: "n" }),
      ]);
      const got = await store.keys.get("key_c");
      assert.deepEqual(
        [got?.rpmLimit, got?.tpmLimit, got?.maxParallel, got?.team, got?.metadata, got?.name],
        [1, 2, 3, "t", { m: true }, "n"],
      );
    }),
  },
  {
    name: "keys: revoke is a soft delete: gone for reads, seen by changedSince",
    run: withStore(async (store) => {
      const before = await store.keys.insert(keyRecord("key_r"));
      await store.keys.insert(keyRecord("key_keep"));
      assert.equal(await store.keys.revoke("key_r", NOW + 5), true);
      assert.equal(await store.keys.revoke("key_r", NOW + 6), false, "once");
      assert.equal(await store.keys.revoke("key_never", NOW), false);
      assert.equal(await store.keys.get("key_r"), undefined);
      assert.equal(await store.keys.update("key_r", { name: "back" }), undefined);
      const listed = await store.keys.list({ limit: 10, order: "asc" });
      assert.deepEqual(listed.data.map((k) => k.id), ["key_keep"]);
      const { keys, nowMs } = await store.keys.changedSince(0);
      const revoked = keys.find((k) => k.id === "key_r");
      assert.equal(revoked?.revokedAt, NOW + 5);
      assert.ok(revoked !== undefined && revoked.updatedAt > before.updatedAt);
      assert.ok(nowMs >= revoked.updatedAt, "the clock reading is not older than the rows");
      const later = await store.keys.changedSince(revoked.updatedAt + 1);
      assert.ok(!later.keys.some((k) => k.id === "key_r"), "nothing newer");
    }),
  },
  {
    name: "keys: list pages by creation, both orders, after a cursor, with has_more",
    run: withStore(async (store) => {
      for (let i = 0; i < 5; i++) {
        await store.keys.insert(keyRecord(`key_p${i}`, { createdAt: NOW + i }));
      }
      const ids = (page: { data: VirtualKeyRecord[] }) => page.data.map((k) => k.id);
      const first = await store.keys.list({ limit: 2, order: "asc" });
      assert.deepEqual(ids(first), ["key_p0", "key_p1"]);
      assert.equal(first.hasMore, true);
      const next = await store.keys.list({ limit: 2, order: "asc", after: "key_p1" });
      assert.deepEqual(ids(next), ["key_p2", "key_p3"]);
      const last = await store.keys.list({ limit: 2, order: "asc", after: "key_p3" });
      assert.deepEqual([ids(last), last.hasMore], [["key_p4"], false]);
      const desc = await store.keys.list({ limit: 3, order: "desc" });
      assert.deepEqual(ids(desc), ["key_p4", "key_p3", "key_p2"]);
      const descNext = await store.keys.list({ limit: 3, order: "desc", after: "key_p2" });
      assert.deepEqual([ids(descNext), descNext.hasMore], [["key_p1", "key_p0"], false]);
      const unknown = await store.keys.list({ limit: 3, order: "asc", after: "key_nope" });
      assert.deepEqual(ids(unknown), [], "an unknown cursor is an empty page");
    }),
  },
  {
    name: "keys: the table holds the hash and prefix, never the key",
    run: withStore(async (store, target) => {
      const admin = createKeyAdmin(store.keys);
      const created = await admin.create({ name: "secret holder", models: ["mock-*"] });
      assert.match(created.key, /^sk-gw-[0-9A-Za-z]{40}$/);
      const rows = await target.query("SELECT * FROM virtual_keys");
      assert.equal(rows.length, 1);
      const text = JSON.stringify(rows);
      const random = created.key.slice("sk-gw-".length);
      assert.ok(!text.includes(random), "no plaintext key in the table");
      assert.ok(!text.includes(random.slice(4, 20)), "not even a part past the prefix");
      assert.equal(rows[0].key_hash, hashKey(created.key));
      assert.equal(rows[0].key_prefix, created.key.slice(0, 10));
      assert.equal(created.key_prefix, created.key.slice(0, 10));
    }),
  },
  {
    name: "keys: two instances see each other's writes; a cache on one sees a revocation",
    run: async (target) => {
      const a = await target.open();
      const b = await target.open();
      try {
        const cache = createKeyCache(b.keys, { pollMs: 0 });
        const created = await createKeyAdmin(a.keys).create({ name: "shared", team: "t" });
        const hash = hashKey(created.key);
        assert.equal((await cache.lookup(hash))?.record.team, "t");
        await a.keys.update(created.id, { team: "u" });
        assert.equal((await cache.lookup(hash))?.record.team, "u");
        assert.equal(await a.keys.revoke(created.id, NOW), true);
        assert.equal(await cache.lookup(hash), undefined);
        assert.equal(await b.keys.get(created.id), undefined);
        assert.equal(cache.size, 0);
      } finally {
        await a.close();
        await b.close();
      }
    },
  },
  {
    name: "keys: after close every call rejects",
    run: async (target) => {
      const store = await target.open();
      await store.keys.insert(keyRecord("key_closed"));
      await store.close();
      await assert.rejects(store.keys.insert(keyRecord("key_x")), StoreClosedError);
      await assert.rejects(store.keys.get("key_closed"), StoreClosedError);
      await assert.rejects(store.keys.list({ limit: 1, order: "asc" }), StoreClosedError);
      await assert.rejects(store.keys.update("key_closed", { name: "y" }), StoreClosedError);
      await assert.rejects(store.keys.revoke("key_closed", NOW), StoreClosedError);
      await assert.rejects(store.keys.changedSince(0), StoreClosedError);
    },
  },
];

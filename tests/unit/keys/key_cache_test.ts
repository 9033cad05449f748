/**
 * The key cache over a real SQLite store, with an injected clock: lookups between polls read
 * nothing (known or unknown keys), a poll older than half the interval refreshes in the
 * background, one older than the interval is awaited, a failing store keeps the cached keys.
 */
import assert from "node:assert/strict";
import { createKeyAdmin } from "../../../core/keys/admin.ts";
import { createKeyCache } from "../../../core/keys/key_cache.ts";
import { hashKey } from "../../../core/keys/key_material.ts";
import { createLogger } from "../../../core/logger.ts";
import { openSqliteStore } from "../../../core/store/sqlite_store.ts";
import type { KeyRepository } from "../../../core/store/store.ts";

/** A store in a temporary directory, its keys repository counting `changedSince` calls (and
 * failing them while `fail` is set), removed by `close`. */
function countedStore() {
  const dir = Deno.makeTempDirSync({ prefix: "key-cache-" });
  const store = openSqliteStore({ dataDir: dir });
  const state = { polls: 0, fail: false };
  const keys: KeyRepository = {
    ...store.keys,
    changedSince(since) {
      state.polls++;
      return state.fail
        ? Promise.reject(new Error("database is gone"))
        : store.keys.changedSince(since);
    },
  };
  return {
    store,
    keys,
    state,
    async close() {
      await store.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

Deno.test("key cache: between polls a known key costs no read; misses at most one per 100 ms", async () => {
  const s = countedStore();
  try {
    let now = 0;
    const cache = createKeyCache(s.keys, { pollMs: 2000, missPollMs: 100, clock: () => now });
    const { key } = await createKeyAdmin(s.store.keys).create({ name: "a" });
    assert.equal(s.state.polls, 0, "nothing read before the first lookup");
    assert.equal((await cache.lookup(hashKey(key)))?.record.name, "a");
    assert.equal(s.state.polls, 1);
    for (let i = 0; i < 900; i++) {
      now += 1;
      assert.ok(await cache.lookup(hashKey(key)));
    }
    assert.equal(s.state.polls, 1, "900 lookups of a known key within 900 ms: no read");
    now = 0;
    const fresh = createKeyCache(s.keys, { pollMs: 2000, missPollMs: 100, clock: () => now });
    const before = s.state.polls;
    for (let i = 0; i < 1000; i++) {
      now += 0.9; // 1000 unknown keys in 900 ms
      assert.equal(await fresh.lookup(hashKey(`sk-gw-unknown-${i}`)), undefined);
    }
    const reads = s.state.polls - before;
    assert.ok(
      reads >= 9 && reads <= 11,
      `1000 misses in 900 ms: ${reads} reads (one per 100 ms)`,
    );
  } finally {
    await s.close();
  }
});

Deno.test("key cache: a key created on another instance works at once (the miss polls)", async () => {
  const s = countedStore();
  try {
    let now = 0;
    const cache = createKeyCache(s.keys, { pollMs: 2000, missPollMs: 100, clock: () => now });
    await cache.refresh(); // a regular poll just now does not hold a miss back
    const { key } = await createKeyAdmin(s.store.keys).create({ name: "new" });
    now = 1;
    assert.equal((await cache.lookup(hashKey(key)))?.record.name, "new");
    const other = await createKeyAdmin(s.store.keys).create({ name: "other" });
    now = 50; // within 100 ms of the last miss poll: not yet
    assert.equal(await cache.lookup(hashKey(other.key)), undefined);
    now = 101;
    assert.equal((await cache.lookup(hashKey(other.key)))?.record.name, "other");
  } finally {
    await s.close();
  }
});

Deno.test("key cache: a revocation elsewhere is seen within the poll interval", async () => {
  const s = countedStore();
  try {
    let now = 0;
    const cache = createKeyCache(s.keys, { pollMs: 2000, clock: () => now });
    const admin = createKeyAdmin(s.store.keys); // another instance: this cache is not told
    const created = await admin.create({ name: "r", models: ["mock-*"] });
    const hash = hashKey(created.key);
    assert.ok(await cache.lookup(hash));
    await admin.revoke(created.id);
    now = 900;
    assert.ok(await cache.lookup(hash), "within half the interval: the cached answer");
    assert.equal(s.state.polls, 1);
    now = 1100; // past half: answered from the cache, a poll starts in the background
    assert.ok(await cache.lookup(hash));
    await cache.refresh();
    assert.equal(s.state.polls, 2);
    assert.equal(await cache.lookup(hash), undefined, "the background poll removed it");

    const second = await admin.create({ name: "s" });
    await cache.lookup(hashKey(second.key)); // not there yet (polled at 1100)
    await admin.update(second.id, { enabled: false });
    now = 1100 + 2001; // past the interval: the lookup waits for the poll
    assert.equal((await cache.lookup(hashKey(second.key)))?.record.enabled, false);
  } finally {
    await s.close();
  }
});

Deno.test("key cache: a failing store keeps the cached keys, retried once per interval", async () => {
  const s = countedStore();
  const lines: string[] = [];
  try {
    let now = 0;
    const cache = createKeyCache(s.keys, {
      pollMs: 1000,
      clock: () => now,
      logger: createLogger("warn", (line) => lines.push(line)),
    });
    const { key } = await createKeyAdmin(s.store.keys).create({ name: "kept" });
    assert.ok(await cache.lookup(hashKey(key)));
    s.state.fail = true;
    now = 1500;
    assert.ok(await cache.lookup(hashKey(key)), "still answered");
    assert.equal(s.state.polls, 2);
    now = 1600;
    assert.ok(await cache.lookup(hashKey(key)));
    assert.equal(s.state.polls, 2, "no second try within the interval");
    assert.equal(lines.length, 1);
    assert.match(lines[0], /polling the store failed; using the cached keys/);
    assert.ok(!lines[0].includes(key));
  } finally {
    await s.close();
  }
});

Deno.test("key cache: a store failing before the first load refuses, without a read per lookup", async () => {
  const s = countedStore();
  try {
    let now = 0;
    s.state.fail = true;
    const cache = createKeyCache(s.keys, { pollMs: 1000, clock: () => now });
    await assert.rejects(cache.lookup("h"), /database is gone/);
    await assert.rejects(cache.lookup("h"), /database is gone/);
    assert.equal(s.state.polls, 1);
    s.state.fail = false;
    now = 1001;
    assert.equal(await cache.lookup("h"), undefined);
    assert.equal(s.state.polls, 2);
  } finally {
    await s.close();
  }
});

Deno.test("key cache: a poll's older row never replaces a newer write this instance made", async () => {
  const s = countedStore();
  try {
    const cache = createKeyCache(s.keys, { pollMs: 0 });
    const admin = createKeyAdmin(s.store.keys, cache);
    const created = await admin.create({ name: "v1" });
    const old = await s.store.keys.get(created.id);
    await admin.update(created.id, { name: "v2" });
    cache.remember(old!); // what a slow poll that read before the update would bring
    assert.equal((await cache.lookup(hashKey(created.key)))?.record.name, "v2");
    await admin.revoke(created.id);
    cache.remember(old!);
    assert.equal(await cache.lookup(hashKey(created.key)), undefined, "revocation wins");
  } finally {
    await s.close();
  }
});

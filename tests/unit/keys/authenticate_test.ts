import assert from "node:assert/strict";
import { createKeyAdmin } from "../../../core/keys/admin.ts";
import { createAuthenticator } from "../../../core/keys/authenticate.ts";
import { createKeyCache } from "../../../core/keys/key_cache.ts";
import { openSqliteStore } from "../../../core/store/sqlite_store.ts";

Deno.test("authenticator: static, admin and virtual keys; refused alike when unknown, disabled or expired", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "auth-" });
  const store = openSqliteStore({ dataDir: dir });
  try {
    let now = 1_900_000_000;
    const cache = createKeyCache(store.keys);
    const admin = createKeyAdmin(store.keys, cache, () => now);
    const authenticate = createAuthenticator({
      apiKeys: ["static-1", "static-2"],
      adminKey: "admin-1",
      keys: cache,
      now: () => now,
    });
    assert.deepEqual(await authenticate("static-2"), { kind: "static", admin: false });
    assert.deepEqual(await authenticate("admin-1"), { kind: "admin", admin: true });
    for (const bad of [null, undefined, "", "static-3", "admin-", "sk-gw-nope"]) {
      assert.equal(await authenticate(bad), undefined, String(bad));
    }
    const limited = await admin.create({ name: "ci", team: "qa", models: ["mock-*"] });
    const caller = await authenticate(limited.key);
    assert.equal(caller?.kind, "virtual");
    assert.equal(caller?.admin, false);
    assert.deepEqual(caller?.key, { id: limited.id, name: "ci", team: "qa" });
    assert.equal(caller?.allowsModel?.("mock-echo"), true);
    assert.equal(caller?.allowsModel?.("gpt-4o"), false);
    const open = await admin.create({ name: "any", expires_at: now + 10 });
    assert.equal((await authenticate(open.key))?.allowsModel, undefined, "no list: any model");
    now += 10;
    assert.equal(await authenticate(open.key), undefined, "expired at expires_at");
    await admin.update(limited.id, { enabled: false });
    assert.equal(await authenticate(limited.key), undefined, "disabled");
    await admin.update(limited.id, { enabled: true });
    assert.ok(await authenticate(limited.key));
    await admin.revoke(limited.id);
    assert.equal(await authenticate(limited.key), undefined, "revoked");
  } finally {
    await store.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("authenticator: the admin key alone; API_KEY alone (its first key is the admin)", async () => {
  const adminOnly = createAuthenticator({ apiKeys: [], adminKey: "adm" });
  assert.deepEqual(await adminOnly("adm"), { kind: "admin", admin: true });
  assert.equal(await adminOnly("other"), undefined);
  const single = createAuthenticator({ apiKeys: ["k1"], adminKey: "k1" });
  assert.equal((await single("k1"))?.admin, true);
  assert.equal(await single("k2"), undefined, "no static key left: nothing else passes");
});

Deno.test("authenticator: no key configured is authentication off (every caller an admin)", async () => {
  const off = createAuthenticator({ apiKeys: [] });
  assert.deepEqual(await off(null), { kind: "open", admin: true });
  assert.deepEqual(await off("anything"), { kind: "open", admin: true });
});

/**
 * Usage-record test helpers: a gateway over a fresh SQLite store with a usage writer into it and
 * the fake OpenAI upstream, a virtual key, waiting for the access log, and gpt-4o-mini's cost at
 * the built-in price.
 */
import assert from "node:assert/strict";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import type { Store, UsageRecord } from "../../core/store/store.ts";
import { createUsageWriter, type UsageWriter } from "../../core/usage/writer.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { type TestApp, testApp } from "./app.ts";
import { sqliteTarget } from "./stores.ts";

export const ADMIN = "admin-key-usage-7f";
export const STATIC = "static-key-usage-3a";
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A gateway over a fresh SQLite store and a usage writer into it, with the fake upstream. */
export async function gateway(
  build?: (store: Store, usage: UsageWriter<UsageRecord>, fake: FakeOpenAI) => TestApp,
) {
  const dir = Deno.makeTempDirSync({ prefix: "usage-test-" });
  const store = openSqliteStore({ dataDir: dir });
  const usage = createUsageWriter<UsageRecord>({
    sink: (rows) => store.usage.insert(rows),
    flushMs: 10,
  });
  const fake = await startFakeOpenAI();
  const gw = build?.(store, usage, fake) ?? testApp(
    { OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url, API_KEY: STATIC, ADMIN_API_KEY: ADMIN },
    { store, usage },
  );
  const target = sqliteTarget(dir);
  return {
    gw,
    fake,
    store,
    usage,
    /** Every stored row, oldest first, once the writer has sent what it holds. */
    async rows() {
      await usage.flush();
      return await target.query("SELECT * FROM usage ORDER BY id");
    },
    async [Symbol.asyncDispose]() {
      await usage.close();
      await store.close();
      await fake.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

/** Creates a virtual key (team `red`) through the admin API. */
export async function virtualKey(gw: TestApp, team = "red") {
  const res = await gw.post("/admin/keys", { name: "usage", team }, bearer(ADMIN));
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json() as { id: string; key: string };
}

/** The access log lines have all been written (streams log when they end). */
export async function accessLogged(gw: TestApp, count: number) {
  const until = Date.now() + 5_000;
  while (gw.accessLogs().length < count && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** gpt-4o-mini at the built-in price: 11 input tokens at $0.15/M, 7 output at $0.6/M. */
export const MINI_COST = (11 * 0.15 + 7 * 0.6) / 1_000_000;

/**
 * `openStore` (backend choice, start-up description) and retention (`core/store/retention.ts`):
 * expired responses are purged when the store opens and then periodically, a failed purge is a
 * warning, and closing stops the timer (the test sanitizers would report one left running).
 */
import assert from "node:assert/strict";
import { createLogger } from "../../core/logger.ts";
import { openStore } from "../../core/store/open.ts";
import { expiresAt, startRetention } from "../../core/store/retention.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import { sqliteTarget } from "../helpers/stores.ts";
import { record } from "./store_contract_cases.ts";

const nowSeconds = () => Math.floor(Date.now() / 1000);

function capture() {
  const lines: string[] = [];
  const logger = createLogger("debug", (line) => lines.push(line));
  return { logger, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "store-open-" });
  try {
    await body(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("openStore: SQLite in DATA_DIR (created if missing) without a DATABASE_URL", () =>
  withDir(async (dir) => {
    const dataDir = `${dir}/nested/data`;
    const store = await openStore({ dataDir, logger: capture().logger });
    try {
      assert.equal(store.backend, "sqlite");
      assert.equal(store.description, `sqlite ${dataDir}/gateway.db`);
      assert.ok(Deno.statSync(`${dataDir}/gateway.db`).isFile);
    } finally {
      await store.close();
    }
  }));

Deno.test("openStore: expired responses are purged before it returns, and logged", () =>
  withDir(async (dir) => {
    const seed = openSqliteStore({ dataDir: dir });
    await seed.responses.put(record("resp_stale", { expiresAt: nowSeconds() - 1 }));
    await seed.responses.put(record("resp_fresh", { expiresAt: nowSeconds() + 3600 }));
    await seed.close();
    const { logger, logs } = capture();
    const store = await openStore({ dataDir: dir, logger });
    await store.close();
    const ids = await sqliteTarget(dir).query("SELECT id FROM responses");
    assert.deepEqual(ids.map((r) => r.id), ["resp_fresh"]);
    const line = logs().find((l) => l.msg === "store: purged expired responses");
    assert.equal(line?.removed, 1);
  }));

Deno.test("openStore: the purge runs again every interval until close", () =>
  withDir(async (dir) => {
    const { logger, logs } = capture();
    const store = await openStore({ dataDir: dir, logger, purgeIntervalMs: 20 });
    try {
      await store.responses.put(record("resp_later", { expiresAt: nowSeconds() - 1 }));
      const deadline = Date.now() + 5_000;
      while ((await sqliteTarget(dir).query("SELECT id FROM responses")).length > 0) {
        assert.ok(Date.now() < deadline, "purged by the periodic run");
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await store.close();
    }
    // A timer still running after close would now fail on the closed store, and say so.
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(logs().filter((l) => l.level === "warn"), []);
  }));

Deno.test("retention: a failed purge is a warning, and the next tick tries again", () =>
  withDir(async (dir) => {
    const store = openSqliteStore({ dataDir: dir });
    await store.close(); // every purge now rejects
    const { logger, logs } = capture();
    const retention = startRetention(store, { logger, intervalMs: 10, now: () => 0 });
    assert.equal(await retention.first, 0);
    await new Promise((r) => setTimeout(r, 50));
    retention.stop();
    const warnings = logs().filter((l) => l.msg === "store: purging expired responses failed");
    assert.ok(warnings.length >= 2, `first and a later tick: ${warnings.length}`);
    assert.equal(warnings[0].level, "warn");
    assert.match(String(warnings[0].error), /closed/);
  }));

Deno.test("retention: expiresAt is RESPONSES_TTL_DAYS days after creation", () => {
  assert.equal(expiresAt(1_000, 30), 1_000 + 30 * 86_400);
  assert.equal(expiresAt(0, 1), 86_400);
});

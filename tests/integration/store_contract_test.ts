/**
 * The state store contract (`store_contract_cases.ts`) against both backends: SQLite files in
 * temporary directories, and a real PostgreSQL server started on loopback for this file
 * (`tests/helpers/postgres.ts`), a fresh database per case. Plus each backend's open failures:
 * an unwritable DATA_DIR, an unreachable or wrongly authenticated DATABASE_URL.
 *
 * When the PostgreSQL server cannot start, one test says so by name ("postgres contract:
 * SKIPPED — …"); it passes outside CI and fails in CI (`CI` set), where the cases must run.
 */
import assert from "node:assert/strict";
import { silentLogger } from "../../core/logger.ts";
import { StoreOpenError } from "../../core/store/errors.ts";
import { openStore } from "../../core/store/open.ts";
import { openPostgresStore } from "../../core/store/postgres_store.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import { registerPostgresSkipped, tryStartPostgres } from "../helpers/postgres.ts";
import { freePort } from "../helpers/server.ts";
import { postgresBackend, sqliteBackend, type StoreBackend } from "../helpers/stores.ts";
import { CONTRACT, type ContractCase, record } from "./store_contract_cases.ts";

/** Runs `c` on a fresh database of `backend`, dropped afterwards. */
async function runCase(backend: StoreBackend, c: ContractCase): Promise<void> {
  const target = await backend.fresh();
  try {
    await c.run(target);
  } finally {
    await target.drop();
  }
}

const sqlite = sqliteBackend();
for (const c of CONTRACT) {
  Deno.test(`sqlite contract: ${c.name}`, () => runCase(sqlite, c));
}

Deno.test("sqlite: an unwritable DATA_DIR fails the open in one line naming it", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/file`, "");
    const dataDir = `${dir}/file/data`;
    assert.throws(() => openSqliteStore({ dataDir }), (error: unknown) => {
      assert.ok(error instanceof StoreOpenError);
      assert.match(
        error.message,
        new RegExp(`^Cannot open the state store: DATA_DIR ${dataDir} is not writable`),
      );
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/** Asserts `promise` rejects with a one-line StoreOpenError matching `pattern`, without
 * `secret`. */
async function assertOpenFails(promise: Promise<unknown>, pattern: RegExp, secret: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreOpenError, String(error));
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/);
    assert.ok(!error.message.includes(secret), `no password in: ${error.message}`);
    return true;
  });
}

Deno.test("postgres: an unreachable DATABASE_URL fails in one line naming it and host:port", async () => {
  const port = freePort();
  await assertOpenFails(
    openPostgresStore({ databaseUrl: `postgres://gw:hunter2-secret@127.0.0.1:${port}/gw` }),
    new RegExp(
      `^Cannot open the state store: DATABASE_URL \\(127\\.0\\.0\\.1:${port}\\): connection refused`,
    ),
    "hunter2-secret",
  );
});

const started = performance.now();
const pg = await tryStartPostgres();
const startMs = Math.round(performance.now() - started);

if (pg.server === undefined) {
  registerPostgresSkipped("postgres contract", pg.reason);
} else {
  const server = pg.server;
  console.log(`embedded PostgreSQL started in ${startMs} ms (port ${server.port})`);
  const postgres = postgresBackend(server.url);
  for (const c of CONTRACT) {
    Deno.test(`postgres contract: ${c.name}`, () => runCase(postgres, c));
  }

  Deno.test("postgres: a wrong password fails in one line naming DATABASE_URL, no password", async () => {
    const url = new URL(server.url);
    url.password = "not-the-password-42";
    await assertOpenFails(
      openPostgresStore({ databaseUrl: url.href }),
      new RegExp(
        `^Cannot open the state store: DATABASE_URL \\(127\\.0\\.0\\.1:${server.port}\\): authentication failed`,
      ),
      "not-the-password-42",
    );
  });

  Deno.test("postgres: an unknown database fails in one line", async () => {
    const url = new URL(server.url);
    url.pathname = "/no_such_db";
    await assertOpenFails(
      openPostgresStore({ databaseUrl: url.href }),
      /DATABASE_URL \(127\.0\.0\.1:\d+\): no such database/,
      server.password,
    );
  });

  Deno.test("postgres: openStore picks PostgreSQL for a DATABASE_URL and names it", async () => {
    const store = await openStore({
      dataDir: "/nonexistent/never-used",
      databaseUrl: server.url,
      logger: silentLogger,
    });
    try {
      assert.equal(store.backend, "postgres");
      assert.equal(store.description, `postgres 127.0.0.1:${server.port}/postgres`);
      await store.responses.put(record("resp_open_pg"));
      assert.ok(await store.responses.delete("resp_open_pg", 0));
    } finally {
      await store.close();
    }
  });

  Deno.test("postgres: the test server shuts down cleanly", async () => {
    assert.equal(await server.stop(), 0);
  });
}

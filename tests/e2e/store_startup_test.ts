/**
 * The launcher and the state store: every serving worker opens the store, the start-up log
 * names it once (`store: sqlite <path>` / `store: postgres <host:port/db>`, never a password),
 * and gateway processes that start together on one PostgreSQL database (a real server started
 * for this file) all come up with the schema migrated once.
 */
import assert from "node:assert/strict";
import { registerPostgresSkipped, tryStartPostgres } from "../helpers/postgres.ts";
import { spawnGateway } from "../helpers/server.ts";
import { postgresBackend } from "../helpers/stores.ts";
import { MIGRATIONS } from "../../core/store/migrations.ts";

const storeLines = (logs: Array<Record<string, unknown>>) =>
  logs.filter((l) => typeof l.msg === "string" && l.msg.startsWith("store: ")).map((l) => l.msg);

Deno.test("store start-up: two workers share the SQLite file in DATA_DIR; logged once", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "store-e2e-" });
  try {
    const gateway = await spawnGateway({ WORKERS: "2", DATA_DIR: `${dir}/data` });
    const status = await gateway.stop();
    assert.equal(status.code, 0, gateway.stderr());
    assert.deepEqual(storeLines(gateway.logs()), [`store: sqlite ${dir}/data/gateway.db`]);
    assert.ok(Deno.statSync(`${dir}/data/gateway.db`).isFile);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

const pg = await tryStartPostgres();
if (pg.server === undefined) {
  registerPostgresSkipped("store start-up (postgres)", pg.reason);
} else {
  const server = pg.server;
  const backend = postgresBackend(server.url);

  Deno.test("store start-up (postgres): two gateways starting at once on one database", async () => {
    const target = await backend.fresh();
    const database = (await target.query("SELECT current_database() AS db"))[0].db as string;
    const url = new URL(server.url);
    url.pathname = `/${database}`;
    try {
      const gateways = await Promise.all(
        [0, 1].map(() => spawnGateway({ WORKERS: "2", DATABASE_URL: url.href })),
      );
      for (const gateway of gateways) {
        const status = await gateway.stop();
        assert.equal(status.code, 0, gateway.stderr());
        assert.deepEqual(storeLines(gateway.logs()), [
          `store: postgres 127.0.0.1:${server.port}/${database}`,
        ]);
        assert.ok(!(gateway.stdout() + gateway.stderr()).includes(server.password), "no password");
      }
      const versions = await target.query("SELECT version FROM schema_migrations ORDER BY 1");
      assert.deepEqual(versions.map((v) => Number(v.version)), MIGRATIONS.map((m) => m.version));
    } finally {
      await target.drop();
    }
  });

  Deno.test("store start-up (postgres): the test server shuts down cleanly", async () => {
    assert.equal(await server.stop(), 0);
  });
}

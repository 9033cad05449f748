/**
 * The state store's backends as the contract suite drives them: each `fresh()` is an empty
 * database (a new SQLite directory, or a new PostgreSQL database on the test server) that any
 * number of store instances can open — the way several workers or gateway instances share one.
 */
import { type Migration, MIGRATIONS } from "../../core/store/migrations.ts";
import { openPostgresStore } from "../../core/store/postgres_store.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import type { Store } from "../../core/store/store.ts";

/** One empty database of a backend. */
export interface StoreTarget {
  /** Opens another store instance on this database (running `migrations`, default all). */
  open(migrations?: readonly Migration[]): Promise<Store>;
  /** Opens `count` instances at the same moment — from separate processes where the backend
   * is synchronous — closes them, and returns what each reported: `"ok"` or its error message. */
  openConcurrently(count: number, migrations?: readonly Migration[]): Promise<string[]>;
  /** Runs a query straight on the database (test inspection), returning the rows. */
  query(sql: string): Promise<Array<Record<string, unknown>>>;
  /** Removes the database (its directory, or DROP DATABASE). */
  drop(): Promise<void>;
}

/** A backend under test. */
export interface StoreBackend {
  name: "sqlite" | "postgres";
  fresh(): Promise<StoreTarget>;
}

/** SQLite: each target is a new temporary directory. */
export function sqliteBackend(): StoreBackend {
  return {
    name: "sqlite",
    fresh: () => Promise.resolve(sqliteTarget(Deno.makeTempDirSync({ prefix: "store-sqlite-" }))),
  };
}

/** A SQLite target on `dataDir`. */
export function sqliteTarget(dataDir: string): StoreTarget {
  return {
    open: (migrations = MIGRATIONS) =>
      Promise.resolve().then(() => openSqliteStore({ dataDir, migrations })),
    async openConcurrently(count, migrations = MIGRATIONS) {
      const script = new URL("./store_open_process.ts", import.meta.url).pathname;
      const children = Array.from({ length: count }, () =>
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--allow-read",
            "--allow-write",
            script,
            dataDir,
            JSON.stringify(migrations),
          ],
          stdout: "piped",
          stderr: "piped",
        }).spawn());
      const outputs = await Promise.all(children.map((child) => child.output()));
      return outputs.map((o) =>
        new TextDecoder().decode(o.stdout).trim() || new TextDecoder().decode(o.stderr).trim()
      );
    },
    async query(sql) {
      const { DatabaseSync } = await import("node:sqlite");
      const db = new DatabaseSync(`${dataDir}/gateway.db`);
      try {
        return db.prepare(sql).all() as Array<Record<string, unknown>>;
      } finally {
        db.close();
      }
    },
    drop: () => Deno.remove(dataDir, { recursive: true }),
  };
}

/** PostgreSQL: each target is a new database on the server at `adminUrl`. */
export function postgresBackend(adminUrl: string): StoreBackend {
  let n = 0;
  return {
    name: "postgres",
    async fresh() {
      const name = `contract_${Date.now().toString(36)}_${n++}`;
      const postgres = (await import("postgres")).default;
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return postgresTarget(url.href, async () => {
        const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
        try {
          await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      });
    },
  };
}

/** A PostgreSQL target on the database at `databaseUrl`; `drop` removes it. */
export function postgresTarget(databaseUrl: string, drop: () => Promise<void>): StoreTarget {
  const open = (migrations: readonly Migration[] = MIGRATIONS) =>
    openPostgresStore({ databaseUrl, migrations });
  return {
    open,
    async openConcurrently(count, migrations = MIGRATIONS) {
      return await Promise.all(
        Array.from({ length: count }, async () => {
          try {
            const store = await open(migrations);
            await store.close();
            return "ok";
          } catch (error) {
            return error instanceof Error ? error.message : String(error);
          }
        }),
      );
    },
    async query(sql) {
      const postgres = (await import("postgres")).default;
      const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      try {
        return [...await client.unsafe(sql)] as Array<Record<string, unknown>>;
      } finally {
        await client.end();
      }
    },
    drop,
  };
}

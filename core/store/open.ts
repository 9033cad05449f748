/**
 * Opens the configured state store: PostgreSQL when `DATABASE_URL` is set, otherwise SQLite in
 * `DATA_DIR`; pending migrations are applied, expired responses purged, and the hourly purge
 * started (stopped by `close`). A store that cannot be opened is a {@link StoreOpenError} with one line to print.
 */
import type { Logger } from "../logger.ts";
import type { Migration } from "./migrations.ts";
import { openPostgresStore } from "./postgres_store.ts";
import { startRetention } from "./retention.ts";
import { openSqliteStore } from "./sqlite_store.ts";
import type { Store } from "./store.ts";

/** Options of {@link openStore}. */
export interface OpenStoreOptions {
  /** `DATA_DIR`: where the SQLite file lives when there is no `databaseUrl`. */
  dataDir: string;
  /** `DATABASE_URL`: PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  logger: Logger;
  /** Retention purge period; default hourly. */
  purgeIntervalMs?: number;
  /** Default: every migration. */
  migrations?: readonly Migration[];
}

/** An opened store and what the start-up log says about it. */
export interface OpenedStore extends Store {
  /** `sqlite <path>` or `postgres <host:port/database>`: never credentials. */
  readonly description: string;
}

/** Opens the store the options select (see the module doc). */
export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  const store = options.databaseUrl !== undefined
    ? await openPostgresStore({
      databaseUrl: options.databaseUrl,
      migrations: options.migrations,
    })
    : openSqliteStore({ dataDir: options.dataDir, migrations: options.migrations });
  const description = store.backend === "sqlite"
    ? `sqlite ${store.path}`
    : `postgres ${store.target}`;
  const retention = startRetention(store, {
    logger: options.logger,
    intervalMs: options.purgeIntervalMs,
  });
  await retention.first; // expired records are gone before the first request

  return {
    backend: store.backend,
    responses: store.responses,
    keys: store.keys,
    usage: store.usage,
    description,
    async close() {
      retention.stop();
      await retention.first;
      await store.close();
    },
  };
}

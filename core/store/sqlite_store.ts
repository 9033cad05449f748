/**
 * The embedded SQLite backend (`node:sqlite`): one file, `${dataDir}/gateway.db`, in WAL mode
 * with a busy timeout, so every serving worker of a process (each opens its own handle) and
 * other processes on the same host can share it. JSON columns hold text. Calls are synchronous
 * underneath (SQLite is in process); writers queue on SQLite's lock for up to `busyTimeoutMs`.
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { StoreClosedError, StoreOpenError } from "./errors.ts";
import {
  type Migration,
  MIGRATIONS,
  pendingMigrations,
  SCHEMA_MIGRATIONS_DDL,
} from "./migrations.ts";
import { sqliteKeys } from "./sqlite_keys.ts";
import { sqliteUsage } from "./sqlite_usage.ts";
import type { JsonObject, ResponseRepository, Store, StoredResponse } from "./store.ts";

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The directory of `gateway.db` (created if missing): `DATA_DIR`. */
  dataDir: string;
  /** How long a write waits for another connection's lock; default 5000 ms. */
  busyTimeoutMs?: number;
  /** Default: every migration ({@link MIGRATIONS}); tests pass longer lists. */
  migrations?: readonly Migration[];
}

/** An open SQLite store, and where its file is. */
export interface SqliteStore extends Store {
  readonly backend: "sqlite";
  /** The database file's path. */
  readonly path: string;
}

/** The database file name under `DATA_DIR`. */
export const SQLITE_FILE = "gateway.db";

/** Opens (creating if needed) the SQLite store and applies pending migrations. Throws
 * {@link StoreOpenError} naming the path when the directory or file cannot be written. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const dir = options.dataDir.replace(/\/+$/, "") || "/";
  const path = `${dir === "/" ? "" : dir}/${SQLITE_FILE}`;
  let db: DatabaseSync;
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    db = new DatabaseSync(path);
  } catch (error) {
    throw new StoreOpenError(
      `Cannot open the state store: DATA_DIR ${dir} is not writable (${oneLine(error)})`,
      { cause: error },
    );
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5_000))}`);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (error) {
    db.close();
    throw new StoreOpenError(
      `Cannot open the state store: DATA_DIR ${dir}: cannot use ${path} (${oneLine(error)})`,
      {
        cause: error,
      },
    );
  }
  return sqliteStore(db, path);
}

/** Applies pending migrations in one `BEGIN IMMEDIATE` transaction: a second opener waits for
 * the write lock, then finds them applied. */
function migrate(db: DatabaseSync, migrations: readonly Migration[]): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec(SCHEMA_MIGRATIONS_DDL);
    const rows = db.prepare("SELECT version FROM schema_migrations").all();
    const record = db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
    );
    for (const m of pendingMigrations(rows.map((r) => Number(r.version)), migrations)) {
      db.exec(m.sqlite);
      record.run(m.version, m.name, Math.floor(Date.now() / 1000));
    }
    db.exec("COMMIT");
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

function sqliteStore(db: DatabaseSync, path: string): SqliteStore {
  let closed = false;
  const open = () => {
    if (closed) throw new StoreClosedError("sqlite");
    return db;
  };
  const put = db.prepare(
    `INSERT INTO responses
       (id, created_at, expires_at, model, previous_response_id, response, input_items, context)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
       created_at = excluded.created_at, expires_at = excluded.expires_at,
       model = excluded.model, previous_response_id = excluded.previous_response_id,
       response = excluded.response, input_items = excluded.input_items,
       context = excluded.context`,
  );
  const get = db.prepare("SELECT * FROM responses WHERE id = ? AND expires_at > ?");
  const remove = db.prepare("DELETE FROM responses WHERE id = ? RETURNING expires_at");
  const purge = db.prepare("DELETE FROM responses WHERE expires_at <= ?");

  const responses: ResponseRepository = {
    put(record) {
      return Promise.resolve().then(() => {
        open();
        const values: SQLInputValue[] = [
          record.id,
          record.createdAt,
          record.expiresAt,
          record.model,
          record.previousResponseId ?? null,
          JSON.stringify(record.response),
          JSON.stringify(record.inputItems),
          JSON.stringify(record.context),
        ];
        put.run(...values);
      });
    },
    get(id, now) {
      return Promise.resolve().then(() => {
        open();
        const row = get.get(id, now);
        return row === undefined ? undefined : fromRow(row);
      });
    },
    delete(id, now) {
      return Promise.resolve().then(() => {
        open();
        const row = remove.get(id);
        return row !== undefined && Number(row.expires_at) > now;
      });
    },
    purgeExpired(now) {
      return Promise.resolve().then(() => {
        open();
        return Number(purge.run(now).changes);
      });
    },
  };
  return {
    backend: "sqlite",
    path,
    responses,
    keys: sqliteKeys(open),
    usage: sqliteUsage(open),
    close() {
      return Promise.resolve().then(() => {
        if (closed) return;
        closed = true;
        db.close();
      });
    },
  };
}

function fromRow(row: Record<string, unknown>): StoredResponse {
  const record: StoredResponse = {
    id: String(row.id),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    model: String(row.model),
    response: JSON.parse(String(row.response)) as JsonObject,
    inputItems: JSON.parse(String(row.input_items)) as JsonObject[],
    context: JSON.parse(String(row.context)) as JsonObject[],
  };
  if (row.previous_response_id !== null && row.previous_response_id !== undefined) {
    record.previousResponseId = String(row.previous_response_id);
  }
  return record;
}

/** An error's message on one line. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, " ").trim();
}

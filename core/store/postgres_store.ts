/**
 * The PostgreSQL backend (`DATABASE_URL`), through the `postgres` client with a small pool:
 * several gateway instances share one database. JSON columns are `json` (exact text; see
 * `migrations.ts`), written as text parameters; every value goes as a query parameter. Migrations run under a transaction-scoped advisory lock, so instances that
 * start together apply each one once.
 */
import postgres from "postgres";
import { databaseUrlSecrets } from "../config.ts";
import { StoreClosedError, StoreOpenError } from "./errors.ts";
import {
  type Migration,
  MIGRATIONS,
  pendingMigrations,
  SCHEMA_MIGRATIONS_DDL,
} from "./migrations.ts";
import { postgresKeys } from "./postgres_keys.ts";
import { postgresUsage } from "./postgres_usage.ts";
import { oneLine } from "./sqlite_store.ts";
import type { JsonObject, ResponseRepository, Store, StoredResponse } from "./store.ts";

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (`DATABASE_URL`). */
  databaseUrl: string;
  /** Connections in the pool; default 4. */
  maxConnections?: number;
  /** Seconds to wait for a connection; default 10. */
  connectTimeoutSeconds?: number;
  /** Default: every migration ({@link MIGRATIONS}); tests pass longer lists. */
  migrations?: readonly Migration[];
}

/** An open PostgreSQL store, and which server it talks to. */
export interface PostgresStore extends Store {
  readonly backend: "postgres";
  /** `host:port/database`, without credentials. */
  readonly target: string;
}

/** The advisory lock key that serialises migrations (any constant shared by every instance). */
const MIGRATION_LOCK = 7_263_011_300;

type Sql = postgres.Sql<Record<string, never>>;

/** `host:port` of a DATABASE_URL (5432 when the URL names none), or the text `DATABASE_URL`
 * when it is not a URL. Never includes credentials. */
export function databaseTarget(databaseUrl: string): { hostPort: string; database: string } {
  if (!URL.canParse(databaseUrl)) return { hostPort: "(unparsable URL)", database: "" };
  const url = new URL(databaseUrl);
  const host = url.hostname === "" ? "localhost" : url.hostname;
  return {
    hostPort: `${host}:${url.port === "" ? "5432" : url.port}`,
    database: decodeURIComponent(url.pathname.replace(/^\//, "")),
  };
}

/** Connects, applies pending migrations and returns the store. Throws {@link StoreOpenError}
 * naming DATABASE_URL, the host:port and the cause (never the password) when the server cannot
 * be reached, refuses the credentials or a migration fails. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { hostPort, database } = databaseTarget(options.databaseUrl);
  const secrets = databaseUrlSecrets(options.databaseUrl);
  const sql: Sql = postgres(options.databaseUrl, {
    max: options.maxConnections ?? 4,
    connect_timeout: options.connectTimeoutSeconds ?? 10,
    idle_timeout: 60,
    onnotice: () => {},
  });
  try {
    await migrate(sql, options.migrations ?? MIGRATIONS);
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => {});
    let cause = describeCause(error);
    for (const secret of secrets) cause = cause.replaceAll(secret, "***");
    throw new StoreOpenError(
      `Cannot open the state store: DATABASE_URL (${hostPort}): ${cause}`,
      { cause: error },
    );
  }
  return postgresStore(sql, `${hostPort}/${database}`);
}

/** Applies pending migrations in one transaction holding the migration advisory lock. */
async function migrate(sql: Sql, migrations: readonly Migration[]): Promise<void> {
  await sql.begin(async (tx) => {
    await tx.unsafe(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.unsafe(SCHEMA_MIGRATIONS_DDL);
    const rows = await tx`SELECT version FROM schema_migrations`;
    for (const m of pendingMigrations(rows.map((r) => Number(r.version)), migrations)) {
      await tx.unsafe(m.postgres);
      await tx`INSERT INTO schema_migrations (version, name, applied_at)
               VALUES (${m.version}, ${m.name}, ${Math.floor(Date.now() / 1000)})`;
    }
  });
}

/** The cause of a failed open, in words: the server's message, or the socket error's code. */
function describeCause(error: unknown): string {
  const e = error as { code?: string; message?: string; errno?: string };
  const message = oneLine(error);
  if (e?.code === "ECONNREFUSED") return `connection refused (${message})`;
  if (e?.code === "ENOTFOUND" || e?.code === "EAI_AGAIN") return `host not found (${message})`;
  if (e?.code === "CONNECT_TIMEOUT") return `connection timed out (${message})`;
  if (e?.code === "28P01" || e?.code === "28000") return `authentication failed (${message})`;
  if (e?.code === "3D000") return `no such database (${message})`;
  return message === "" ? String(e?.code ?? "unknown error") : message;
}

function postgresStore(sql: Sql, target: string): PostgresStore {
  let closed = false;
  const open = () => {
    if (closed) throw new StoreClosedError("postgres");
    return sql;
  };
  const text = (value: unknown) => JSON.stringify(value);
  const responses: ResponseRepository = {
    async put(r) {
      await open()`
        INSERT INTO responses
          (id, created_at, expires_at, model, previous_response_id, response, input_items, context)
        VALUES (${r.id}, ${r.createdAt}, ${r.expiresAt}, ${r.model}, ${
        r.previousResponseId ?? null
      },
                ${text(r.response)}::text::json, ${text(r.inputItems)}::text::json,
                ${text(r.context)}::text::json)
        ON CONFLICT (id) DO UPDATE SET
          created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
          model = EXCLUDED.model, previous_response_id = EXCLUDED.previous_response_id,
          response = EXCLUDED.response, input_items = EXCLUDED.input_items,
          context = EXCLUDED.context`;
    },
    async get(id, now) {
      const rows = await open()`
        SELECT * FROM responses WHERE id = ${id} AND expires_at > ${now}`;
      return rows.length === 0 ? undefined : fromRow(rows[0]);
    },
    async delete(id, now) {
      const rows = await open()`DELETE FROM responses WHERE id = ${id} RETURNING expires_at`;
      return rows.length > 0 && Number(rows[0].expires_at) > now;
    },
    async purgeExpired(now) {
      const result = await open()`DELETE FROM responses WHERE expires_at <= ${now}`;
      return result.count;
    },
  };
  return {
    backend: "postgres",
    target,
    responses,
    keys: postgresKeys(open),
    usage: postgresUsage(open),
    async close() {
      if (closed) return;
      closed = true;
      await sql.end({ timeout: 5 });
    },
  };
}

function fromRow(row: Record<string, unknown>): StoredResponse {
  const record: StoredResponse = {
    id: String(row.id),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    model: String(row.model),
    response: row.response as JsonObject,
    inputItems: row.input_items as JsonObject[],
    context: row.context as JsonObject[],
  };
  if (row.previous_response_id !== null && row.previous_response_id !== undefined) {
    record.previousResponseId = String(row.previous_response_id);
  }
  return record;
}

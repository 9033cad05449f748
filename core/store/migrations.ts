/**
 * The state store's schema, as one versioned list of migrations with the SQL for each dialect.
 * Each backend applies, when it opens, the versions its `schema_migrations` table does not list
 * yet, inside one transaction that only one opener at a time can hold (SQLite: `BEGIN
 * IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock), so two instances starting at once
 * apply each migration exactly once. Migrations are append-only: a released one never changes;
 * the next table (virtual keys, usage records) is the next version.
 */

/** One schema change, with its SQL for each backend (several statements allowed). */
export interface Migration {
  /** 1, 2, 3, …: applied in this order, each at most once per database. */
  version: number;
  /** A short name, recorded in `schema_migrations`. */
  name: string;
  sqlite: string;
  postgres: string;
}

/**
 * Every migration, in version order. PostgreSQL keeps stored objects as `json`, not `jsonb`:
 * `jsonb` refuses `\u0000` and lone surrogates (both legal in JSON text, and a tool's output can
 * hold them) and reorders keys, while a stored response must come back exactly as it was sent.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "responses",
    sqlite: `
      CREATE TABLE responses (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        model TEXT NOT NULL,
        previous_response_id TEXT,
        response TEXT NOT NULL,
        input_items TEXT NOT NULL,
        context TEXT NOT NULL
      );
      CREATE INDEX responses_expires_at ON responses (expires_at);`,
    postgres: `
      CREATE TABLE responses (
        id TEXT PRIMARY KEY,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        model TEXT NOT NULL,
        previous_response_id TEXT,
        response JSON NOT NULL,
        input_items JSON NOT NULL,
        context JSON NOT NULL
      );
      CREATE INDEX responses_expires_at ON responses (expires_at);`,
  },
];

/** The table recording applied versions (the same in both dialects). */
export const SCHEMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)`;

/** The migrations not yet applied, given the versions that are, in order. */
export function pendingMigrations(
  applied: Iterable<number>,
  all: readonly Migration[] = MIGRATIONS,
): Migration[] {
  const done = new Set(applied);
  return [...all].sort((a, b) => a.version - b.version).filter((m) => !done.has(m.version));
}

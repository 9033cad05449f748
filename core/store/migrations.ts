/**
 * The state store's schema, as one versioned list of migrations with the SQL for each dialect.
 * Each backend applies, when it opens, the versions its `schema_migrations` table does not list
 * yet, inside one transaction that only one opener at a time can hold (SQLite: `BEGIN
 * IMMEDIATE`; PostgreSQL: a transaction-scoped advisory lock), so two instances starting at once
 * apply each migration exactly once. Migrations are append-only: a released one never changes;
 * the next table is the next version.
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
  {
    // Virtual keys: the key only as its SHA-256 hash; limits, budget, expiry and metadata as one
    // JSON text column (`settings`); revocation is a soft delete so pollers see it. Ids sort by
    // creation in byte order (COLLATE "C" in PostgreSQL, SQLite's default), as listings page.
    version: 2,
    name: "virtual_keys",
    sqlite: `
      CREATE TABLE virtual_keys (
        id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        key_prefix TEXT NOT NULL,
        name TEXT NOT NULL,
        team TEXT,
        enabled INTEGER NOT NULL,
        settings TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        revoked_at INTEGER
      );
      CREATE INDEX virtual_keys_updated_at ON virtual_keys (updated_at);
      CREATE INDEX virtual_keys_created_at ON virtual_keys (created_at, id);`,
    postgres: `
      CREATE TABLE virtual_keys (
        id TEXT COLLATE "C" PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        key_prefix TEXT NOT NULL,
        name TEXT NOT NULL,
        team TEXT,
        enabled BOOLEAN NOT NULL,
        settings TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        revoked_at BIGINT
      );
      CREATE INDEX virtual_keys_updated_at ON virtual_keys (updated_at);
      CREATE INDEX virtual_keys_created_at ON virtual_keys (created_at, id);`,
  },
  {
    // One usage record per request (issue 15), appended in batches by the usage writer; `time`
    // is unix milliseconds. Summaries filter by time (and key), so both are indexed. No
    // uniqueness on request_id: a client may reuse its own X-Request-Id, and each request is
    // still billed (the gateway writes one record per request).
    version: 3,
    name: "usage",
    sqlite: `
      CREATE TABLE usage (
        id INTEGER PRIMARY KEY,
        time BIGINT NOT NULL,
        request_id TEXT NOT NULL,
        key_id TEXT,
        team TEXT,
        route TEXT NOT NULL,
        model TEXT,
        provider TEXT,
        deployment TEXT,
        input_tokens BIGINT NOT NULL,
        cached_tokens BIGINT NOT NULL,
        output_tokens BIGINT NOT NULL,
        reasoning_tokens BIGINT NOT NULL,
        cost_usd DOUBLE PRECISION,
        latency_ms DOUBLE PRECISION NOT NULL,
        ttft_ms DOUBLE PRECISION,
        status INTEGER NOT NULL,
        error_code TEXT
      );
      CREATE INDEX usage_time ON usage (time);
      CREATE INDEX usage_key_time ON usage (key_id, time);`,
    postgres: `
      CREATE TABLE usage (
        id BIGSERIAL PRIMARY KEY,
        time BIGINT NOT NULL,
        request_id TEXT NOT NULL,
        key_id TEXT,
        team TEXT,
        route TEXT NOT NULL,
        model TEXT,
        provider TEXT,
        deployment TEXT,
        input_tokens BIGINT NOT NULL,
        cached_tokens BIGINT NOT NULL,
        output_tokens BIGINT NOT NULL,
        reasoning_tokens BIGINT NOT NULL,
        cost_usd DOUBLE PRECISION,
        latency_ms DOUBLE PRECISION NOT NULL,
        ttft_ms DOUBLE PRECISION,
        status INTEGER NOT NULL,
        error_code TEXT
      );
      CREATE INDEX usage_time ON usage (time);
      CREATE INDEX usage_key_time ON usage (key_id, time);`,
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

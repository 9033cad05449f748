/**
 * The virtual keys repository on PostgreSQL (`virtual_keys`). `updated_at` is the database's
 * clock in milliseconds (one clock for every instance), kept strictly increasing per key;
 * updates lock the row (`FOR UPDATE`) for their read-modify-write.
 */
import type postgres from "postgres";
import { applyKeyChanges, keyFromRow, settingsText } from "./key_rows.ts";
import type { KeyRepository, VirtualKeyRecord } from "./store.ts";

type Sql = postgres.Sql<Record<string, never>>;

/** The database clock in unix milliseconds, as SQL. */
const NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/** The keys repository over a pool; `open()` throws once the store is closed. */
export function postgresKeys(open: () => Sql): KeyRepository {
  return {
    async insert(r) {
      const sql = open();
      const rows = await sql`
        INSERT INTO virtual_keys
          (id, key_hash, key_prefix, name, team, enabled, settings, created_at, updated_at)
        VALUES (${r.id}, ${r.hash}, ${r.prefix}, ${r.name}, ${r.team ?? null}, ${r.enabled},
                ${settingsText(r)}, ${r.createdAt}, ${sql.unsafe(NOW_MS)})
        RETURNING updated_at`;
      return { ...r, updatedAt: Number(rows[0].updated_at) } as VirtualKeyRecord;
    },
    async get(id) {
      const rows = await open()`
        SELECT * FROM virtual_keys WHERE id = ${id} AND revoked_at IS NULL`;
      return rows.length === 0 ? undefined : keyFromRow(rows[0]);
    },
    async list({ limit, order, after }) {
      const sql = open();
      const direction = sql.unsafe(order === "asc" ? "ASC" : "DESC");
      const cursor = after === undefined ? sql`` : sql`
        AND (created_at, id) ${sql.unsafe(order === "asc" ? ">" : "<")}
            (SELECT created_at, id FROM virtual_keys WHERE id = ${after})`;
      const rows = await sql`
        SELECT * FROM virtual_keys WHERE revoked_at IS NULL ${cursor}
        ORDER BY created_at ${direction}, id ${direction} LIMIT ${limit + 1}`;
      return { data: rows.slice(0, limit).map(keyFromRow), hasMore: rows.length > limit };
    },
    async update(id, changes) {
      return await open().begin(async (tx) => {
        const rows = await tx`
          SELECT * FROM virtual_keys WHERE id = ${id} AND revoked_at IS NULL FOR UPDATE`;
        if (rows.length === 0) return undefined;
        const next = applyKeyChanges(keyFromRow(rows[0]), changes);
        const written = await tx`
          UPDATE virtual_keys SET name = ${next.name}, team = ${next.team ?? null},
            enabled = ${next.enabled}, settings = ${settingsText(next)},
            updated_at = GREATEST(${tx.unsafe(NOW_MS)}, updated_at + 1)
          WHERE id = ${id} RETURNING updated_at`;
        return { ...next, updatedAt: Number(written[0].updated_at) };
      });
    },
    async revoke(id, now) {
      const result = await open()`
        UPDATE virtual_keys SET revoked_at = ${now},
          updated_at = GREATEST(${open().unsafe(NOW_MS)}, updated_at + 1)
        WHERE id = ${id} AND revoked_at IS NULL`;
      return result.count > 0;
    },
    async changedSince(sinceMs) {
      const sql = open();
      // One statement, so the clock reading and the rows come from one snapshot.
      const rows = await sql`
        SELECT ${sql.unsafe(NOW_MS)} AS now_ms, k.* FROM (SELECT 1) AS one
        LEFT JOIN virtual_keys AS k ON k.updated_at >= ${sinceMs}`;
      const nowMs = Number(rows[0].now_ms);
      return { keys: rows.filter((r) => r.id !== null).map(keyFromRow), nowMs };
    },
  };
}

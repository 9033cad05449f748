/**
 * The virtual keys repository on SQLite (`virtual_keys`). `updated_at` is this host's clock in
 * milliseconds (every process sharing the file is on this host), kept strictly increasing per
 * key; updates read and write inside one `BEGIN IMMEDIATE` transaction.
 */
import type { DatabaseSync } from "node:sqlite";
import { applyKeyChanges, keyFromRow, settingsText } from "./key_rows.ts";
import type { KeyRepository, VirtualKeyRecord } from "./store.ts";

/** The keys repository over an open database; `open()` throws once the store is closed. */
export function sqliteKeys(open: () => DatabaseSync): KeyRepository {
  const db = open();
  const insert = db.prepare(
    `INSERT INTO virtual_keys
       (id, key_hash, key_prefix, name, team, enabled, settings, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const get = db.prepare("SELECT * FROM virtual_keys WHERE id = ? AND revoked_at IS NULL");
  const write = db.prepare(
    `UPDATE virtual_keys SET name = ?, team = ?, enabled = ?, settings = ?, updated_at = ?
     WHERE id = ?`,
  );
  const revoke = db.prepare(
    `UPDATE virtual_keys SET revoked_at = ?, updated_at = MAX(?, updated_at + 1)
     WHERE id = ? AND revoked_at IS NULL`,
  );
  const changed = db.prepare("SELECT * FROM virtual_keys WHERE updated_at >= ?");
  const page = (order: "asc" | "desc", after: boolean) =>
    db.prepare(
      `SELECT * FROM virtual_keys WHERE revoked_at IS NULL ${
        after
          ? `AND (created_at, id) ${order === "asc" ? ">" : "<"}
             (SELECT created_at, id FROM virtual_keys WHERE id = ?)`
          : ""
      } ORDER BY created_at ${order}, id ${order} LIMIT ?`,
    );
  const pages = {
    asc: page("asc", false),
    desc: page("desc", false),
    ascAfter: page("asc", true),
    descAfter: page("desc", true),
  };
  const later = (previous: number) => Math.max(Date.now(), previous + 1);
  const run = <T>(body: () => T) => Promise.resolve().then(body);

  return {
    insert(r) {
      return run(() => {
        open();
        const updatedAt = Date.now();
        insert.run(
          r.id,
          r.hash,
          r.prefix,
          r.name,
          r.team ?? null,
          r.enabled ? 1 : 0,
          settingsText(r),
          r.createdAt,
          updatedAt,
        );
        return { ...r, updatedAt } as VirtualKeyRecord;
      });
    },
    get(id) {
      return run(() => {
        open();
        const row = get.get(id);
        return row === undefined ? undefined : keyFromRow(row);
      });
    },
    list({ limit, order, after }) {
      return run(() => {
        open();
        const rows = after === undefined
          ? pages[order].all(limit + 1)
          : pages[order === "asc" ? "ascAfter" : "descAfter"].all(after, limit + 1);
        return { data: rows.slice(0, limit).map(keyFromRow), hasMore: rows.length > limit };
      });
    },
    update(id, changes) {
      return run(() => {
        open().exec("BEGIN IMMEDIATE");
        try {
          const row = get.get(id);
          if (row === undefined) {
            db.exec("COMMIT");
            return undefined;
          }
          const current = keyFromRow(row);
          const next = {
            ...applyKeyChanges(current, changes),
            updatedAt: later(current.updatedAt),
          };
          write.run(
            next.name,
            next.team ?? null,
            next.enabled ? 1 : 0,
            settingsText(next),
            next.updatedAt,
            id,
          );
          db.exec("COMMIT");
          return next;
        } catch (error) {
          db.exec("ROLLBACK");
          throw error;
        }
      });
    },
    revoke(id, now) {
      return run(() => {
        open();
        return Number(revoke.run(now, Date.now(), id).changes) > 0;
      });
    },
    changedSince(sinceMs) {
      return run(() => {
        open();
        const clock = Date.now();
        const keys = changed.all(sinceMs).map(keyFromRow);
        // A write in the same millisecond as the one before it is stamped a millisecond ahead
        // (updated_at stays strictly increasing per key): the reading is never older than it.
        const nowMs = keys.reduce((max, k) => Math.max(max, k.updatedAt), clock);
        return { keys, nowMs };
      });
    },
  };
}

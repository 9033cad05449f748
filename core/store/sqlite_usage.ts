/**
 * The usage repository on SQLite (`usage`): a batch is one `BEGIN IMMEDIATE` transaction of
 * prepared inserts; summaries are one aggregate query.
 */
import type { DatabaseSync } from "node:sqlite";
import type { UsageRepository } from "./store.ts";
import {
  sortUsageGroups,
  USAGE_COLUMNS,
  usageGroupFromRow,
  usageSummarySql,
  usageValues,
} from "./usage_rows.ts";

/** The usage repository over an open database; `open()` throws once the store is closed. */
export function sqliteUsage(open: () => DatabaseSync): UsageRepository {
  const db = open();
  const insert = db.prepare(
    `INSERT INTO usage (${USAGE_COLUMNS.join(", ")})
     VALUES (${USAGE_COLUMNS.map(() => "?").join(", ")})`,
  );
  const run = <T>(body: () => T) => Promise.resolve().then(body);
  return {
    insert(records) {
      return run(() => {
        if (records.length === 0) return;
        open().exec("BEGIN IMMEDIATE");
        try {
          for (const record of records) insert.run(...usageValues(record));
          db.exec("COMMIT");
        } catch (error) {
          db.exec("ROLLBACK");
          throw error;
        }
      });
    },
    summarize(query) {
      return run(() => {
        const { text, params } = usageSummarySql(query, "sqlite");
        const rows = open().prepare(text).all(...params);
        return sortUsageGroups(rows.map(usageGroupFromRow), query.groupBy);
      });
    },
  };
}

/**
 * The usage repository on PostgreSQL (`usage`): a batch is one multi-row `INSERT` (chunked so
 * a statement stays under the protocol's parameter limit, all chunks in one transaction);
 * summaries are one aggregate query.
 */
import type postgres from "postgres";
import type { UsageRepository } from "./store.ts";
import {
  sortUsageGroups,
  USAGE_COLUMNS,
  usageGroupFromRow,
  usageSummarySql,
  usageValues,
} from "./usage_rows.ts";

type Sql = postgres.Sql<Record<string, never>>;

/** Rows per statement: 17 parameters each, well under PostgreSQL's 65 535. */
const ROWS_PER_STATEMENT = 1_000;

/** The usage repository over a pool; `open()` throws once the store is closed. */
export function postgresUsage(open: () => Sql): UsageRepository {
  const statement = (rows: number) => {
    const width = USAGE_COLUMNS.length;
    const tuples = Array.from(
      { length: rows },
      (_, r) => `(${USAGE_COLUMNS.map((_, c) => `$${r * width + c + 1}`).join(", ")})`,
    );
    return `INSERT INTO usage (${USAGE_COLUMNS.join(", ")}) VALUES ${tuples.join(", ")}`;
  };
  return {
    async insert(records) {
      if (records.length === 0) return;
      const sql = open();
      const chunks: (typeof records)[] = [];
      for (let i = 0; i < records.length; i += ROWS_PER_STATEMENT) {
        chunks.push(records.slice(i, i + ROWS_PER_STATEMENT));
      }
      const write = (
        tx: postgres.TransactionSql<Record<string, never>> | Sql,
        chunk: typeof records,
      ) => tx.unsafe(statement(chunk.length), chunk.flatMap(usageValues));
      if (chunks.length === 1) await write(sql, chunks[0]);
      else {
        await sql.begin(async (tx) => {
          for (const chunk of chunks) await write(tx, chunk);
        });
      }
    },
    async summarize(query) {
      const { text, params } = usageSummarySql(query, "postgres");
      const rows = await open().unsafe(text, params);
      return sortUsageGroups(rows.map(usageGroupFromRow), query.groupBy);
    },
  };
}

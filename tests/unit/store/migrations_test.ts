/**
 * The migration list's invariants (what issue 15's keys and usage tables must keep when they
 * become versions 2 and 3) and `pendingMigrations`.
 */
import assert from "node:assert/strict";
import { type Migration, MIGRATIONS, pendingMigrations } from "../../../core/store/migrations.ts";

Deno.test("MIGRATIONS: versions 1, 2, 3, … in order, names unique, SQL for both dialects", () => {
  assert.deepEqual(MIGRATIONS.map((m) => m.version), MIGRATIONS.map((_, i) => i + 1));
  assert.equal(new Set(MIGRATIONS.map((m) => m.name)).size, MIGRATIONS.length);
  for (const m of MIGRATIONS) {
    assert.ok(m.sqlite.trim() !== "" && m.postgres.trim() !== "", `${m.version} has SQL`);
  }
});

Deno.test("pendingMigrations: what is not applied yet, in version order", async (t) => {
  const m = (version: number): Migration => ({
    version,
    name: `m${version}`,
    sqlite: "",
    postgres: "",
  });
  const all = [m(1), m(3), m(2)];
  const rows: Array<{ name: string; applied: number[]; expected: number[] }> = [
    { name: "fresh database", applied: [], expected: [1, 2, 3] },
    { name: "partly applied", applied: [1], expected: [2, 3] },
    { name: "up to date", applied: [1, 2, 3], expected: [] },
    { name: "a gap is filled", applied: [1, 3], expected: [2] },
    {
      name: "versions this build does not know are left alone",
      applied: [1, 2, 3, 4],
      expected: [],
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      assert.deepEqual(pendingMigrations(row.applied, all).map((x) => x.version), row.expected);
    });
  }
});

/**
 * What a virtual key costs per request, in process (no network, one isolate, so time is CPU):
 * the real app as `main.ts` builds it, answering `mock-echo` chat completions one at a time, in
 * three set-ups measured in interleaved rounds — no store (no usage records, no virtual keys), a
 * SQLite store with a static key (each request writes its usage record through the batched
 * writer), and the same store with a virtual key that has RPM, TPM and a budget (key lookup by
 * hash in the cache, the gate's budget check and limits, the usage record, its spend counted).
 * Prints the median µs per request of each and the differences.
 *
 *   deno run -A --unstable-net tests/performance/keys_bench.ts
 */
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import type { UsageRecord } from "../../core/store/store.ts";
import { createSpendTracker, spendFromStore } from "../../core/usage/budget.ts";
import { createUsageWriter } from "../../core/usage/writer.ts";
import { chatBody, type TestApp, testApp } from "../helpers/app.ts";

const STATIC = "static-bench-key";
const ADMIN = "admin-bench-key";
const ENV = { API_KEY: STATIC, ADMIN_API_KEY: ADMIN, LOG_LEVEL: "error" };
const body = JSON.stringify(chatBody("mock-echo"));

const dir = Deno.makeTempDirSync({ prefix: "keys-bench-" });
const store = openSqliteStore({ dataDir: dir });
const usage = createUsageWriter<UsageRecord>({ sink: (rows) => store.usage.insert(rows) });
const spend = createSpendTracker({
  source: spendFromStore(store.usage),
  beforeRead: () => usage.flush(),
});
const bare = testApp(ENV);
const stored = testApp(ENV, { store, usage, spend });
const created = await (await stored.post("/admin/keys", {
  name: "bench",
  rpm_limit: 1_000_000_000,
  tpm_limit: 1_000_000_000,
  max_budget_usd: 1_000_000,
  budget_period: "monthly",
}, { authorization: `Bearer ${ADMIN}` })).json();

/** µs per request over `n` sequential requests. */
async function run(app: TestApp, key: string, n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await app.handler(
      new Request("http://127.0.0.1/v1/chat/completions", {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body,
      }),
    );
    await res.arrayBuffer();
  }
  return ((performance.now() - started) * 1000) / n;
}

const N = 500;
const ROUNDS = 40;
const setups = [
  ["no store, static key", () => run(bare, STATIC, N)],
  ["store, static key", () => run(stored, STATIC, N)],
  ["store, virtual key (RPM+TPM+budget)", () => run(stored, created.key, N)],
] as const;
for (let i = 0; i < 4; i++) for (const [, go] of setups) await go(); // warm-up (JIT)
// Short interleaved rounds: the machine's drift hits every set-up alike; each difference is
// taken within a round, and the medians are reported.
const samples = setups.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, [, go]] of setups.entries()) samples[i].push(await go());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const paired = (a: number[], b: number[]) => median(a.map((x, i) => x - b[i]));
const [none, plain, virtual] = samples;
for (const [i, [name]] of setups.entries()) {
  console.log(
    `${name.padEnd(38)} ${median(samples[i]).toFixed(1)} µs/request (median of ${ROUNDS} × ${N})`,
  );
}
console.log(
  `usage record (store vs none, static key):        +${paired(plain, none).toFixed(1)} µs`,
);
console.log(
  `virtual key: lookup + budget + limits + spend:   +${paired(virtual, plain).toFixed(1)} µs`,
);
console.log(
  `all of it (virtual key with store vs none):      +${paired(virtual, none).toFixed(1)} µs`,
);
await usage.close();
await store.close();
Deno.removeSync(dir, { recursive: true });

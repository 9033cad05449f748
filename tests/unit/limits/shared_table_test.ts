/**
 * The in-memory table shared by two real Web Workers (threads of this process, as the gateway's
 * `WORKERS=n` are): hammering one subject at the same time, together they are admitted exactly
 * the limit — the tolerance across workers is zero, each entry being updated under its lock —
 * and the tokens they settle are counted exactly.
 */
import assert from "node:assert/strict";
import { createRateLimitBuffer, MemoryRateLimiter } from "../../../core/limits/memory_limiter.ts";
import type { LimiterJob, LimiterJobResult } from "../../helpers/limiter_worker.ts";

async function runInTwoWorkers(job: LimiterJob): Promise<LimiterJobResult[]> {
  const workers = [0, 1].map(() =>
    new Worker(new URL("../../helpers/limiter_worker.ts", import.meta.url), { type: "module" })
  );
  try {
    const next = (w: Worker) =>
      new Promise<unknown>((resolve, reject) => {
        w.addEventListener("message", (e) => resolve(e.data), { once: true });
        w.addEventListener("error", (e) => reject(e.error ?? new Error(e.message)), { once: true });
      });
    const ready = workers.map(next);
    for (const w of workers) w.postMessage(job);
    await Promise.all(ready);
    const done = workers.map(next);
    for (const w of workers) w.postMessage("go");
    return await Promise.all(done) as LimiterJobResult[];
  } finally {
    for (const w of workers) w.terminate();
  }
}

Deno.test("shared table: two workers at once are admitted exactly the RPM limit together", async () => {
  const buffer = createRateLimitBuffer(64);
  const results = await runInTwoWorkers({
    buffer,
    subject: "team-a",
    limits: { rpm: 15_000 },
    requests: 10_000,
    estimate: 1,
    actual: [1],
  });
  const admitted = results[0].admitted + results[1].admitted;
  assert.equal(admitted, 15_000, JSON.stringify(results));
  assert.equal(results[0].refused + results[1].refused, 20_000 - 15_000);
  // neither alone can reach the limit, so both counted in the one entry
  assert.ok(results.every((r) => r.admitted >= 5_000), JSON.stringify(results));
  // the main thread sees the same counts (a third isolate on the buffer)
  const view = await new MemoryRateLimiter(buffer).acquire("team-a", { rpm: 15_000 }, 1);
  assert.equal(view.allowed, false);
  assert.equal(view.requests?.remaining, 0);
});

Deno.test("shared table: TPM across two workers — reservations hold the limit, settlements are exact", async () => {
  const buffer = createRateLimitBuffer(64);
  const results = await runInTwoWorkers({
    buffer,
    subject: "team-b",
    limits: { tpm: 100_000 },
    requests: 10_000,
    estimate: 20,
    actual: [20],
  });
  const admitted = results[0].admitted + results[1].admitted;
  assert.equal(admitted, 100_000 / 20, JSON.stringify(results));

  // settled below the estimate: refunds make room for more; the count is the settled sum
  const refunds = createRateLimitBuffer(64);
  const settled = await runInTwoWorkers({
    buffer: refunds,
    subject: "team-c",
    limits: { tpm: 1_000_000 },
    requests: 3_000,
    estimate: 50,
    actual: [10, 30, 0, 45],
  });
  const total = settled[0].settledTokens + settled[1].settledTokens;
  assert.equal(settled[0].admitted + settled[1].admitted, 6_000);
  const view = await new MemoryRateLimiter(refunds).acquire("team-c", { tpm: 1_000_000 }, 1);
  assert.equal(view.allowed, true);
  // 0-token settlements keep nothing; the view's own reservation is 1 token
  assert.equal(view.tokens?.remaining, 1_000_000 - total - 1);
});

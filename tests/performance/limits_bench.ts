/**
 * Micro-benchmark of the rate limiter: CPU time per acquire + settle in the in-memory table
 * (one isolate, 1,000 subjects, every limit set), and with Redis (a real `redis-server` started
 * here, through a counting proxy) the round trips per request and the wall time per request;
 * and the request gate over the memory table (what a limited key adds per request).
 *
 *   deno run -A tests/performance/limits_bench.ts
 */
import { createLogger } from "../../core/logger.ts";
import { createRateLimitBuffer, MemoryRateLimiter } from "../../core/limits/memory_limiter.ts";
import { RedisRateLimiter } from "../../core/limits/redis_limiter.ts";
import { createRequestGate, type GateRecord } from "../../core/limits/gate.ts";
import { countingProxy, tryStartRedis } from "../helpers/redis.ts";

const limits = { rpm: 1_000_000, tpm: 1_000_000_000, maxParallel: 1_000 };
const subjects = Array.from({ length: 1_000 }, (_, i) => `key-${i}`);

function memoryRun(n: number): number {
  const limiter = new MemoryRateLimiter(createRateLimitBuffer());
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const decision = limiter.acquireNow(subjects[i % subjects.length], limits, 500);
    if (decision.allowed) limiter.settleNow(decision.lease, 420);
  }
  return ((performance.now() - started) * 1000) / n;
}

memoryRun(50_000); // warm-up (JIT)
const runs = [memoryRun(200_000), memoryRun(200_000), memoryRun(200_000)].sort((a, b) => a - b);
console.log(`memory: ${runs[1].toFixed(2)} µs per acquire + settle (median of 3 × 200,000)`);

/** The request gate on top (`core/limits/gate.ts`: key record → limits, estimate, headers,
 * settle with the usage), per request, as the router runs it for a key with RPM + TPM. */
async function gateRun(n: number): Promise<number> {
  const gate = createRequestGate({
    limiter: new MemoryRateLimiter(createRateLimitBuffer()),
  });
  const keys = subjects.map((id) => ({
    id,
    hash: "",
    prefix: "",
    name: id,
    enabled: true,
    createdAt: 0,
    updatedAt: 0,
    rpmLimit: 1_000_000_000,
    tpmLimit: 1_000_000_000,
  }));
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const record: GateRecord = { virtualKey: keys[i % keys.length], tokenEstimate: () => 500 };
    const pass = await gate.admit("gpt-4o-mini", record);
    record.usage = { prompt_tokens: 300, completion_tokens: 120 };
    pass?.settle();
  }
  return ((performance.now() - started) * 1000) / n;
}

await gateRun(50_000);
const gateRuns = [await gateRun(200_000), await gateRun(200_000), await gateRun(200_000)].sort((
  a,
  b,
) => a - b);
console.log(`gate: ${gateRuns[1].toFixed(2)} µs per admitted + settled request (median of 3)`);

const started = await tryStartRedis();
if (started.server === undefined) {
  console.log(`redis: not measured — ${started.reason}`);
} else {
  const proxy = countingProxy(started.server.port);
  const limiter = new RedisRateLimiter({
    url: proxy.url,
    fallback: new MemoryRateLimiter(createRateLimitBuffer(16)),
    logger: createLogger("error", () => {}),
  });
  await limiter.connect();
  const warm = await limiter.acquire("warm", limits, 1);
  if (warm.allowed) await limiter.settle(warm.lease, 1);
  const n = 2_000;
  /** Round trips per acquire and per settle, and µs of wall time per request, for `of`. */
  const measure = async (of: typeof limits | { rpm: number }, label: string) => {
    let acquires = 0;
    let settles = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const before = proxy.commands.length;
      const decision = await limiter.acquire(subjects[i % subjects.length], of, 500);
      acquires += proxy.commands.length - before;
      if (decision.allowed) {
        const mid = proxy.commands.length;
        await limiter.settle(decision.lease, 420);
        settles += proxy.commands.length - mid;
      }
    }
    const ms = performance.now() - t0;
    console.log(
      `redis, ${label}: ${(acquires / n).toFixed(2)} round trips per acquire, ` +
        `${(settles / n).toFixed(2)} per settle; ${((ms * 1000) / n).toFixed(0)} µs wall per ` +
        `request over loopback (through the counting proxy, ${n} requests)`,
    );
  };
  await measure(limits, "RPM+TPM+parallel");
  await measure({ rpm: limits.rpm }, "RPM only");
  await limiter.close();
  await proxy.close();
  await started.server.stop();
}

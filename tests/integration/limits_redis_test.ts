/**
 * The Redis rate limiter against a real `redis-server` on loopback (`tests/helpers/redis.ts`):
 * two limiter instances (two connections, as two gateway instances) sharing one Redis hold the
 * limits together exactly; the script's window decides like the in-memory table's; one round
 * trip per acquire and per settle; killing the server degrades to memory with one warning and
 * recovers when it is back; fail-closed mode answers 503.
 *
 * When the server cannot start, one test says so by name ("redis limiter: SKIPPED — …"); it
 * passes outside CI and fails in CI, where these must run.
 */
import assert from "node:assert/strict";
import { GatewayError } from "../../core/errors.ts";
import { createLogger, type Logger } from "../../core/logger.ts";
import type { Decision, Lease, Limits } from "../../core/limits/limiter.ts";
import { createRateLimitBuffer, MemoryRateLimiter } from "../../core/limits/memory_limiter.ts";
import { openRateLimiter } from "../../core/limits/open.ts";
import { RedisRateLimiter } from "../../core/limits/redis_limiter.ts";
import { errorResponse } from "../../server/errors.ts";
import {
  countingProxy,
  redisCommand,
  registerRedisSkipped,
  type TestRedis,
  tryStartRedis,
} from "../helpers/redis.ts";

function captureLogger(): { logger: Logger; lines: Array<{ level: string; msg: string }> } {
  const lines: Array<{ level: string; msg: string }> = [];
  return { logger: createLogger("debug", (line) => lines.push(JSON.parse(line))), lines };
}

async function limiterOn(
  server: TestRedis,
  options: { failClosed?: boolean; clock?: () => number; logger?: Logger; prefix?: string } = {},
) {
  const limiter = new RedisRateLimiter({
    url: server.url,
    fallback: new MemoryRateLimiter(createRateLimitBuffer(64), { clock: options.clock }),
    failClosed: options.failClosed,
    logger: options.logger ?? captureLogger().logger,
    clock: options.clock,
    prefix: options.prefix ?? `t${crypto.randomUUID().slice(0, 8)}:`,
  });
  await limiter.connect();
  return limiter;
}

async function until(check: () => boolean, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const started = await tryStartRedis();
if (started.server === undefined) {
  registerRedisSkipped("redis limiter", started.reason);
} else {
  const server = started.server;

  Deno.test("redis limiter: two instances sharing one Redis are admitted exactly the RPM limit", async () => {
    const prefix = "shared-rpm:";
    const [a, b] = [await limiterOn(server, { prefix }), await limiterOn(server, { prefix })];
    try {
      // interleaved: each instance has its 300 requests in flight at once
      const pendingA: Promise<Decision>[] = [];
      const pendingB: Promise<Decision>[] = [];
      for (let i = 0; i < 300; i++) {
        pendingA.push(a.acquire("team", { rpm: 250 }, 1));
        pendingB.push(b.acquire("team", { rpm: 250 }, 1));
      }
      const [fromA, fromB] = await Promise.all([Promise.all(pendingA), Promise.all(pendingB)]);
      const admittedA = fromA.filter((d) => d.allowed).length;
      const admittedB = fromB.filter((d) => d.allowed).length;
      assert.equal(admittedA + admittedB, 250, `${admittedA} + ${admittedB}`);
      assert.ok(admittedA > 0 && admittedB > 0, `${admittedA} + ${admittedB}`);
      assert.ok([...fromA, ...fromB].every((d) => !d.allowed || d.lease.via === "redis"));
      const refused = fromA.find((d) => !d.allowed)!;
      assert.equal(refused.allowed, false);
      if (!refused.allowed) {
        assert.equal(refused.limit, "requests");
        assert.ok(refused.retryAfterSeconds! >= 60 && refused.retryAfterSeconds! <= 61);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  Deno.test("redis limiter: TPM and parallel slots are shared; settlements correct the count", async () => {
    const prefix = "shared-tpm:";
    const [a, b] = [await limiterOn(server, { prefix }), await limiterOn(server, { prefix })];
    try {
      const limits = { tpm: 1_000, maxParallel: 2 };
      const first = await a.acquire("k", limits, 400);
      const second = await b.acquire("k", limits, 400);
      assert.ok(first.allowed && second.allowed);
      const third = await a.acquire("k", limits, 400);
      assert.equal(third.allowed, false);
      if (!third.allowed) assert.equal(third.limit, "tokens");
      await b.settle((first as { lease: Lease }).lease, 50); // refund 350 through the other one
      const fourth = await b.acquire("k", limits, 400);
      assert.ok(fourth.allowed, JSON.stringify(fourth));
      assert.equal(fourth.tokens?.remaining, 1_000 - 50 - 400 - 400);
      // in flight: the second and the fourth (the first was settled, the third refused)
      assert.deepEqual(fourth.parallel, { limit: 2, inFlight: 2 });
      const fifth = await a.acquire("k", limits, 1);
      assert.equal(fifth.allowed, false);
      if (!fifth.allowed) assert.equal(fifth.limit, "parallel");
    } finally {
      await a.close();
      await b.close();
    }
  });

  Deno.test("redis limiter: with one clock, the script decides exactly like the in-memory table", async () => {
    let now = Date.UTC(2026, 3, 1, 8, 0, 0, 400);
    const clock = () => now;
    const redis = await limiterOn(server, { clock });
    const memory = new MemoryRateLimiter(createRateLimitBuffer(64), { clock });
    try {
      const limits = { rpm: 7, tpm: 900, maxParallel: 4 };
      const leases: Array<[Lease, Lease]> = [];
      let step = 0;
      const refusedBy = new Set<string>();
      for (let t = 0; t < 200_000; t += 1_337) {
        now += 1_337;
        step++;
        const estimate = (step * 37) % 200;
        const [r, m] = [
          await redis.acquire("same", limits, estimate),
          await memory.acquire("same", limits, estimate),
        ];
        assert.deepEqual(strip(r), strip(m), `step ${step}`);
        if (!r.allowed) refusedBy.add(r.limit);
        if (r.allowed && m.allowed) leases.push([r.lease, m.lease]);
        if (leases.length > 0 && step % 2 === 0) {
          const [lr, lm] = leases.shift()!;
          const actual = (step * 53) % 260;
          await redis.settle(lr, actual);
          await memory.settle(lm, actual);
        }
      }
      assert.ok(step > 100);
      assert.deepEqual([...refusedBy].sort(), ["requests", "tokens"], "both limits were reached");
    } finally {
      await redis.close();
    }
  });

  Deno.test("redis limiter: one round trip per request; a second only to free a slot or correct tokens", async () => {
    const proxy = countingProxy(server.port);
    const limiter = await limiterOn({ ...server, url: proxy.url });
    /** EVALSHAs sent for `n` requests with `limits`, settled with `actual` tokens. */
    const roundTrips = async (limits: Limits, actual: number, n = 100) => {
      const before = proxy.commands.length;
      for (let i = 0; i < n; i++) {
        const d = await limiter.acquire("rt", limits, 10);
        assert.ok(d.allowed);
        if (d.allowed) await limiter.settle(d.lease, actual);
      }
      const sent = proxy.commands.slice(before);
      assert.ok(sent.every((name) => name === "EVALSHA"), [...new Set(sent)].join(", "));
      return sent.length / n;
    };
    try {
      const warm = await limiter.acquire("rt", { rpm: 1e6, maxParallel: 10 }, 10);
      if (warm.allowed) await limiter.settle(warm.lease, 5); // loads both scripts (EVAL once)
      assert.equal(await roundTrips({ rpm: 1e6 }, 7), 1, "RPM only: nothing to settle");
      assert.equal(await roundTrips({ rpm: 1e6, tpm: 1e9 }, 10), 1, "the estimate was exact");
      assert.equal(await roundTrips({ rpm: 1e6, tpm: 1e9 }, 7), 2, "a refund is settled");
      assert.equal(await roundTrips({ maxParallel: 4 }, 10), 2, "the slot is freed");
      // The slots did come back: four at once are admitted again.
      const held = await Promise.all(
        Array.from({ length: 4 }, () => limiter.acquire("rt", { maxParallel: 4 }, 1)),
      );
      assert.ok(held.every((d) => d.allowed));
      assert.equal((await limiter.acquire("rt", { maxParallel: 4 }, 1)).allowed, false);
      for (const d of held) if (d.allowed) await limiter.settle(d.lease, 1);
    } finally {
      await limiter.close();
      await proxy.close();
    }
  });

  Deno.test("redis limiter: a killed Redis degrades to memory with one warning, and recovers", async () => {
    const { logger, lines } = captureLogger();
    const limiter = await limiterOn(server, { logger });
    try {
      const before = await limiter.acquire("outage", { rpm: 100 }, 1);
      assert.ok(before.allowed && before.lease.via === "redis");
      await server.kill();
      const during: Decision[] = [];
      for (let i = 0; i < 30; i++) during.push(await limiter.acquire("outage", { rpm: 100 }, 1));
      assert.ok(during.every((d) => d.allowed && d.lease.via === "memory"));
      // the memory fallback counts per instance: its own 30 (the Redis count is not known)
      assert.equal(during[29].requests?.remaining, 100 - 30);
      for (const d of during) if (d.allowed) await limiter.settle(d.lease, 1);
      await limiter.settle((before as { lease: Lease }).lease, 1); // Redis down: dropped, no throw
      await new Promise((r) => setTimeout(r, 500)); // reconnect attempts fail meanwhile
      const warnings = lines.filter((l) => l.level === "warn");
      assert.equal(warnings.length, 1, JSON.stringify(lines));
      assert.match(
        warnings[0].msg,
        /^redis: cannot reach redis:\/\/127\.0\.0\.1:\d+\/? \(.+\); rate limits are counted per instance until it is back$/,
      );
      await server.restart();
      await until(() => limiter.reachable, "the limiter to reconnect");
      const back = await limiter.acquire("outage", { rpm: 100 }, 1);
      assert.ok(back.allowed && back.lease.via === "redis", JSON.stringify(back));
      assert.equal(back.requests?.remaining, 100 - 1, "Redis restarted empty (no persistence)");
      assert.equal(
        lines.filter((l) => l.msg === "redis: reachable again; rate limits are shared again")
          .length,
        1,
      );
      assert.equal(lines.filter((l) => l.level === "warn").length, 1);
    } finally {
      await limiter.close();
    }
  });

  Deno.test("redis limiter: the workers of one instance report an outage once between them", async () => {
    const { logger, lines } = captureLogger();
    const table = createRateLimitBuffer(64);
    const workers = [0, 1, 2].map(() =>
      new RedisRateLimiter({ url: server.url, fallback: new MemoryRateLimiter(table), logger })
    );
    try {
      for (const w of workers) await w.connect();
      await server.kill();
      for (const w of workers) {
        const d = await w.acquire("w", { rpm: 10 }, 1);
        assert.ok(d.allowed && d.lease.via === "memory");
      }
      await server.restart();
      for (const w of workers) await until(() => w.reachable, "every worker to reconnect");
      assert.deepEqual(lines.map((l) => l.level), ["warn", "info"], JSON.stringify(lines));
    } finally {
      for (const w of workers) await w.close();
    }
  });

  Deno.test("redis limiter: fail-closed mode answers 503 while Redis is down", async () => {
    const { logger, lines } = captureLogger();
    const limiter = await limiterOn(server, { logger, failClosed: true });
    try {
      assert.ok((await limiter.acquire("closed", { rpm: 5 }, 1)).allowed);
      await server.kill();
      for (let i = 0; i < 3; i++) {
        await assert.rejects(() => limiter.acquire("closed", { rpm: 5 }, 1), (error: unknown) => {
          assert.ok(error instanceof GatewayError);
          assert.equal(error.kind, "unavailable");
          assert.equal(error.code, "rate_limiter_unavailable");
          const response = errorResponse(error);
          assert.equal(response.status, 503);
          assert.equal(response.headers.get("retry-after"), "1");
          return true;
        });
      }
      const warnings = lines.filter((l) => l.level === "warn");
      assert.equal(warnings.length, 1);
      assert.match(warnings[0].msg, /refused \(503\) until it is back \(REDIS_FAIL_CLOSED\)$/);
      await server.restart();
      await until(() => limiter.reachable, "the limiter to reconnect");
      assert.ok((await limiter.acquire("closed", { rpm: 5 }, 1)).allowed);
    } finally {
      await limiter.close();
    }
  });

  Deno.test("redis limiter: unreachable at start (one warning line), shared once Redis is up", async () => {
    const { logger, lines } = captureLogger();
    await server.kill();
    const limiter = await openRateLimiter({
      settings: { redisUrl: server.url, redisFailClosed: false },
      buffer: createRateLimitBuffer(16),
      logger,
    });
    try {
      const early = await limiter.acquire("late", { rpm: 10 }, 1);
      assert.ok(early.allowed && early.lease.via === "memory");
      await server.restart();
      await until(() => (limiter as RedisRateLimiter).reachable, "the limiter to connect");
      const later = await limiter.acquire("late", { rpm: 10 }, 1);
      assert.ok(later.allowed && later.lease.via === "redis");
      assert.deepEqual(lines.map((l) => l.level), ["warn", "info"], JSON.stringify(lines));
      assert.match(lines[0].msg, /^REDIS_URL redis:\/\/127\.0\.0\.1:\d+ cannot be reached/);
      assert.equal(lines[1].msg, "redis: reachable again; rate limits are shared again");
    } finally {
      await limiter.close();
    }
  });

  Deno.test("redis limiter: the test server stops", async () => {
    await server.stop();
    await assert.rejects(() => redisCommand(server.port, "PING"));
  });
}

/** A decision without the backend-specific part of its lease. */
function strip(d: Decision): unknown {
  if (!d.allowed) return d;
  // Where it was counted, and what only a Redis lease says (what its settle must do).
  const { via: _via, holdsSlot: _slot, countsTokens: _tokens, ...lease } = d.lease;
  return { ...d, lease };
}

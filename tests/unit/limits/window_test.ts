/**
 * The sliding window's maths with an injected clock: the pure `assess`, then the in-memory
 * table (one worker) over simulated minutes — admissions, refusals with their retry time, the
 * 60–61 s return of a spent unit, token reservation and settlement, parallel slots, a full table.
 */
import assert from "node:assert/strict";
import {
  assess,
  BUCKET_MS,
  SLOTS,
  tokenReservation,
  WINDOW_MS,
} from "../../../core/limits/window.ts";
import { createRateLimitBuffer, MemoryRateLimiter } from "../../../core/limits/memory_limiter.ts";
import type { Admitted, Decision, Refused } from "../../../core/limits/limiter.ts";
import { GatewayError } from "../../../core/errors.ts";

const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

function limiterAt(start = T0, capacity?: number) {
  let now = start;
  const limiter = new MemoryRateLimiter(createRateLimitBuffer(capacity), { clock: () => now });
  return {
    limiter,
    set: (ms: number) => (now = ms),
    advance: (ms: number) => (now += ms),
  };
}

const admitted = (d: Decision): Admitted => {
  assert.equal(d.allowed, true, `expected admission, got ${JSON.stringify(d)}`);
  return d as Admitted;
};
const refused = (d: Decision): Refused => {
  assert.equal(d.allowed, false, `expected refusal, got ${JSON.stringify(d)}`);
  return d as Refused;
};

Deno.test("window: 61 one-second buckets cover the last 60 s, the oldest whole", () => {
  assert.equal(SLOTS, 61);
  assert.equal(WINDOW_MS / BUCKET_MS + 1, SLOTS);
  const now = 100_500; // bucket 100
  const at = (bucket: number) =>
    assess([{ bucket, requests: 1, tokens: 0 }], now, { rpm: 1 }, 0, 0);
  assert.equal(at(40).allowed, false, "bucket 40 overlaps (40.5 s, 100.5 s]");
  assert.equal(at(39).allowed, true, "bucket 39 ended before the window");
});

Deno.test("window: refusal names the limit, retry waits for the oldest counted bucket", () => {
  const buckets = [
    { bucket: 10, requests: 2, tokens: 100 },
    { bucket: 30, requests: 1, tokens: 50 },
  ];
  const now = 50_000; // bucket 50
  const result = assess(buckets, now, { rpm: 3, tpm: 1000 }, 10, 0);
  assert.equal(result.refusedBy, "requests");
  // bucket 10 stops counting at (10 + 61) s = 71 s
  assert.equal(result.retryAfterMs, 71_000 - now);
  assert.deepEqual(result.requests, { limit: 3, remaining: 0, resetMs: 91_000 - now });
  assert.deepEqual(result.tokens, { limit: 1000, remaining: 850, resetMs: 91_000 - now });
});

Deno.test("window: the retry time covers the tokens needed, across several buckets", () => {
  const buckets = [
    { bucket: 10, requests: 1, tokens: 300 },
    { bucket: 20, requests: 1, tokens: 300 },
    { bucket: 30, requests: 1, tokens: 300 },
  ];
  const result = assess(buckets, 40_000, { tpm: 1000 }, 500, 0);
  assert.equal(result.refusedBy, "tokens");
  // 900 + 500 > 1000; after bucket 10 leaves, 600 + 500 still is; after bucket 20, 300 + 500 fits
  assert.equal(result.retryAfterMs, (20 + SLOTS) * 1000 - 40_000);
});

Deno.test("window: a request alone over its TPM limit can never succeed", () => {
  const result = assess([], 0, { tpm: 100 }, 101, 0);
  assert.equal(result.refusedBy, "tokens");
  assert.equal(result.retryAfterMs, Infinity);
  assert.equal(tokenReservation(0), 1);
  assert.equal(tokenReservation(10.2), 11);
  assert.equal(tokenReservation(Number.NaN), 1);
});

Deno.test("memory limiter: RPM admits exactly the limit per minute, and units return 60–61 s later", async () => {
  const clock = limiterAt(T0 + 250);
  const limits = { rpm: 5 };
  for (let i = 0; i < 5; i++) {
    const d = admitted(await clock.limiter.acquire("key-a", limits, 0));
    assert.equal(d.requests?.remaining, 4 - i);
    clock.advance(1_000);
  }
  const over = refused(await clock.limiter.acquire("key-a", limits, 0));
  assert.equal(over.limit, "requests");
  // the first request (bucket of T0) counts until T0 + 61 s; now is T0 + 5.25 s
  assert.equal(over.retryAfterSeconds, Math.ceil((61_000 - 5_250) / 1000));
  assert.equal(over.requests?.remaining, 0);
  // another subject is not affected
  admitted(await clock.limiter.acquire("key-b", limits, 0));
  // at T0 + 60.25 s the first is still counted (its bucket overlaps the window), at 61 s it is not
  clock.set(T0 + 60_250);
  refused(await clock.limiter.acquire("key-a", limits, 0));
  clock.set(T0 + 61_000);
  const back = admitted(await clock.limiter.acquire("key-a", limits, 0));
  assert.equal(back.requests?.remaining, 0);
});

Deno.test("memory limiter: in any 60 s interval the admissions never exceed the limit", async () => {
  const clock = limiterAt(T0);
  const limits = { rpm: 20 };
  const times: number[] = [];
  // a bursty client over 5 simulated minutes, 150 ms apart
  for (let t = 0; t < 300_000; t += 150) {
    clock.set(T0 + t);
    const d = await clock.limiter.acquire("bursty", limits, 0);
    if (d.allowed) {
      times.push(t);
      await clock.limiter.settle(d.lease, 0);
    }
  }
  for (let i = 0; i < times.length; i++) {
    const inWindow = times.filter((t) => t > times[i] - 60_000 && t <= times[i]).length;
    assert.ok(inWindow <= 20, `${inWindow} admissions in the 60 s ending at ${times[i]} ms`);
  }
  // and at most one bucket stricter: 20 per 61 s at least
  assert.ok(times.length >= Math.floor(300_000 / 61_000) * 20, `${times.length} admitted`);
});

Deno.test("memory limiter: TPM reserves the estimate and settles to the actual tokens", async () => {
  const clock = limiterAt(T0);
  const limits = { tpm: 1000 };
  const first = admitted(await clock.limiter.acquire("k", limits, 600));
  assert.equal(first.tokens?.remaining, 400);
  refused(await clock.limiter.acquire("k", limits, 500)); // 600 + 500 > 1000
  clock.advance(2_000);
  await clock.limiter.settle(first.lease, 100); // refund 500 to the first bucket
  const second = admitted(await clock.limiter.acquire("k", limits, 500));
  assert.equal(second.tokens?.remaining, 400);
  await clock.limiter.settle(second.lease, 800); // 300 more than reserved, counted now
  // 100 (settled) + 500 (reserved) + 300 (overrun) = 900 counted
  const third = refused(await clock.limiter.acquire("k", limits, 101));
  assert.equal(third.tokens?.remaining, 100);
  assert.match(third.retryAfterSeconds!.toString(), /^\d+$/);
  // the request-too-large case: no retry helps
  const big = refused(await clock.limiter.acquire("k", limits, 5000));
  assert.equal(big.retryAfterSeconds, undefined);
  assert.equal(big.requestedTokens, 5000);
});

Deno.test("memory limiter: a refund after the reservation's bucket left the window changes nothing", async () => {
  const clock = limiterAt(T0);
  const d = admitted(await clock.limiter.acquire("k", { tpm: 100 }, 90));
  clock.advance(62_000);
  await clock.limiter.settle(d.lease, 0);
  const next = admitted(await clock.limiter.acquire("k", { tpm: 100 }, 100));
  assert.equal(next.tokens?.remaining, 0);
});

Deno.test("memory limiter: max parallel counts requests in flight until settled", async () => {
  const clock = limiterAt(T0);
  const limits = { maxParallel: 2 };
  const a = admitted(await clock.limiter.acquire("p", limits, 0));
  admitted(await clock.limiter.acquire("p", limits, 0));
  const third = refused(await clock.limiter.acquire("p", limits, 0));
  assert.equal(third.limit, "parallel");
  assert.equal(third.retryAfterSeconds, 1);
  assert.deepEqual(third.parallel, { limit: 2, inFlight: 2 });
  await clock.limiter.settle(a.lease, 0);
  const again = admitted(await clock.limiter.acquire("p", limits, 0));
  assert.deepEqual(again.parallel, { limit: 2, inFlight: 2 });
});

Deno.test("memory limiter: a refusal counts nothing, and no limit means no headers' states", async () => {
  const clock = limiterAt(T0);
  admitted(await clock.limiter.acquire("r", { rpm: 1, tpm: 10 }, 5));
  for (let i = 0; i < 3; i++) refused(await clock.limiter.acquire("r", { rpm: 1, tpm: 10 }, 5));
  const view = admitted(await clock.limiter.acquire("r", { tpm: 10 }, 5));
  assert.equal(view.tokens?.remaining, 0, "only the admitted request's 5 tokens were counted");
  const free = admitted(await clock.limiter.acquire("free", {}, 1_000_000));
  assert.equal(free.requests, undefined);
  assert.equal(free.tokens, undefined);
});

Deno.test("memory limiter: a clock behind the entry's newest bucket counts in that bucket", async () => {
  const clock = limiterAt(T0 + 10_000);
  admitted(await clock.limiter.acquire("skew", { rpm: 2 }, 0));
  clock.set(T0 + 5_000); // another worker's clock a little behind
  const d = admitted(await clock.limiter.acquire("skew", { rpm: 2 }, 0));
  assert.equal(d.requests?.remaining, 0);
  assert.equal(d.lease.bucket, Math.floor((T0 + 10_000) / 1000));
});

Deno.test("memory limiter: a full table reuses idle entries, evicts the least recent, else 503", async () => {
  const clock = limiterAt(T0, 4);
  const held = [];
  for (let i = 0; i < 4; i++) {
    held.push(admitted(await clock.limiter.acquire(`s${i}`, { rpm: 1 }, 0)));
  }
  assert.equal(clock.limiter.stats().entries, 4);
  await assert.rejects(
    () => clock.limiter.acquire("s4", { rpm: 1 }, 0),
    (e) =>
      e instanceof GatewayError && e.kind === "unavailable" &&
      e.code === "rate_limiter_unavailable",
  );
  for (const d of held) await clock.limiter.settle(d.lease, 0);
  // all four are quiet but still counted: the least recently used is evicted
  clock.advance(1_000);
  const recent = admitted(await clock.limiter.acquire("s1", { rpm: 5 }, 0)); // the most recent
  await clock.limiter.settle(recent.lease, 0);
  const s4 = admitted(await clock.limiter.acquire("s4", { rpm: 1 }, 0));
  await clock.limiter.settle(s4.lease, 0);
  assert.equal(clock.limiter.stats().evictions, 1);
  // s1 kept its count (2 of 5 used)
  const s1 = admitted(await clock.limiter.acquire("s1", { rpm: 5 }, 0));
  assert.equal(s1.requests?.remaining, 2);
  await clock.limiter.settle(s1.lease, 0);
  // after the window every entry is idle and is reused without an eviction
  clock.advance(62_000);
  for (let i = 5; i < 9; i++) {
    const d = admitted(await clock.limiter.acquire(`s${i}`, { rpm: 1 }, 0));
    await clock.limiter.settle(d.lease, 0);
  }
  assert.equal(clock.limiter.stats().evictions, 1);
  assert.equal(clock.limiter.stats().entries, 4);
});

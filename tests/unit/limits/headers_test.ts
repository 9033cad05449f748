/**
 * What a decision tells the client: OpenAI's `x-ratelimit-*` headers (reset as Go-style
 * durations, e.g. `1s`, `6m0s`, `12ms`), and the 429 GatewayError with its message, code and
 * `Retry-After` — down to the HTTP response `server/errors.ts` builds from it.
 */
import assert from "node:assert/strict";
import {
  formatDuration,
  headersOf,
  limiterUnavailableError,
  rateLimitError,
} from "../../../core/limits/limiter.ts";
import { createRateLimitBuffer, MemoryRateLimiter } from "../../../core/limits/memory_limiter.ts";
import type { Refused } from "../../../core/limits/limiter.ts";
import { errorResponse } from "../../../server/errors.ts";

Deno.test("formatDuration writes durations the way OpenAI's reset headers do", () => {
  assert.equal(formatDuration(0), "0ms");
  assert.equal(formatDuration(12), "12ms");
  assert.equal(formatDuration(999.6), "1s");
  assert.equal(formatDuration(1_000), "1s");
  assert.equal(formatDuration(1_500), "1.5s");
  assert.equal(formatDuration(17_283), "17.283s");
  assert.equal(formatDuration(61_000), "1m1s");
  assert.equal(formatDuration(360_000), "6m0s");
  assert.equal(formatDuration(3_600_000), "1h0m0s");
  assert.equal(formatDuration(-5), "0ms");
});

Deno.test("headersOf gives the requests and tokens trios of the limits that are set", async () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0, 250);
  const limiter = new MemoryRateLimiter(createRateLimitBuffer(16), { clock: () => now });
  const both = await limiter.acquire("h", { rpm: 60, tpm: 150_000 }, 16);
  assert.deepEqual(headersOf(both), {
    "x-ratelimit-limit-requests": "60",
    "x-ratelimit-remaining-requests": "59",
    "x-ratelimit-reset-requests": "1m0.75s",
    "x-ratelimit-limit-tokens": "150000",
    "x-ratelimit-remaining-tokens": "149984",
    "x-ratelimit-reset-tokens": "1m0.75s",
  });
  const rpmOnly = await limiter.acquire("h2", { rpm: 10 }, 16);
  assert.deepEqual(Object.keys(headersOf(rpmOnly)), [
    "x-ratelimit-limit-requests",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-requests",
  ]);
  assert.deepEqual(headersOf(await limiter.acquire("h3", {}, 16)), {});
});

async function refusal(limits: Record<string, number>, estimate: number, fill: number) {
  const now = Date.UTC(2026, 0, 1, 0, 0, 30);
  const limiter = new MemoryRateLimiter(createRateLimitBuffer(16), { clock: () => now });
  for (let i = 0; i < fill; i++) await limiter.acquire("e", limits, estimate);
  const decision = await limiter.acquire("e", limits, estimate);
  assert.equal(decision.allowed, false);
  return decision as Refused;
}

Deno.test("rateLimitError: a 429 rate_limit_exceeded naming the limit and the wait", async () => {
  const rpm = rateLimitError(await refusal({ rpm: 2 }, 1, 2));
  assert.equal(rpm.kind, "rate_limited");
  assert.equal(rpm.code, "rate_limit_exceeded");
  assert.equal(rpm.retryAfterSeconds, 61);
  assert.equal(
    rpm.message,
    "Rate limit reached for requests per minute (RPM): limit 2, used 2. Please try again in 61s.",
  );
  const tpm = rateLimitError(await refusal({ tpm: 100 }, 60, 1));
  assert.equal(
    tpm.message,
    "Rate limit reached for tokens per minute (TPM): limit 100, used 60, requested 60. " +
      "Please try again in 61s.",
  );
  const big = rateLimitError(await refusal({ tpm: 100 }, 500, 0));
  assert.equal(big.retryAfterSeconds, undefined);
  assert.match(
    big.message,
    /^Request too large for tokens per minute \(TPM\): limit 100, requested 500\./,
  );
  const parallel = rateLimitError(await refusal({ maxParallel: 1 }, 1, 1));
  assert.equal(
    parallel.message,
    "Too many requests in flight: the limit is 1 at once. Please try again in 1s.",
  );
});

Deno.test("the 429 and the 503 as HTTP responses: status, Retry-After, OpenAI's envelope", async () => {
  const refused = await refusal({ rpm: 1 }, 1, 1);
  const response = errorResponse(rateLimitError(refused));
  for (const [name, value] of Object.entries(headersOf(refused))) response.headers.set(name, value);
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("retry-after"), "61");
  assert.equal(response.headers.get("x-ratelimit-remaining-requests"), "0");
  assert.equal(response.headers.get("x-ratelimit-reset-requests"), "1m1s");
  const body = await response.json();
  assert.equal(body.error.type, "rate_limit_error");
  assert.equal(body.error.code, "rate_limit_exceeded");
  const down = errorResponse(limiterUnavailableError());
  assert.equal(down.status, 503);
  assert.equal((await down.json()).error.code, "rate_limiter_unavailable");
});

/**
 * The limiter the configuration asks for, with Redis absent: the shared in-memory table without
 * `REDIS_URL`; with an unreachable `REDIS_URL`, one warning line and per-instance counting
 * (default), or one `Cannot start` line with `REDIS_FAIL_CLOSED=true`; never the password.
 */
import assert from "node:assert/strict";
import { parseConfig } from "../../../core/config.ts";
import { createLogger } from "../../../core/logger.ts";
import { createRateLimitBuffer, MemoryRateLimiter } from "../../../core/limits/memory_limiter.ts";
import { LimiterStartError, limitsFromConfig, openRateLimiter } from "../../../core/limits/open.ts";
import { freePort } from "../../helpers/server.ts";

function capture() {
  const lines: Array<{ level: string; msg: string }> = [];
  return { logger: createLogger("debug", (l) => lines.push(JSON.parse(l))), lines };
}

Deno.test("openRateLimiter: no REDIS_URL → the shared in-memory table", async () => {
  const buffer = createRateLimitBuffer(16);
  const { logger, lines } = capture();
  const settings = limitsFromConfig(parseConfig({}));
  assert.deepEqual(settings, { redisUrl: undefined, redisFailClosed: false });
  const limiter = await openRateLimiter({ settings, buffer, logger });
  assert.ok(limiter instanceof MemoryRateLimiter);
  assert.equal(limiter.description, "in memory (shared by this instance's workers)");
  const d = await limiter.acquire("k", { rpm: 1 }, 1);
  assert.ok(d.allowed);
  // another isolate on the same buffer sees the count
  const other = await openRateLimiter({ settings, buffer, logger });
  assert.equal((await other.acquire("k", { rpm: 1 }, 1)).allowed, false);
  assert.deepEqual(lines, []);
});

Deno.test("openRateLimiter: an unreachable REDIS_URL starts with one warning and counts in memory", async () => {
  const url = `redis://:s3cret-pw@127.0.0.1:${freePort()}`;
  const { logger, lines } = capture();
  const settings = limitsFromConfig(parseConfig({ REDIS_URL: url }));
  const limiter = await openRateLimiter({ settings, buffer: createRateLimitBuffer(16), logger });
  try {
    for (let i = 0; i < 5; i++) {
      const d = await limiter.acquire("k", { rpm: 3 }, 1);
      assert.equal(d.allowed, i < 3);
      if (d.allowed) assert.equal(d.lease.via, "memory");
    }
    const warnings = lines.filter((l) => l.level === "warn");
    assert.equal(warnings.length, 1, JSON.stringify(lines));
    assert.match(
      warnings[0].msg,
      /^REDIS_URL redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ cannot be reached \(.+\); starting with rate limits counted per instance until it answers \(set REDIS_FAIL_CLOSED=true to refuse to start instead\)$/,
    );
    assert.ok(lines.every((l) => !JSON.stringify(l).includes("s3cret-pw")));
  } finally {
    await limiter.close();
  }
});

Deno.test("openRateLimiter: an unreachable REDIS_URL with REDIS_FAIL_CLOSED=true refuses to start", async () => {
  const port = freePort();
  const settings = limitsFromConfig(
    parseConfig({ REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}`, REDIS_FAIL_CLOSED: "1" }),
  );
  await assert.rejects(
    () =>
      openRateLimiter({ settings, buffer: createRateLimitBuffer(16), logger: capture().logger }),
    (error: unknown) => {
      assert.ok(error instanceof LimiterStartError);
      assert.match(
        error.message,
        new RegExp(
          `^Cannot start: REDIS_URL redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} cannot be reached \\(.+\\) and REDIS_FAIL_CLOSED=true$`,
        ),
      );
      assert.doesNotMatch(error.message, /s3cret-pw|\n/);
      return true;
    },
  );
});

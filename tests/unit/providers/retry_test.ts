import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { createLogger } from "../../../core/logger.ts";
import { UpstreamDeadline } from "../../../core/providers/deadline.ts";
import {
  isRetryable,
  retryDelay,
  type RetryPolicy,
  type RetryState,
  withRetries,
} from "../../../core/providers/retry.ts";

const POLICY: RetryPolicy = { maxRetries: 2, timeoutMs: 10_000, random: () => 0.5 };
const upstreamFailure = () =>
  new GatewayError("upstream", "failed with 500", { cause: new Error("500") });

Deno.test("isRetryable: 429, 5xx, connection errors and timeouts only", async (t) => {
  const rows: Array<{ name: string; error: GatewayError; expected: boolean }> = [
    { name: "429", error: new GatewayError("rate_limited", "x"), expected: true },
    { name: "timeout", error: new GatewayError("timeout", "x"), expected: true },
    { name: "unreachable", error: new GatewayError("unavailable", "x"), expected: true },
    { name: "upstream 5xx", error: upstreamFailure(), expected: true },
    {
      name: "not configured",
      error: new GatewayError("unavailable", "x", { code: "provider_not_configured" }),
      expected: false,
    },
    { name: "malformed answer", error: new GatewayError("upstream", "malformed"), expected: false },
    { name: "400", error: new GatewayError("invalid_request", "x"), expected: false },
    { name: "403", error: new GatewayError("permission", "x"), expected: false },
    { name: "404", error: new GatewayError("not_found", "x"), expected: false },
  ];
  for (const row of rows) {
    await t.step(row.name, () => assert.equal(isRetryable(row.error), row.expected));
  }
});

Deno.test("retryDelay: backoff, Retry-After, the budget and the attempt limit", async (t) => {
  const at = (over: Partial<RetryState>): RetryState => ({
    attempts: 1,
    remainingMs: 9_000,
    attemptMs: 10,
    ...over,
  });
  const throttled = (seconds: number) =>
    new GatewayError("rate_limited", "x", { retryAfterSeconds: seconds });
  const rows: Array<{
    name: string;
    error: GatewayError;
    state: RetryState;
    expected: number | undefined;
  }> = [
    { name: "first backoff (jitter 0.75)", error: upstreamFailure(), state: at({}), expected: 188 },
    {
      name: "exponential",
      error: upstreamFailure(),
      state: at({ attempts: 2 }),
      expected: 375,
    },
    {
      name: "attempt limit reached",
      error: upstreamFailure(),
      state: at({ attempts: 3 }),
      expected: undefined,
    },
    { name: "Retry-After honoured", error: throttled(2), state: at({}), expected: 2_000 },
    {
      name: "Retry-After past the deadline: answered at once",
      error: throttled(1),
      state: at({ remainingMs: 800 }),
      expected: undefined,
    },
    {
      name: "backoff past the deadline",
      error: upstreamFailure(),
      state: at({ remainingMs: 100 }),
      expected: undefined,
    },
    {
      name: "a quick upstream timeout with budget left is retried",
      error: new GatewayError("timeout", "504"),
      state: at({ attemptMs: 500 }),
      expected: 188,
    },
    {
      name: "a timeout longer than the budget left is not",
      error: new GatewayError("timeout", "504"),
      state: at({ attemptMs: 5_000, remainingMs: 4_000 }),
      expected: undefined,
    },
    {
      name: "not retryable",
      error: new GatewayError("invalid_request", "x"),
      state: at({}),
      expected: undefined,
    },
  ];
  for (const row of rows) {
    await t.step(
      row.name,
      () => assert.equal(retryDelay(row.error, row.state, POLICY), row.expected),
    );
  }
});

Deno.test("withRetries: one log line per failed attempt, then the last error", async () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger("debug", (line) => lines.push(JSON.parse(line)));
  let attempts = 0;
  await assert.rejects(
    withRetries({ ...POLICY, baseDelayMs: 1 }, {
      provider: "test",
      label: "The test upstream",
      logger,
      signal: undefined,
      mapError: (error) => error as GatewayError,
    }, () => {
      attempts++;
      return Promise.reject(new GatewayError("unavailable", "connection reset"));
    }),
    (error: unknown) => error instanceof GatewayError && error.code === "upstream_unavailable",
  );
  assert.equal(attempts, 3);
  assert.deepEqual(lines.map((l) => [l.msg, l.attempt, l.error_code]), [
    ["upstream attempt failed", 1, "upstream_unavailable"],
    ["upstream attempt failed", 2, "upstream_unavailable"],
    ["upstream attempt failed", 3, "upstream_unavailable"],
  ]);
  assert.equal(lines.at(-1)?.retry_in_ms, null);
});

Deno.test("UpstreamDeadline: first-byte deadline, then the idle rule with one timer", async () => {
  const idle = new UpstreamDeadline(undefined, performance.now() + 60, 60, "Test");
  const started = performance.now();
  // Touch every 20 ms for 200 ms: never idle for 60 ms, so never fired.
  while (performance.now() - started < 200) {
    idle.touch();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(idle.fired, false);
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(idle.fired, true);
  assert.equal(idle.signal.aborted, true);
  assert.match(idle.timeoutError().message, /sent nothing for 60 ms/);

  const silent = new UpstreamDeadline(undefined, performance.now() + 30, 10_000, "Test");
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(silent.fired, true, "the first-byte deadline, not the idle limit");
  assert.equal(silent.timeoutError().code, "upstream_timeout");

  const outer = new AbortController();
  const done = new UpstreamDeadline(outer.signal, performance.now() + 30, 30, "Test");
  done.done();
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(done.fired, false, "done() stops the timer");
  outer.abort();
  assert.equal(done.signal.aborted, false, "and detaches from the caller's signal");
});

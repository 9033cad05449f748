/**
 * The gateway's one retry policy, used by every provider path (the SDKs' own retries are off:
 * `maxRetries: 0` for OpenAI, `maxAttempts: 1` for AWS). An upstream call is retried at most
 * `UPSTREAM_MAX_RETRIES` times, and only:
 *
 * - for a 429, a 5xx the upstream reported, a broken or refused connection, or a timeout — never
 *   for a request-shaped error (4xx) or an answer the gateway could not read (malformed, too
 *   large);
 * - before the first byte reached the client (an attempt of a stream ends with its first event);
 * - within the budget: `UPSTREAM_TIMEOUT_MS` is the longest a client waits for the first byte,
 *   whatever the retries. A retry whose wait (`Retry-After`, else jittered exponential backoff)
 *   would pass that deadline is not made: the last error is answered at once (a 429 with its
 *   `Retry-After`). A timeout is retried only when the budget left after the wait is at least
 *   as long as the attempt that timed out (so a hang that used the whole budget is not retried).
 *
 * Every failed attempt is logged once, with its reason and whether it is retried.
 *
 * A request routed to an alias has one {@link AttemptBudget} across all its deployments (the
 * router's, `core/deployments/router.ts`), bound to the request's abort signal so every provider
 * path sees it without taking it as a parameter: each attempt spends one, nothing is retried
 * once it is spent, and a failure is not retried on the same deployment while another one waits
 * (the router moves on instead).
 */
import { GatewayError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { UpstreamDeadline } from "./deadline.ts";

/** The retry and timeout settings (from `UPSTREAM_MAX_RETRIES` and `UPSTREAM_TIMEOUT_MS`). */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First-byte budget of a request (all attempts) and idle limit once bytes flow. */
  timeoutMs: number;
  /** Backoff before retry n is `baseDelayMs · 2^(n-1)`, capped, times a jitter in [0.5, 1). */
  baseDelayMs?: number;
  /** Cap of the backoff before jitter. */
  maxDelayMs?: number;
  /** Random source for the jitter (tests pass a fixed one). */
  random?: () => number;
}

/** What one attempt gets. */
export interface Attempt {
  /** 1 for the first attempt. */
  number: number;
  /** The attempt's deadline; on success the attempt (or its stream) must call `done()`. */
  deadline: UpstreamDeadline;
  /** Pass to the upstream call: aborted by the client, the deadline, or a failed attempt. */
  signal: AbortSignal;
}

/** Who is being called, for errors and logs. */
export interface RetryTarget {
  /** Provider name in log lines, e.g. `openai`. */
  provider: string;
  /** Upstream name in messages, e.g. `The OpenAI upstream`. */
  label: string;
  logger: Logger;
  /** The client's signal; once aborted nothing is retried. */
  signal: AbortSignal | undefined;
  /** Maps what the upstream call threw to a GatewayError. */
  mapError: (error: unknown) => GatewayError;
}

/** One request's upstream attempts, shared by every deployment it tries. */
export interface AttemptBudget {
  /** Attempts left (every deployment and retry together). */
  left: number;
  /** The current deployment's first-byte deadline (`performance.now()` ms): the request's, or
   * an earlier share of it while other deployments wait. */
  attemptBy: number;
  /** Another deployment waits: a failure is not retried here (the router moves on). */
  moveOn: boolean;
}

const budgets = new WeakMap<AbortSignal, AttemptBudget>();

/**
 * Binds `budget` to a request's signal: {@link withRetries} calls made with that signal spend
 * it. One request per signal (each request has its own).
 *
 * @example
 * bindBudget(signal, { left: 3, attemptBy: performance.now() + 60_000, moveOn: true });
 */
export function bindBudget(signal: AbortSignal, budget: AttemptBudget): void {
  budgets.set(signal, budget);
}

const DEFAULT_BASE_DELAY_MS = 250;
const DEFAULT_MAX_DELAY_MS = 8_000;

/**
 * True for failures worth another attempt: 429, timeouts, unavailability (not a missing
 * configuration), and upstream failures the upstream itself reported (they carry the SDK error as
 * `cause`; answers the gateway could not read carry none).
 *
 * @example
 * isRetryable(new GatewayError("rate_limited", "slow down")); // true
 * isRetryable(new GatewayError("invalid_request", "bad field")); // false
 */
export function isRetryable(error: GatewayError): boolean {
  switch (error.kind) {
    case "rate_limited":
    case "timeout":
      return true;
    case "unavailable":
      return error.code !== "provider_not_configured";
    case "upstream":
      return error.code === "upstream_error" && error.cause !== undefined;
    default:
      return false;
  }
}

/** The state {@link retryDelay} decides on. */
export interface RetryState {
  /** Attempts made so far (≥ 1). */
  attempts: number;
  /** Milliseconds left until the request's first-byte deadline. */
  remainingMs: number;
  /** How long the failed attempt took. */
  attemptMs: number;
}

/**
 * How long to wait before the next attempt, or undefined when the error is final.
 *
 * @example
 * retryDelay(new GatewayError("rate_limited", "x", { retryAfterSeconds: 1 }),
 *   { attempts: 1, remainingMs: 800, attemptMs: 20 }, { maxRetries: 2, timeoutMs: 2000 });
 * // undefined: waiting 1 s would pass the deadline, so the 429 is answered at once
 */
export function retryDelay(
  error: GatewayError,
  state: RetryState,
  policy: RetryPolicy,
): number | undefined {
  if (state.attempts > policy.maxRetries || !isRetryable(error)) return undefined;
  const base = policy.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  const cap = policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  const jitter = 0.5 + (policy.random ?? Math.random)() / 2;
  const delay = error.retryAfterSeconds !== undefined
    ? error.retryAfterSeconds * 1000
    : Math.round(Math.min(cap, base * 2 ** (state.attempts - 1)) * jitter);
  if (delay >= state.remainingMs) return undefined;
  if (error.kind === "timeout" && state.remainingMs - delay < state.attemptMs) return undefined;
  return delay;
}

/** Resolves after `ms`, or rejects with the signal's abort. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => new DOMException("The request was cancelled.", "AbortError");
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `attempt` under the policy: each attempt gets a deadline (first byte by the request's
 * budget, then the idle rule); failures are mapped, logged and retried as the module doc says.
 * Throws the final GatewayError.
 *
 * @example
 * const body = await withRetries(policy, target, async ({ signal, deadline }) => {
 *   try {
 *     return await call(signal);
 *   } finally {
 *     deadline.done();
 *   }
 * });
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  target: RetryTarget,
  attempt: (attempt: Attempt) => Promise<T>,
): Promise<T> {
  const budget = target.signal === undefined ? undefined : budgets.get(target.signal);
  const firstByteBy = budget?.attemptBy ?? performance.now() + policy.timeoutMs;
  for (let number = 1;; number++) {
    if (budget !== undefined) budget.left--;
    const started = performance.now();
    const deadline = new UpstreamDeadline(
      target.signal,
      firstByteBy,
      policy.timeoutMs,
      target.label,
    );
    let error: GatewayError;
    try {
      return await attempt({ number, deadline, signal: deadline.signal });
    } catch (raw) {
      deadline.cancel();
      if (target.signal?.aborted) throw target.mapError(raw);
      error = deadline.fired ? deadline.timeoutError() : target.mapError(raw);
    }
    const now = performance.now();
    const spent = budget !== undefined && (budget.moveOn || budget.left <= 0);
    const delay = spent ? undefined : retryDelay(error, {
      attempts: number,
      remainingMs: firstByteBy - now,
      attemptMs: now - started,
    }, policy);
    const retryable = isRetryable(error);
    target.logger[retryable ? "warn" : "info"]("upstream attempt failed", {
      provider: target.provider,
      attempt: number,
      max_attempts: policy.maxRetries + 1,
      error_code: error.code,
      error_message: error.message,
      attempt_ms: Math.round(now - started),
      retry_in_ms: delay ?? null,
    });
    if (delay === undefined) throw error;
    try {
      await sleep(delay, target.signal);
    } catch (abort) {
      throw target.mapError(abort);
    }
  }
}

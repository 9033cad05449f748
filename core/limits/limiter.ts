/**
 * The rate limiter's contract — what a request asks before it runs ({@link RateLimiter.acquire})
 * and tells when it ends ({@link RateLimiter.settle}) — and what follows from a decision for the
 * client: OpenAI's `x-ratelimit-*` headers ({@link headersOf}) and the 429 ({@link rateLimitError}).
 * Backends: `memory_limiter.ts` (one instance, shared by its workers), `redis_limiter.ts` (many).
 */
import { GatewayError } from "../errors.ts";
import {
  type Assessment,
  type LimitName,
  type Limits,
  WINDOW_MS,
  type WindowState,
} from "./window.ts";

export type { LimitName, Limits, WindowState } from "./window.ts";

/** What an admitted request holds until {@link RateLimiter.settle}: the tokens it reserved, in
 * which bucket, and whether it holds a parallel slot. Plain data (it may cross a worker). */
export interface Lease {
  subject: string;
  /** The bucket the reservation was counted in (see `window.ts`). */
  bucket: number;
  /** Tokens reserved from the estimate (every admitted request also holds an in-flight slot,
   * counted whether or not a `maxParallel` limit is set). */
  reserved: number;
  /** The backend that counted it, so the settlement goes to the same counters. */
  via: "memory" | "redis";
  /** Redis: whether the request holds an in-flight slot (a `maxParallel` limit is set) and
   * whether its tokens are limited (a `tpm` limit); a lease with neither to free or correct is
   * settled without a round trip. The memory table always counts both. */
  holdsSlot?: boolean;
  countsTokens?: boolean;
}

/** Where the subject stands on each limit that is set (absent: not limited). */
export interface LimitStates {
  requests?: WindowState;
  tokens?: WindowState;
  parallel?: { limit: number; inFlight: number };
}

/** An admitted request. */
export interface Admitted extends LimitStates {
  allowed: true;
  lease: Lease;
}

/** A refused request: nothing was counted. */
export interface Refused extends LimitStates {
  allowed: false;
  /** The limit that refused (the first of requests, tokens, parallel). */
  limit: LimitName;
  /** Whole seconds until a retry can succeed; undefined when the request alone is over its TPM
   * limit (retrying cannot help). */
  retryAfterSeconds?: number;
  /** The tokens the request would have reserved. */
  requestedTokens: number;
}

/** The answer of {@link RateLimiter.acquire}. */
export type Decision = Admitted | Refused;

/** A rate limiter: RPM and TPM over a 60 s sliding window, and parallel requests, per subject
 * (a key id, a team, a key and model…). */
export interface RateLimiter {
  /** Admits (and counts) a request reserving `estimatedTokens`, or refuses it without counting
   * anything. Limits are passed per call, so a changed key takes effect at once. */
  acquire(subject: string, limits: Limits, estimatedTokens: number): Promise<Decision>;
  /** Ends an admitted request: corrects its reservation to `actualTokens` (a refund goes back to
   * the reservation's bucket, an overrun is counted now) and frees its parallel slot. Call it
   * exactly once per lease, failed and cancelled requests included. Never throws. */
  settle(lease: Lease, actualTokens: number): Promise<void>;
  /** What backs it, for the start-up log (no secrets). */
  readonly description: string;
  /** Releases connections and timers. */
  close(): Promise<void>;
}

/** A backend's assessment as a {@link Decision}. */
export function decisionOf(
  assessment: Assessment,
  lease: Lease,
  requestedTokens: number,
): Decision {
  const states: LimitStates = {};
  if (assessment.requests) states.requests = assessment.requests;
  if (assessment.tokens) states.tokens = assessment.tokens;
  if (assessment.parallel) states.parallel = assessment.parallel;
  if (assessment.allowed) return { allowed: true, lease, ...states };
  const ms = assessment.retryAfterMs ?? WINDOW_MS;
  return {
    allowed: false,
    limit: assessment.refusedBy ?? "requests",
    retryAfterSeconds: Number.isFinite(ms) ? Math.max(1, Math.ceil(ms / 1000)) : undefined,
    requestedTokens,
    ...states,
  };
}

/**
 * A duration as OpenAI writes `x-ratelimit-reset-*` (Go's format): `12ms` under a second, else
 * hours, minutes and seconds with up to three decimals, e.g. `1s`, `1.5s`, `6m0s`, `1h0m0s`.
 *
 * @example
 * formatDuration(360_000); // "6m0s"
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = `${Number(((total % 60_000) / 1000).toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
}

/**
 * OpenAI's rate-limit headers for a decision: `x-ratelimit-{limit,remaining,reset}-requests`
 * when an RPM limit is set, the `-tokens` trio when a TPM limit is, nothing for an unlimited
 * subject. Remaining counts are after this request (when admitted).
 *
 * @example
 * headersOf(decision)["x-ratelimit-reset-tokens"]; // "6m0s"
 */
export function headersOf(decision: LimitStates): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ["requests", "tokens"] as const) {
    const state = decision[name];
    if (state === undefined) continue;
    headers[`x-ratelimit-limit-${name}`] = String(state.limit);
    headers[`x-ratelimit-remaining-${name}`] = String(state.remaining);
    headers[`x-ratelimit-reset-${name}`] = formatDuration(state.resetMs);
  }
  return headers;
}

/**
 * The 429 of a refused request: kind `rate_limited`, code `rate_limit_exceeded`, a message
 * naming the limit and when to retry (as OpenAI words it), `retryAfterSeconds` for the
 * `Retry-After` header (none when the request alone is over its TPM limit).
 *
 * @example
 * rateLimitError(refused).message; // "Rate limit reached for requests per minute (RPM): limit 60, used 60. Please try again in 12s."
 */
export function rateLimitError(refused: Refused): GatewayError {
  const retry = refused.retryAfterSeconds;
  const again = retry === undefined ? "" : ` Please try again in ${retry}s.`;
  let message: string;
  if (refused.limit === "parallel") {
    const limit = refused.parallel?.limit ?? 0;
    message = `Too many requests in flight: the limit is ${limit} at once.${again}`;
  } else if (refused.limit === "tokens" && retry === undefined) {
    const limit = refused.tokens?.limit ?? 0;
    message = `Request too large for tokens per minute (TPM): limit ${limit}, requested ` +
      `${refused.requestedTokens}. Reduce the input or max_tokens, or ask for a higher limit.`;
  } else if (refused.limit === "tokens") {
    const state = refused.tokens;
    const used = state ? state.limit - state.remaining : 0;
    message = `Rate limit reached for tokens per minute (TPM): limit ${state?.limit ?? 0}, ` +
      `used ${used}, requested ${refused.requestedTokens}.${again}`;
  } else {
    const state = refused.requests;
    const used = state ? state.limit - state.remaining : 0;
    message = `Rate limit reached for requests per minute (RPM): limit ${state?.limit ?? 0}, ` +
      `used ${used}.${again}`;
  }
  return new GatewayError("rate_limited", message, {
    code: "rate_limit_exceeded",
    ...(retry === undefined ? {} : { retryAfterSeconds: retry }),
  });
}

/** The 503 of a limiter that cannot count (Redis unreachable, fail-closed mode). */
export function limiterUnavailableError(cause?: unknown): GatewayError {
  return new GatewayError(
    "unavailable",
    "The rate limiter is unavailable (its Redis cannot be reached); retry shortly.",
    { code: "rate_limiter_unavailable", retryAfterSeconds: 1, cause },
  );
}

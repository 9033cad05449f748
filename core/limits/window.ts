/**
 * The sliding window of the rate limiter, as pure arithmetic shared by every backend (the
 * in-memory table and the Redis script count the same way; see `redis_scripts.ts`).
 *
 * Algorithm: a **bucketed sliding window, counted conservatively**. Time is cut into buckets of
 * {@link BUCKET_MS} (1 s); each subject keeps a request count and a token count per bucket. A
 * decision at time `now` (in bucket `k`) counts buckets `k − 60 … k` — the 61 buckets that
 * overlap the last 60 s, the oldest one whole. Consequences, by construction:
 *
 * - **Never looser than the limit**: in every 60 s interval, admitted requests (and reserved plus
 *   settled tokens) never exceed the limit, since every unit spent in the interval is still counted
 *   when any later request of the interval is decided.
 * - **At most one bucket stricter**: a unit comes back between 60 s and 61 s after it was spent
 *   (not exactly at 60 s), so a client pacing itself at exactly the limit may be told to wait up
 *   to 1 s longer than an exact log would. That is the whole tolerance of the maths; the backends
 *   add none (updates are atomic: a lock per table entry in memory, one Lua script in Redis).
 */

/** Width of one bucket. */
export const BUCKET_MS = 1_000;
/** Length of the window. */
export const WINDOW_MS = 60_000;
/** Buckets counted per decision: those overlapping the last {@link WINDOW_MS}, oldest whole. */
export const SLOTS = WINDOW_MS / BUCKET_MS + 1;

/** The limits of one subject; an absent (or 0) limit is not enforced. */
export interface Limits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute (input + output). */
  tpm?: number;
  /** Requests in flight at once. */
  maxParallel?: number;
}

/** One bucket's counts. */
export interface BucketCount {
  /** The bucket number, `floor(ms / BUCKET_MS)`. */
  bucket: number;
  requests: number;
  tokens: number;
}

/** Which limit refused a request. */
export type LimitName = "requests" | "tokens" | "parallel";

/** Where a subject stands on one per-minute limit. */
export interface WindowState {
  limit: number;
  /** Units still available now (after the request, when it was admitted). */
  remaining: number;
  /** Milliseconds until every unit counted now has left the window ("resets to its initial
   * state", as OpenAI's `x-ratelimit-reset-*` headers mean it); 0 when nothing is counted. */
  resetMs: number;
}

/** The outcome of {@link assess}. */
export interface Assessment {
  allowed: boolean;
  /** The first limit that refused, in the order requests, tokens, parallel. */
  refusedBy?: LimitName;
  /** When refused: milliseconds until a retry can succeed (the longest over every refusing
   * limit); `Infinity` when the request alone exceeds its TPM limit. */
  retryAfterMs?: number;
  requests?: WindowState;
  tokens?: WindowState;
  /** Requests in flight (after the request, when admitted), when a parallel limit is set. */
  parallel?: { limit: number; inFlight: number };
}

/** The bucket a time falls in. */
export function bucketOf(nowMs: number): number {
  return Math.floor(nowMs / BUCKET_MS);
}

/** True while a unit spent in `bucket` still counts at `nowMs`. */
export function counts(bucket: number, nowMs: number): boolean {
  return bucket > bucketOf(nowMs) - SLOTS;
}

/** When the units of `bucket` stop counting. */
export function expiresAt(bucket: number): number {
  return (bucket + SLOTS) * BUCKET_MS;
}

/** The tokens a request reserves at admission: its estimate rounded up, at least 1 (every
 * request uses some), so a spent TPM refuses even a request estimated at 0. */
export function tokenReservation(estimatedTokens: number): number {
  return Number.isFinite(estimatedTokens) ? Math.max(1, Math.ceil(estimatedTokens)) : 1;
}

const active = (limit: number | undefined): limit is number => limit !== undefined && limit > 0;

/**
 * Whether a request reserving `estimatedTokens` is admitted at `nowMs`, given the subject's
 * bucket counts before it (any order; buckets out of the window are ignored) and its in-flight
 * count, and where each limit stands afterwards.
 *
 * @example
 * assess([{ bucket: 0, requests: 2, tokens: 0 }], 500, { rpm: 2 }, 0, 0).refusedBy; // "requests"
 */
export function assess(
  buckets: readonly BucketCount[],
  nowMs: number,
  limits: Limits,
  estimatedTokens: number,
  inFlight: number,
): Assessment {
  const live = buckets.filter((b) => counts(b.bucket, nowMs) && (b.requests > 0 || b.tokens > 0))
    .sort((a, b) => a.bucket - b.bucket);
  const windows: Array<{ name: "requests" | "tokens"; limit: number; need: number; pick: Pick }> =
    [];
  if (active(limits.rpm)) {
    windows.push({ name: "requests", limit: limits.rpm, need: 1, pick: requestsOf });
  }
  if (active(limits.tpm)) {
    const need = tokenReservation(estimatedTokens);
    windows.push({ name: "tokens", limit: limits.tpm, need, pick: tokensOf });
  }
  const refusals: Array<{ name: LimitName; afterMs: number }> = [];
  for (const w of windows) {
    const used = sum(live, w.pick);
    if (used + w.need > w.limit) {
      refusals.push({ name: w.name, afterMs: waitFor(w.limit, used, w.need, live, nowMs, w.pick) });
    }
  }
  if (active(limits.maxParallel) && inFlight >= limits.maxParallel) {
    refusals.push({ name: "parallel", afterMs: BUCKET_MS });
  }
  const allowed = refusals.length === 0;
  const result: Assessment = { allowed };
  if (!allowed) {
    result.refusedBy = refusals[0].name;
    result.retryAfterMs = Math.max(...refusals.map((r) => r.afterMs));
  }
  for (const w of windows) {
    const spent = allowed ? w.need : 0;
    const used = sum(live, w.pick) + spent;
    const last = spent > 0 ? bucketOf(nowMs) : lastWith(live, w.pick);
    result[w.name] = {
      limit: w.limit,
      remaining: Math.max(0, w.limit - used),
      resetMs: used > 0 && last !== undefined ? Math.max(0, expiresAt(last) - nowMs) : 0,
    };
  }
  if (active(limits.maxParallel)) {
    result.parallel = { limit: limits.maxParallel, inFlight: inFlight + (allowed ? 1 : 0) };
  }
  return result;
}

type Pick = (b: BucketCount) => number;
const requestsOf: Pick = (b) => b.requests;
const tokensOf: Pick = (b) => b.tokens;

function sum(buckets: readonly BucketCount[], pick: Pick): number {
  let total = 0;
  for (const b of buckets) total += pick(b);
  return total;
}

function lastWith(
  buckets: readonly BucketCount[],
  pick: Pick,
): number | undefined {
  for (let i = buckets.length - 1; i >= 0; i--) if (pick(buckets[i]) > 0) return buckets[i].bucket;
  return undefined;
}

/** Milliseconds until enough of the oldest buckets have left the window for `need` more units
 * (`Infinity` when `need` alone is over the limit). */
function waitFor(
  limit: number,
  used: number,
  need: number,
  live: readonly BucketCount[],
  nowMs: number,
  pick: Pick,
): number {
  if (need > limit) return Infinity;
  let left = used;
  for (const b of live) {
    left -= pick(b);
    if (left + need <= limit) return Math.max(1, expiresAt(b.bucket) - nowMs);
  }
  return WINDOW_MS; // unreachable with consistent counts; the longest wait there is
}

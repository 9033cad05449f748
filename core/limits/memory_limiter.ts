/**
 * The in-memory rate limiter, shared by every worker of one instance: a fixed-size
 * open-addressing table in a `SharedArrayBuffer` (created once by the launcher, handed to every
 * worker like the connection-limits buffer), so `WORKERS=n` does not multiply the limits.
 *
 * Each entry holds one subject — identified by two independent 32-bit hashes of its name — with
 * its 61 one-second buckets of request and token counts (`window.ts`) and its in-flight count,
 * behind a spin lock (`Atomics.compareExchange`; the critical section is a few hundred
 * nanoseconds of arithmetic and never throws). Decisions are therefore exact across workers: the
 * only tolerance is the window's (a unit comes back 60–61 s after it was spent).
 *
 * Memory is bounded: `capacity` entries of 512 bytes (default 4,096 entries, 2 MiB). A subject
 * probes 32 consecutive entries. An entry whose buckets are all out of the window and that has
 * nothing in flight is idle and is reused by the next new subject. When the probe run holds no
 * free or idle entry, the least recently used entry with nothing in flight is evicted (its
 * subject's window is forgotten, so that subject may get up to one extra minute's worth; counted
 * in {@link MemoryRateLimiter.stats}); when every entry of the run has requests in flight, the
 * request is refused with a 503. Two subjects whose 64-bit hashes collide share one limit (only
 * ever stricter).
 */
import { GatewayError } from "../errors.ts";
import { type Decision, decisionOf, type Lease, type Limits, type RateLimiter } from "./limiter.ts";
import { assess, type BucketCount, bucketOf, counts, SLOTS, tokenReservation } from "./window.ts";

const INSERT_LOCK = 0;
const SEED = 1;
const CAPACITY = 2;
const EVICTIONS = 3;
/** 1 while the instance's Redis is known to be down (see {@link MemoryRateLimiter.noteRedis}). */
const REDIS_DOWN = 4;
const HEADER = 8;

const LOCK = 0;
const TAG = 1;
const CHECK = 2;
/** Newest bucket seen, relative to {@link BUCKET_BASE} (fits an Int32 until 2094). */
const HEAD = 3;
const IN_FLIGHT = 4;
const REQUESTS = 5;
const TOKENS = REQUESTS + SLOTS;
const ENTRY = 128;
// The two rings must fit in the entry (5 + 2 × 61 = 127 words): a longer layout would write an
// entry's newest token buckets over the next entry's lock and tag.
if (TOKENS + SLOTS > ENTRY) throw new Error("rate-limit table entry layout overflows");
const PROBES = 32;
const BUCKET_BASE = 1_767_225_600; // 2026-01-01T00:00:00Z in seconds
const INT_MAX = 0x7fffffff;

/** Default number of subjects the table holds at once. */
export const DEFAULT_CAPACITY = 4_096;

/** A fresh table for `capacity` subjects (with a random hash seed), to share with every worker. */
export function createRateLimitBuffer(capacity = DEFAULT_CAPACITY): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`rate-limit table capacity must be a positive integer, got ${capacity}`);
  }
  const buffer = new SharedArrayBuffer((HEADER + capacity * ENTRY) * 4);
  const words = new Int32Array(buffer);
  words[SEED] = crypto.getRandomValues(new Int32Array(1))[0];
  words[CAPACITY] = capacity;
  return buffer;
}

/** Options of {@link MemoryRateLimiter}. */
export interface MemoryLimiterOptions {
  /** Milliseconds since the epoch; `Date.now` unless a test injects one. */
  clock?: () => number;
}

/** The limiter over a table from {@link createRateLimitBuffer}; one instance per worker. */
export class MemoryRateLimiter implements RateLimiter {
  readonly description = "in memory (shared by this instance's workers)";
  readonly #words: Int32Array;
  readonly #capacity: number;
  readonly #seed: number;
  readonly #clock: () => number;

  constructor(readonly buffer: SharedArrayBuffer, options: MemoryLimiterOptions = {}) {
    this.#words = new Int32Array(buffer);
    this.#capacity = this.#words[CAPACITY];
    this.#seed = this.#words[SEED];
    this.#clock = options.clock ?? Date.now;
  }

  /** Counts an admission synchronously (the backends' shared core; see {@link RateLimiter}). */
  acquireNow(subject: string, limits: Limits, estimatedTokens: number): Decision {
    const now = this.#clock();
    const at = this.#find(subject, bucketOf(now) - BUCKET_BASE, true);
    if (at < 0) {
      throw new GatewayError(
        "unavailable",
        "The rate limiter's table is full of requests in flight; retry shortly.",
        { code: "rate_limiter_unavailable", retryAfterSeconds: 1 },
      );
    }
    const w = this.#words;
    try {
      const nowMs = this.#advance(at, now);
      const reserved = tokenReservation(estimatedTokens);
      const result = assess(this.#buckets(at), nowMs, limits, reserved, w[at + IN_FLIGHT]);
      const bucket = bucketOf(nowMs);
      if (result.allowed) {
        const slot = ring(bucket);
        w[at + REQUESTS + slot] = add(w[at + REQUESTS + slot], 1);
        w[at + TOKENS + slot] = add(w[at + TOKENS + slot], reserved);
        w[at + IN_FLIGHT] += 1;
      }
      return decisionOf(result, { subject, bucket, reserved, via: "memory" }, reserved);
    } finally {
      unlock(w, at + LOCK);
    }
  }

  /** Settles a lease synchronously (see {@link RateLimiter.settle}). */
  settleNow(lease: Lease, actualTokens: number): void {
    const now = this.#clock();
    const at = this.#find(lease.subject, bucketOf(now) - BUCKET_BASE, false);
    if (at < 0) return; // evicted while idle cannot happen with a lease out; nothing to correct
    const w = this.#words;
    try {
      const nowMs = this.#advance(at, now);
      const actual = Number.isFinite(actualTokens) ? Math.max(0, Math.ceil(actualTokens)) : 0;
      const delta = actual - lease.reserved;
      if (delta < 0 && counts(lease.bucket, nowMs)) {
        const slot = at + TOKENS + ring(lease.bucket);
        w[slot] = Math.max(0, w[slot] + delta);
      } else if (delta > 0) {
        const slot = at + TOKENS + ring(bucketOf(nowMs));
        w[slot] = add(w[slot], delta);
      }
      w[at + IN_FLIGHT] = Math.max(0, w[at + IN_FLIGHT] - 1);
    } finally {
      unlock(w, at + LOCK);
    }
  }

  acquire(subject: string, limits: Limits, estimatedTokens: number): Promise<Decision> {
    try {
      return Promise.resolve(this.acquireNow(subject, limits, estimatedTokens));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  settle(lease: Lease, actualTokens: number): Promise<void> {
    this.settleNow(lease, actualTokens);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Records, for every worker of the instance, that Redis went down (`down`) or came back
   * (`up`); true only for the call that changed it — the one worker that logs the change, so an
   * outage is one warning per instance, not one per worker.
   */
  noteRedis(state: "down" | "up"): boolean {
    const [from, to] = state === "down" ? [0, 1] : [1, 0];
    return Atomics.compareExchange(this.#words, REDIS_DOWN, from, to) === from;
  }

  /** Entries in use (holding a subject, idle or not) and evictions so far, over all workers. */
  stats(): { entries: number; capacity: number; evictions: number } {
    let entries = 0;
    for (let i = 0; i < this.#capacity; i++) {
      if (Atomics.load(this.#words, HEADER + i * ENTRY + TAG) !== 0) entries++;
    }
    return {
      entries,
      capacity: this.#capacity,
      evictions: Atomics.load(this.#words, EVICTIONS),
    };
  }

  /** The locked entry of `subject` (found, or with `insert` claimed); -1 when there is none. */
  #find(subject: string, nowRel: number, insert: boolean): number {
    const [tag, check] = hashes(subject, this.#seed);
    const w = this.#words;
    const first = (tag >>> 0) % this.#capacity;
    for (let i = 0; i < PROBES && i < this.#capacity; i++) {
      const at = this.#entry(first + i);
      lock(w, at + LOCK);
      if (w[at + TAG] === tag && w[at + CHECK] === check) return at;
      const empty = w[at + TAG] === 0;
      unlock(w, at + LOCK);
      if (empty) break;
    }
    if (!insert) return -1;
    lock(w, INSERT_LOCK);
    try {
      return this.#insert(first, tag, check, nowRel);
    } finally {
      unlock(w, INSERT_LOCK);
    }
  }

  /** Under the insert lock (only inserters change tags): find again, else claim the first free
   * or idle entry of the run, else evict its least recently used entry with nothing in flight. */
  #insert(first: number, tag: number, check: number, nowRel: number): number {
    const w = this.#words;
    let idle = -1;
    let oldest = -1;
    let oldestHead = Infinity;
    for (let i = 0; i < PROBES && i < this.#capacity; i++) {
      const at = this.#entry(first + i);
      lock(w, at + LOCK);
      if (w[at + TAG] === tag && w[at + CHECK] === check) return at;
      if (w[at + TAG] === 0) return claim(w, at, tag, check, nowRel);
      const quiet = w[at + IN_FLIGHT] === 0;
      if (quiet && idle < 0 && w[at + HEAD] <= nowRel - SLOTS) idle = at;
      if (quiet && w[at + HEAD] < oldestHead) {
        oldest = at;
        oldestHead = w[at + HEAD];
      }
      unlock(w, at + LOCK);
    }
    const victim = idle >= 0 ? idle : oldest;
    if (victim < 0) return -1;
    lock(w, victim + LOCK);
    if (w[victim + IN_FLIGHT] !== 0) {
      unlock(w, victim + LOCK);
      return -1;
    }
    if (victim !== idle || w[victim + HEAD] > nowRel - SLOTS) Atomics.add(w, EVICTIONS, 1);
    return claim(w, victim, tag, check, nowRel);
  }

  #entry(index: number): number {
    return HEADER + (index % this.#capacity) * ENTRY;
  }

  /** Moves a locked entry's head to now, zeroing the buckets that left the ring; returns the
   * time decisions use (now, or the head bucket's start if this worker's clock is behind it). */
  #advance(at: number, now: number): number {
    const w = this.#words;
    const nowRel = bucketOf(now) - BUCKET_BASE;
    const head = w[at + HEAD];
    if (nowRel <= head) return nowRel === head ? now : (head + BUCKET_BASE) * 1000;
    for (let b = head + 1; b <= Math.min(nowRel, head + SLOTS); b++) {
      const slot = ring(b + BUCKET_BASE);
      w[at + REQUESTS + slot] = 0;
      w[at + TOKENS + slot] = 0;
    }
    w[at + HEAD] = nowRel;
    return now;
  }

  /** The non-empty buckets of a locked, advanced entry. */
  #buckets(at: number): BucketCount[] {
    const w = this.#words;
    const head = w[at + HEAD] + BUCKET_BASE;
    const out: BucketCount[] = [];
    for (let j = 0; j < SLOTS; j++) {
      const bucket = head - j;
      const slot = ring(bucket);
      const requests = w[at + REQUESTS + slot];
      const tokens = w[at + TOKENS + slot];
      if (requests !== 0 || tokens !== 0) out.push({ bucket, requests, tokens });
    }
    return out;
  }
}

function claim(w: Int32Array, at: number, tag: number, check: number, nowRel: number): number {
  w.fill(0, at + IN_FLIGHT, at + ENTRY);
  w[at + TAG] = tag;
  w[at + CHECK] = check;
  w[at + HEAD] = nowRel;
  return at;
}

function ring(bucket: number): number {
  return ((bucket % SLOTS) + SLOTS) % SLOTS;
}

function add(value: number, delta: number): number {
  return Math.min(INT_MAX, value + delta);
}

function lock(w: Int32Array, index: number): void {
  while (Atomics.compareExchange(w, index, 0, 1) !== 0) { /* spin: held for well under 1 µs */ }
}

function unlock(w: Int32Array, index: number): void {
  Atomics.store(w, index, 0);
}

/** Two independent 32-bit FNV-1a hashes of a subject, seeded; the first is never 0 (an empty
 * entry's tag). */
function hashes(subject: string, seed: number): [number, number] {
  let a = (seed ^ 0x811c9dc5) | 0;
  let b = (seed ^ 0x2545f491) | 0;
  for (let i = 0; i < subject.length; i++) {
    const c = subject.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a === 0 ? 1 : a, b];
}

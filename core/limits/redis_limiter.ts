/**
 * The Redis rate limiter (`REDIS_URL`): counters shared by every instance, one atomic script
 * per acquire and one per settle (`redis_scripts.ts`), through `ioredis`.
 *
 * Outages: commands are never queued while the connection is down (they fail at once) and time
 * out after `timeoutMs`; the client reconnects in the background. While Redis cannot be reached
 * the limiter either counts in the instance's in-memory table (the default: limits hold per
 * instance; one warning when the outage starts, one info line when Redis is back — once per
 * instance, the workers agreeing through the shared table) or, with
 * `failClosed`, refuses every request with a 503 `rate_limiter_unavailable`. A lease is settled
 * where it was counted; one counted in Redis that cannot be settled there (Redis down) keeps
 * its reservation and in-flight slot until they expire (window: 61 s; in flight: 15 min).
 */
import { Redis } from "ioredis";
import { redactDatabaseUrl } from "../config.ts";
import type { Logger } from "../logger.ts";
import {
  type Decision,
  decisionOf,
  type Lease,
  limiterUnavailableError,
  type Limits,
  type RateLimiter,
} from "./limiter.ts";
import type { MemoryRateLimiter } from "./memory_limiter.ts";
import { ACQUIRE_SCRIPT, SETTLE_SCRIPT } from "./redis_scripts.ts";
import {
  assess,
  BUCKET_MS,
  type BucketCount,
  bucketOf,
  SLOTS,
  tokenReservation,
} from "./window.ts";

/** How long a subject's in-flight counter outlives its last admission. */
export const IN_FLIGHT_TTL_MS = 15 * 60_000;

/** Options of {@link RedisRateLimiter}. */
export interface RedisLimiterOptions {
  /** `redis://` or `rediss://` URL (may hold a password: it is never logged). */
  url: string;
  /** Counts here while Redis cannot be reached (unless `failClosed`). */
  fallback: MemoryRateLimiter;
  /** Refuse requests (503) instead of counting per instance while Redis is down. */
  failClosed?: boolean;
  logger: Logger;
  /** Milliseconds since the epoch passed to the scripts; default: the Redis server's clock. */
  clock?: () => number;
  /** Prefix of every key; default `gw:rl:`. */
  prefix?: string;
  /** A command that has not answered by then counts as an outage; default 500 ms. */
  timeoutMs?: number;
}

type ScriptClient = Redis & {
  gatewayAcquire(...args: Array<string | number>): Promise<[number, number, number, unknown[]]>;
  gatewaySettle(...args: Array<string | number>): Promise<number>;
};

/** The Redis-backed {@link RateLimiter}; call {@link RedisRateLimiter.connect} once. */
export class RedisRateLimiter implements RateLimiter {
  readonly description: string;
  readonly #client: ScriptClient;
  readonly #options: RedisLimiterOptions;
  readonly #prefix: string;
  #down = false;
  #closed = false;
  /** While the first connection is attempted: outages are reported by {@link connect}'s
   * caller (one start-up line), not logged. */
  #starting = false;
  #lastError: unknown;

  constructor(options: RedisLimiterOptions) {
    this.#options = options;
    this.#prefix = options.prefix ?? "gw:rl:";
    const where = redactDatabaseUrl(options.url);
    this.description = `redis ${where}${options.failClosed ? " (fail closed)" : ""}`;
    this.#client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs ?? 500,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(100 * times, 2_000),
    }) as ScriptClient;
    this.#client.defineCommand("gatewayAcquire", { numberOfKeys: 2, lua: ACQUIRE_SCRIPT });
    this.#client.defineCommand("gatewaySettle", { numberOfKeys: 2, lua: SETTLE_SCRIPT });
    this.#client.on("error", (error: Error) => this.#outage(error));
    this.#client.on("ready", () => {
      if (!this.#down) return;
      this.#down = false;
      if (!this.#options.fallback.noteRedis("up")) return; // another worker said so
      this.#options.logger.info("redis: reachable again; rate limits are shared again");
    });
  }

  /** Connects (resolves once ready); rejects with the reason when the first attempt fails —
   * the client keeps retrying in the background either way. */
  async connect(): Promise<void> {
    this.#starting = true;
    try {
      await this.#client.connect();
    } catch (error) {
      this.#down = true; // reported once by the caller; "reachable again" is logged when it is
      this.#options.fallback.noteRedis("down");
      const cause = this.#lastError ?? error;
      throw new Error(cause instanceof Error ? cause.message : String(cause), { cause });
    } finally {
      this.#starting = false;
    }
  }

  /** True while Redis is connected and answering. */
  get reachable(): boolean {
    return this.#client.status === "ready" && !this.#down;
  }

  async acquire(subject: string, limits: Limits, estimatedTokens: number): Promise<Decision> {
    if (this.#client.status === "ready") {
      try {
        return await this.#acquireInRedis(subject, limits, estimatedTokens);
      } catch (error) {
        this.#outage(error);
      }
    } else {
      this.#outage(new Error(`connection ${this.#client.status}`));
    }
    if (this.#options.failClosed) throw limiterUnavailableError();
    return this.#options.fallback.acquireNow(subject, limits, estimatedTokens);
  }

  async settle(lease: Lease, actualTokens: number): Promise<void> {
    if (lease.via === "memory") return this.#options.fallback.settleNow(lease, actualTokens);
    const actual = Number.isFinite(actualTokens) ? Math.max(0, Math.ceil(actualTokens)) : 0;
    // Nothing to free or correct: no second round trip.
    if (!lease.holdsSlot && (!lease.countsTokens || actual === lease.reserved)) return;
    if (this.#client.status !== "ready") return;
    try {
      await this.#client.gatewaySettle(
        ...this.#keys(lease.subject),
        this.#now(),
        lease.bucket,
        actual - lease.reserved,
        BUCKET_MS,
        SLOTS,
        lease.holdsSlot ? 1 : 0,
      );
    } catch (error) {
      this.#outage(error);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#client.disconnect();
    await Promise.resolve();
  }

  async #acquireInRedis(subject: string, limits: Limits, estimatedTokens: number) {
    const reserved = tokenReservation(estimatedTokens);
    const [, now, inFlight, seen] = await this.#client.gatewayAcquire(
      ...this.#keys(subject),
      this.#now(),
      limits.rpm ?? 0,
      limits.tpm ?? 0,
      limits.maxParallel ?? 0,
      reserved,
      BUCKET_MS,
      SLOTS,
      IN_FLIGHT_TTL_MS,
    );
    const result = assess(bucketsOf(seen), now, limits, reserved, inFlight);
    const lease: Lease = {
      subject,
      bucket: bucketOf(now),
      reserved,
      via: "redis",
      holdsSlot: (limits.maxParallel ?? 0) > 0,
      countsTokens: (limits.tpm ?? 0) > 0,
    };
    return decisionOf(result, lease, reserved);
  }

  #keys(subject: string): [string, string] {
    const base = `${this.#prefix}{${subject}}`;
    return [base, `${base}:p`];
  }

  #now(): number {
    return this.#options.clock?.() ?? -1;
  }

  /** Logs the start of an outage once (until Redis is ready again). */
  #outage(error: unknown): void {
    this.#lastError = error;
    if (this.#down || this.#closed || this.#starting) return;
    this.#down = true;
    if (!this.#options.fallback.noteRedis("down")) return; // another worker of the instance did
    const reason = error instanceof Error ? error.message : String(error);
    this.#options.logger.warn(
      `redis: cannot reach ${redactDatabaseUrl(this.#options.url)} (${reason}); ${
        this.#options.failClosed
          ? "requests of rate-limited keys are refused (503) until it is back (REDIS_FAIL_CLOSED)"
          : "rate limits are counted per instance until it is back"
      }`,
    );
  }
}

/** The `{field, count, …}` list of the acquire script as bucket counts. */
function bucketsOf(seen: unknown[]): BucketCount[] {
  const byBucket = new Map<number, BucketCount>();
  for (let i = 0; i + 1 < seen.length; i += 2) {
    const field = String(seen[i]);
    const bucket = Number(field.slice(1));
    const entry = byBucket.get(bucket) ?? { bucket, requests: 0, tokens: 0 };
    if (field[0] === "r") entry.requests = Number(seen[i + 1]);
    else entry.tokens = Number(seen[i + 1]);
    byBucket.set(bucket, entry);
  }
  return [...byBucket.values()];
}

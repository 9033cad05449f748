/**
 * The rate limiter the configuration asks for, for the composition root: without `REDIS_URL` the
 * in-memory table shared by the instance's workers; with it the Redis limiter over that table as
 * its fallback. A Redis that cannot be reached at start is one line: a warning (the instance
 * starts and counts per instance until Redis answers), or with `REDIS_FAIL_CLOSED=true` a
 * {@link LimiterStartError} (the instance does not start).
 */
import { type Config, redactDatabaseUrl } from "../config.ts";
import type { Logger } from "../logger.ts";
import type { RateLimiter } from "./limiter.ts";
import { MemoryRateLimiter } from "./memory_limiter.ts";
import { RedisRateLimiter } from "./redis_limiter.ts";

/** What the limiter is built from (see {@link limitsFromConfig}). */
export interface LimiterSettings {
  redisUrl?: string;
  redisFailClosed: boolean;
}

/** The limiter settings of a parsed configuration (`REDIS_URL`, `REDIS_FAIL_CLOSED`). */
export function limitsFromConfig(config: Config): LimiterSettings {
  return { redisUrl: config.redisUrl, redisFailClosed: config.redisFailClosed };
}

/** Thrown when the instance must not start: Redis unreachable with `REDIS_FAIL_CLOSED=true`. Its
 * message is the one line to print. */
export class LimiterStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LimiterStartError";
  }
}

/** Inputs of {@link openRateLimiter}. */
export interface OpenLimiterOptions {
  settings: LimiterSettings;
  /** The table from `createRateLimitBuffer`, created once by the launcher. */
  buffer: SharedArrayBuffer;
  logger: Logger;
  /** False in every worker but the first, so the start-up line is printed once. */
  announce?: boolean;
  /** Injected clock (tests). */
  clock?: () => number;
  /** Redis command timeout, ms (default 500). */
  redisTimeoutMs?: number;
}

/** Opens this isolate's limiter; throws {@link LimiterStartError} as described above. */
export async function openRateLimiter(options: OpenLimiterOptions): Promise<RateLimiter> {
  const memory = new MemoryRateLimiter(options.buffer, { clock: options.clock });
  const { redisUrl, redisFailClosed } = options.settings;
  if (redisUrl === undefined) return memory;
  const startLogger = options.announce === false ? silent : options.logger;
  const limiter = new RedisRateLimiter({
    url: redisUrl,
    fallback: memory,
    failClosed: redisFailClosed,
    logger: options.logger,
    clock: options.clock,
    timeoutMs: options.redisTimeoutMs,
  });
  try {
    await limiter.connect();
    startLogger.info(`rate limits: ${limiter.description}`);
    return limiter;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const where = redactDatabaseUrl(redisUrl);
    if (redisFailClosed) {
      await limiter.close();
      throw new LimiterStartError(
        `Cannot start: REDIS_URL ${where} cannot be reached (${reason}) and REDIS_FAIL_CLOSED=true`,
      );
    }
    startLogger.warn(
      `REDIS_URL ${where} cannot be reached (${reason}); starting with rate limits counted per ` +
        "instance until it answers (set REDIS_FAIL_CLOSED=true to refuse to start instead)",
    );
    return limiter;
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Retention of stored responses: records expire `RESPONSES_TTL_DAYS` after they were stored
 * (reads already ignore expired ones); this purge removes them for good, once when the store
 * opens and then every hour. The timer never keeps the process alive.
 */
import type { Logger } from "../logger.ts";
import type { Store } from "./store.ts";

/** How often the purge runs after the first one. */
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/** Seconds in a day, for `expiresAt = createdAt + ttlDays * DAY_SECONDS`. */
export const DAY_SECONDS = 86_400;

/** When a record stored at `createdAt` (unix seconds) expires under `RESPONSES_TTL_DAYS`. */
export function expiresAt(createdAt: number, ttlDays: number): number {
  return createdAt + ttlDays * DAY_SECONDS;
}

/** Options of {@link startRetention}. */
export interface RetentionOptions {
  logger: Logger;
  /** Default {@link PURGE_INTERVAL_MS}. */
  intervalMs?: number;
  /** Unix seconds; default the clock. */
  now?: () => number;
}

/** The running purge. */
export interface Retention {
  /** Resolves when the purge started at open has finished (its count; 0 if it failed). */
  readonly first: Promise<number>;
  /** Stops the timer (the store's `close` calls it). */
  stop(): void;
}

/** Purges expired responses now and every `intervalMs` until stopped. A failed purge is
 * logged as a warning and tried again at the next tick. */
export function startRetention(store: Store, options: RetentionOptions): Retention {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  let stopped = false;
  const purge = async (): Promise<number> => {
    if (stopped) return 0;
    try {
      const removed = await store.responses.purgeExpired(now());
      if (removed > 0) {
        options.logger.info("store: purged expired responses", { removed });
      }
      return removed;
    } catch (error) {
      if (!stopped) {
        options.logger.warn("store: purging expired responses failed", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      return 0;
    }
  };
  const first = purge();
  const timer = setInterval(purge, options.intervalMs ?? PURGE_INTERVAL_MS);
  Deno.unrefTimer(timer);
  return {
    first,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

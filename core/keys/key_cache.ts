/**
 * The in-process cache of virtual keys that request authentication reads: every key that is
 * not revoked, by hash, so neither a known nor an unknown key costs a database round trip.
 *
 * It is kept fresh by a cheap poll: {@link KeyRepository.changedSince} reads only the rows
 * written since the last poll (with an overlap for writes that committed late). A lookup older
 * than half the poll interval starts a poll in the background; one older than the whole
 * interval waits for it, so a decision never rests on data older than `pollMs` (2 s by default)
 * — a key revoked, disabled or restricted on any instance is refused everywhere within that
 * time, and an idle instance reads nothing. A miss (a key created a moment ago on another
 * worker or instance, or an unknown key) polls at once too, but misses poll at most once per
 * `missPollMs` (100 ms by default): a new key works at once everywhere, and a flood of unknown
 * keys costs at most ten small reads a second (a new key used during such a flood may need
 * that long). When the store fails, the cache keeps answering from what it has (and retries
 * once per interval, with a warning).
 */
import type { Logger } from "../logger.ts";
import type { KeyRepository, VirtualKeyRecord } from "../store/store.ts";
import { modelAllowlist } from "./glob.ts";

/** A cached key and its compiled model allowlist. */
export interface CachedKey {
  record: VirtualKeyRecord;
  /** Whether the key may use a model id (or alias) as the client asked for it. */
  allows: (model: string) => boolean;
}

/** The cache. */
export interface KeyCache {
  /** The key with this hash, as fresh as the poll interval guarantees, or undefined. */
  lookup(hash: string): Promise<CachedKey | undefined>;
  /** Applies a write this instance made (create, update, revoke) at once. */
  remember(record: VirtualKeyRecord): void;
  /** Polls now (joining a poll in flight). */
  refresh(): Promise<void>;
  /** How many keys are cached. */
  readonly size: number;
}

/** Options of {@link createKeyCache}. */
export interface KeyCacheOptions {
  /** The longest a lookup's data may be out of date; default 2000 ms. */
  pollMs?: number;
  /** The least time between two polls caused by misses; default 100 ms. */
  missPollMs?: number;
  /** How far each poll reads back before the previous one; default 5000 ms. */
  overlapMs?: number;
  /** A monotonic clock in milliseconds; default `performance.now`. */
  clock?: () => number;
  logger?: Logger;
}

/** The default poll interval: the revocation latency the README states. */
export const KEY_POLL_MS = 2_000;

/**
 * Creates a cache over `keys`; nothing is read until the first lookup or refresh.
 *
 * @example
 * const cache = createKeyCache(store.keys); await cache.lookup(hashKey(presented));
 */
export function createKeyCache(keys: KeyRepository, options: KeyCacheOptions = {}): KeyCache {
  const pollMs = options.pollMs ?? KEY_POLL_MS;
  const overlapMs = options.overlapMs ?? 5_000;
  const missPollMs = options.missPollMs ?? 100;
  const clock = options.clock ?? (() => performance.now());
  const byHash = new Map<string, CachedKey>();
  /** The newest `updatedAt` applied per id (revoked ones too), so an older row never wins. */
  const seen = new Map<string, number>();
  let since = 0;
  let loaded = false;
  let polledAt = -Infinity;
  let inFlight: Promise<void> | undefined;
  let loadError: unknown;
  let missPolledAt = -Infinity;

  const apply = (record: VirtualKeyRecord) => {
    if ((seen.get(record.id) ?? -Infinity) > record.updatedAt) return;
    seen.set(record.id, record.updatedAt);
    if (record.revokedAt !== undefined) byHash.delete(record.hash);
    else byHash.set(record.hash, { record, allows: modelAllowlist(record.models) });
  };

  const poll = async () => {
    const started = clock();
    try {
      const { keys: rows, nowMs } = await keys.changedSince(since);
      for (const row of rows) apply(row);
      since = Math.max(0, nowMs - overlapMs);
      loaded = true;
    } catch (error) {
      if (!loaded) {
        loadError = error;
        throw error;
      }
      options.logger?.warn("virtual keys: polling the store failed; using the cached keys", {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      polledAt = started;
    }
  };

  const refresh = () => {
    inFlight ??= poll().finally(() => inFlight = undefined);
    return inFlight;
  };

  return {
    async lookup(hash) {
      const asked = clock();
      const age = asked - polledAt;
      // Never loaded and the last try just failed: fail again without asking the store.
      if (!loaded && age <= pollMs && loadError !== undefined) throw loadError;
      if (!loaded || age > pollMs) await refresh();
      else if (age > pollMs / 2) void refresh().catch(() => {});
      const found = byHash.get(hash);
      // Found, polled during this lookup, or misses polled a moment ago: the answer stands.
      if (found !== undefined || polledAt >= asked || clock() - missPolledAt < missPollMs) {
        return found;
      }
      missPolledAt = clock();
      // A poll in flight may have read before the key was written: poll after it.
      if (inFlight !== undefined) await inFlight.catch(() => {});
      await refresh();
      return byHash.get(hash);
    },
    remember: apply,
    refresh,
    get size() {
      return byHash.size;
    },
  };
}

/**
 * Budgets: what a virtual key spent in its current budget period, known in memory so the check
 * on the request path costs no database round trip, and the 429 `insufficient_quota` of a key
 * that spent its budget.
 *
 * Periods are calendar periods in UTC: `daily` from 00:00, `weekly` from Monday 00:00, `monthly`
 * from the 1st 00:00; a key without a period has one budget for all time. The {@link
 * SpendTracker} holds, per period in use, the sums the store reported at its last read plus the
 * cost of every request this process finished since ({@link SpendTracker.add}), so a request that
 * goes over the budget stops the next one at once on this instance. Other instances' spend
 * arrives with the next read: a check older than `refreshMs` (5 s by default) starts one in the
 * background. Before reading, the tracker flushes this process's pending usage records, so its own
 * requests are never lost between the two; a request finishing during the read may count twice
 * until the read after it (the tracker errs towards refusing early, by one request at most).
 * When the period turns, the sums start again from zero (and a read is started).
 */
import { GatewayError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { UsageRepository } from "../store/store.ts";

/** A budget's reset period (a key without one has one budget for all time). */
export type BudgetPeriod = "daily" | "weekly" | "monthly";

const DAY_MS = 86_400_000;

/**
 * The current period's start and the next reset (unix ms, UTC). Without a period: from the
 * epoch, never reset.
 *
 * @example
 * periodBounds("monthly", Date.UTC(2026, 11, 2, 17)); // { start: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1) }
 */
export function periodBounds(
  period: BudgetPeriod | undefined,
  nowMs: number,
): { start: number; end?: number } {
  const now = new Date(nowMs);
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  switch (period) {
    case "daily":
      return { start: day, end: day + DAY_MS };
    case "weekly": {
      const sinceMonday = (now.getUTCDay() + 6) % 7;
      const start = day - sinceMonday * DAY_MS;
      return { start, end: start + 7 * DAY_MS };
    }
    case "monthly":
      return {
        start: Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1),
        end: Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1),
      };
    default:
      return { start: 0 };
  }
}

/** The store's spend since a time: USD by key id, of every request recorded at or after
 * `fromMs` (unix ms). */
export type SpendSource = (fromMs: number) => Promise<Map<string, number>>;

/**
 * The spend source over the store's usage records: one grouped query by key.
 *
 * @example
 * createSpendTracker({ source: spendFromStore(store.usage), beforeRead: () => writer.flush() });
 */
export function spendFromStore(usage: Pick<UsageRepository, "summarize">): SpendSource {
  return async (from) => {
    const groups = await usage.summarize({ from, groupBy: "key" });
    const sums = new Map<string, number>();
    for (const g of groups) if (g.group !== null) sums.set(g.group, g.cost_usd);
    return sums;
  };
}

/** Options of {@link createSpendTracker}. */
export interface SpendTrackerOptions {
  source: SpendSource;
  /** Runs before each read: flushes this process's pending usage records to the store. */
  beforeRead?: () => Promise<void>;
  /** The oldest a check's sums may be before a read starts; default 5000 ms. */
  refreshMs?: number;
  /** Unix milliseconds (an injected clock in tests); default `Date.now`. */
  now?: () => number;
  logger?: Logger;
}

/** What a key spent, as this process knows it. */
export interface SpendTracker {
  /** USD the key spent in its current `period` (synchronous: the request path calls it). */
  spent(keyId: string, period?: BudgetPeriod): number;
  /** Counts a finished request's cost at once, in every period. */
  add(keyId: string, usd: number): void;
  /** Reads the store's sums for every period in use (joining a read in flight). */
  refresh(): Promise<void>;
}

/** One period's sums. */
interface Window {
  start: number;
  /** As the store reported them at the last read. */
  stored: Map<string, number>;
  /** Added by this process since the last read began. */
  added: Map<string, number>;
  /** Added before the read in flight began (in the store once it ends). */
  reading: Map<string, number>;
}

const ALL_TIME = "all";
type WindowName = BudgetPeriod | typeof ALL_TIME;
/** Every period is read (four grouped queries a read), so any key's first check is right. */
const WINDOWS: readonly WindowName[] = ["daily", "weekly", "monthly", ALL_TIME];

/** How soon a failed read is tried again. */
const RETRY_MS = 1_000;

/** Adds `usd` to `key`'s entry of `sums`. */
const addTo = (sums: Map<string, number>, key: string, usd: number) =>
  sums.set(key, (sums.get(key) ?? 0) + usd);

/**
 * Creates a tracker; nothing is read until {@link SpendTracker.refresh} (await it at start-up)
 * or the first check.
 *
 * @example
 * const spend = createSpendTracker({ source: (from) => usageByKey(store, from) });
 * spend.spent(key.id, "monthly") >= key.maxBudgetUsd; // over budget
 */
export function createSpendTracker(options: SpendTrackerOptions): SpendTracker {
  const refreshMs = options.refreshMs ?? 5_000;
  const now = options.now ?? Date.now;
  const windows = new Map<WindowName, Window>();
  let readAt = -Infinity;
  let inFlight: Promise<void> | undefined;
  let failing = false;

  const current = (name: WindowName): Window => {
    const { start } = periodBounds(name === ALL_TIME ? undefined : name, now());
    let window = windows.get(name);
    if (window === undefined || window.start !== start) {
      window = { start, stored: new Map(), added: new Map(), reading: new Map() };
      windows.set(name, window);
      readAt = -Infinity; // a new period (or one not read yet): read it soon
    }
    return window;
  };

  const read = async () => {
    readAt = now();
    // What was added before the flush is in the store once it resolves: it counts from `reading`
    // until the read replaces `stored`; later adds stay in `added`.
    const reading = [...windows.values()];
    for (const w of reading) [w.reading, w.added] = [w.added, new Map()];
    try {
      await options.beforeRead?.();
      const sums = await Promise.all(reading.map((w) => options.source(w.start)));
      reading.forEach((w, i) => [w.stored, w.reading] = [sums[i], new Map()]);
      if (failing) options.logger?.info("budgets: the store answers again");
      failing = false;
    } catch (error) {
      // Keep counting what this process saw; a check a second later tries again (one warning
      // per outage, not per try).
      for (const w of reading) {
        for (const [key, usd] of w.reading) addTo(w.added, key, usd);
        w.reading = new Map();
      }
      readAt = now() - refreshMs + Math.min(RETRY_MS, refreshMs);
      if (!failing) {
        options.logger?.warn("budgets: reading the spend from the store failed; using local sums", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      failing = true;
    }
  };

  const refresh = () => {
    inFlight ??= read().finally(() => inFlight = undefined);
    return inFlight;
  };
  for (const name of WINDOWS) current(name);

  return {
    spent(keyId, period) {
      const window = current(period ?? ALL_TIME);
      if (now() - readAt > refreshMs) void refresh();
      return (window.stored.get(keyId) ?? 0) + (window.reading.get(keyId) ?? 0) +
        (window.added.get(keyId) ?? 0);
    },
    add(keyId, usd) {
      if (!(usd > 0)) return;
      for (const name of windows.keys()) addTo(current(name).added, keyId, usd);
    },
    refresh,
  };
}

/** A key's budget as the check needs it (a virtual key's `max_budget_usd`, `budget_period`). */
export interface Budget {
  keyId: string;
  keyName: string;
  maxUsd: number;
  period?: BudgetPeriod;
}

/** Dollars as people read them: cents from $1, three significant digits below (`$0.0000117`). */
const usd = (n: number) => `$${n >= 1 ? n.toFixed(2) : String(Number(n.toPrecision(3)))}`;

/**
 * The 429 `insufficient_quota` of a key whose spend reached its budget (OpenAI's code and type
 * for a spent quota), or undefined while it has budget left. Retrying does not help before the
 * reset, which the message names.
 *
 * @example
 * budgetError({ keyId: "key_1", keyName: "ci", maxUsd: 5, period: "daily" }, 5.2, Date.now());
 */
export function budgetError(
  budget: Budget,
  spent: number,
  nowMs: number,
): GatewayError | undefined {
  if (spent < budget.maxUsd) return undefined;
  const { end } = periodBounds(budget.period, nowMs);
  const per = budget.period === undefined ? "" : ` ${budget.period}`;
  const reset = end === undefined
    ? " It has no reset period: ask the gateway's admin to raise it."
    : ` It resets at ${new Date(end).toISOString()}.`;
  return new GatewayError(
    "rate_limited",
    `The key '${budget.keyName}' has spent its${per} budget of ${usd(budget.maxUsd)} ` +
      `(spent ${usd(spent)}).${reset}`,
    { code: "insufficient_quota" },
  );
}

/** What the budget check reads of a request's record (the rate-limit gate's record has it). */
export interface BudgetedRecord {
  virtualKey?: {
    id: string;
    name: string;
    maxBudgetUsd?: number;
    budgetPeriod?: BudgetPeriod;
  };
}

/**
 * The budget check the rate-limit gate runs before counting anything (`core/limits/gate.ts`):
 * a virtual key with `max_budget_usd` that has spent it in its current period is refused with
 * {@link budgetError}; everything else goes on. Synchronous: it reads the tracker's sums only.
 *
 * @example
 * createRequestGate({ limiter, budget: budgetCheck(spend) });
 */
export function budgetCheck(
  spend: SpendTracker,
  now: () => number = Date.now,
): (record: BudgetedRecord) => GatewayError | undefined {
  return ({ virtualKey: key }) => {
    if (key?.maxBudgetUsd === undefined) return undefined;
    const spent = spend.spent(key.id, key.budgetPeriod);
    return budgetError(
      { keyId: key.id, keyName: key.name, maxUsd: key.maxBudgetUsd, period: key.budgetPeriod },
      spent,
      now(),
    );
  };
}

/**
 * What an isolate keeps of usage over its state store: the usage-record writer (batched into
 * `store.usage`; a refused batch is one warning line) and the spend tracker the budget check and
 * `GET /v1/me` read (it flushes the writer before each read of the store). Both are created once
 * per isolate and kept across config reloads; {@link closeUsage} flushes the last records at
 * shutdown, before the store closes.
 */
import type { Logger } from "../core/logger.ts";
import type { Store, UsageRecord } from "../core/store/store.ts";
import { createSpendTracker, spendFromStore, type SpendTracker } from "../core/usage/budget.ts";
import { createUsageWriter, type UsageWriter } from "../core/usage/writer.ts";

/** How long shutdown waits for the last usage records to reach the store. */
const USAGE_CLOSE_MS = 5_000;

/** This isolate's usage writer and spend tracker over `store`. */
export function usageState(
  store: Store,
  logger: Logger,
): { usage: UsageWriter<UsageRecord>; spend: SpendTracker } {
  const usage = createUsageWriter<UsageRecord>({
    sink: (records) => store.usage.insert(records),
    onError: (error, records) =>
      logger.warn("usage records dropped: the state store refused a batch", {
        records,
        error: String(error),
      }),
  });
  const spend = createSpendTracker({
    source: spendFromStore(store.usage),
    beforeRead: () => usage.flush(),
    logger,
  });
  return { usage, spend };
}

/** Flushes the last usage records (for at most {@link USAGE_CLOSE_MS}: a store that hangs must
 * not hold the exit), logging what could not be written. */
export async function closeUsage(usage: UsageWriter<UsageRecord>, logger: Logger): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flushed = await Promise.race([
    usage.close().then(() => true),
    new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), USAGE_CLOSE_MS)),
  ]);
  clearTimeout(timer);
  if (!flushed) {
    logger.warn("usage records not written at shutdown", {
      queued: usage.queued,
      dropped: usage.dropped,
    });
  }
}

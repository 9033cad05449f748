/**
 * The access observer that turns finished API requests into usage records (issue 15). The rule:
 * a request is billable when it reached the router — its access record names the `model` the
 * client asked for — which covers `/v1/chat/completions`, `/v1/messages` (and `count_tokens`),
 * `/v1/responses`, `/v1/embeddings` and the tRPC chat, responses and embeddings procedures, and
 * leaves out health, metrics, models, files, admin calls and requests refused before routing
 * (bad key, bad body). Each gets exactly one record, written when the access-log line is (after
 * the response or stream ended; after failover, for the deployment that answered last), and
 * only queued: the writer sends batches in the background.
 */
import type { SpendTracker } from "../core/usage/budget.ts";
import type { Price } from "../core/usage/prices.ts";
import { type UsageRecord, usageRecord } from "../core/usage/record.ts";
import type { UsageWriter } from "../core/usage/writer.ts";
import type { AccessObserver, AccessRecord } from "./middleware/access_log.ts";

/** Whether a finished request gets a usage record (it reached the router). */
export const billable = (record: AccessRecord): boolean => record.model !== undefined;

/**
 * An observer queuing the usage record of every billable request on `writer`, priced by
 * `price`, timed by `now`; a virtual key's known cost is also counted at once in `spend` (the
 * budgets' sums), before the record reaches the store.
 *
 * @example
 * const observe = usageObserver(writer, priceOf(configured.prices), { spend });
 */
export function usageObserver(
  writer: UsageWriter<UsageRecord>,
  price: (model: string) => Price | undefined,
  options: { now?: () => Date; spend?: SpendTracker } = {},
): AccessObserver {
  const now = options.now ?? (() => new Date());
  const spend = options.spend;
  return (record) => {
    if (!billable(record)) return;
    const row = usageRecord(record, price, now());
    writer.write(row);
    if (spend !== undefined && row.key_id !== null && row.cost_usd !== null) {
      spend.add(row.key_id, row.cost_usd);
    }
  };
}

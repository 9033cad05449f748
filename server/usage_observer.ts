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
import type { Price } from "../core/usage/prices.ts";
import { type UsageRecord, usageRecord } from "../core/usage/record.ts";
import type { UsageWriter } from "../core/usage/writer.ts";
import type { AccessObserver, AccessRecord } from "./middleware/access_log.ts";

/** Whether a finished request gets a usage record (it reached the router). */
export const billable = (record: AccessRecord): boolean => record.model !== undefined;

/**
 * An observer queuing the usage record of every billable request on `writer`, priced by
 * `price`, timed by `now`.
 *
 * @example
 * const observe = usageObserver(writer, priceOf(configured.prices));
 */
export function usageObserver(
  writer: UsageWriter<UsageRecord>,
  price: (model: string) => Price | undefined,
  now: () => Date = () => new Date(),
): AccessObserver {
  return (record) => {
    if (billable(record)) writer.write(usageRecord(record, price, now()));
  };
}

/**
 * The gateway's retry policy and `UPSTREAM_TIMEOUT_MS` for every Bedrock call (Converse,
 * ConverseStream, InvokeModel, InvokeModelWithResponseStream), enforced around the runtime
 * client's `send` (the SDK's own retries are off, `maxAttempts: 1`; its handler's socket timer
 * does not fire under Deno). An attempt of a streaming call lasts until the stream's first event,
 * so errors before it are retried like HTTP errors; after it, the stream is under the idle rule.
 * A JSON answer is read by the SDK itself, so for it the first-byte deadline covers the whole
 * answer.
 */
import type { Logger } from "../../logger.ts";
import { type RetryPolicy, withRetries } from "../retry.ts";
import { mapBedrockError } from "./errors.ts";

// deno-lint-ignore no-explicit-any
type Send = (command: any, options?: { abortSignal?: AbortSignal }) => Promise<any>;

/** Options of {@link withResilientSend}. */
export interface ResilientSendOptions {
  retry: RetryPolicy;
  logger: Logger;
  /** The instance id in log lines; default `bedrock`. */
  provider?: string;
}

/** Keys of SDK outputs that hold an event stream (ConverseStream, InvokeModelWithResponseStream). */
const STREAM_KEYS = ["stream", "body"] as const;

/**
 * Wraps a client so every `send` follows the gateway's retry policy and deadlines; the caller's
 * `abortSignal` still aborts. Errors before the answer (or a stream's first event) are thrown
 * as GatewayErrors; later stream errors are thrown as the SDK threw them (a timeout as a
 * GatewayError).
 *
 * @example
 * const runtime = withResilientSend(new BedrockRuntimeClient({ region, maxAttempts: 1 }),
 *   { retry: { maxRetries: 2, timeoutMs: 600_000 }, logger });
 */
export function withResilientSend<C extends { send: Send }>(
  client: C,
  options: ResilientSendOptions,
): Pick<C, "send"> {
  const send: Send = (command, sendOptions = {}) =>
    withRetries(options.retry, {
      provider: options.provider ?? "bedrock",
      label: "Bedrock",
      logger: options.logger,
      signal: sendOptions.abortSignal,
      mapError: mapBedrockError,
    }, async ({ signal, deadline }) => {
      const response = await client.send(command, { ...sendOptions, abortSignal: signal });
      const key = STREAM_KEYS.find((k) =>
        typeof response?.[k]?.[Symbol.asyncIterator] === "function"
      );
      if (key === undefined) {
        deadline.done();
        return response;
      }
      const iterator: AsyncIterator<unknown> = response[key][Symbol.asyncIterator]();
      const first = await iterator.next();
      deadline.touch();
      response[key] = (async function* () {
        let completed = false;
        try {
          for (let step = first; !step.done; step = await iterator.next()) {
            yield step.value;
            deadline.touch();
          }
          if (deadline.fired) throw deadline.timeoutError();
          completed = true;
        } catch (error) {
          throw deadline.fired ? deadline.timeoutError() : error;
        } finally {
          if (completed) deadline.done();
          else {
            deadline.cancel();
            await iterator.return?.().catch(() => {});
          }
        }
      })();
      return response;
    });
  return { send } as Pick<C, "send">;
}

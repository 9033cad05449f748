/**
 * The usage-record writer: `write` only queues (never on the response's critical path); batches
 * go to the sink in the background, one at a time, every `flushMs` or once `batchSize` records
 * wait. Memory is bounded: while the sink is slow or down, at most `maxQueued` records wait and
 * later ones are dropped and counted (`dropped`, for `/metrics`) — never silently lost. A failed
 * batch is counted as dropped too. `close` flushes what is queued (shutdown).
 */

/** Where batches go (the state store's usage table). */
export type UsageSink<R> = (records: readonly R[]) => Promise<void>;

/** Options of {@link createUsageWriter}. */
export interface UsageWriterOptions<R> {
  sink: UsageSink<R>;
  /** Records per batch (default 500). */
  batchSize?: number;
  /** Longest a record waits before its batch is sent (default 1000 ms). */
  flushMs?: number;
  /** Records kept while the sink is busy (default 50 000). */
  maxQueued?: number;
  /** Told about a failed batch (logged by the caller, once per failure). */
  onError?: (error: unknown, records: number) => void;
}

/** The writer. */
export interface UsageWriter<R> {
  /** Queues a record (O(1), no await). */
  write(record: R): void;
  /** Records dropped so far (queue full, or their batch failed). */
  readonly dropped: number;
  /** Records waiting. */
  readonly queued: number;
  /** Sends everything queued; resolves once the sink has taken it (or failed). */
  flush(): Promise<void>;
  /** Flushes, then stops the timer; later writes are dropped and counted. */
  close(): Promise<void>;
}

/**
 * Creates a writer over `sink`.
 *
 * @example
 * const writer = createUsageWriter({ sink: (rows) => store.usage.insert(rows) });
 * writer.write(record); // returns at once
 */
export function createUsageWriter<R>(options: UsageWriterOptions<R>): UsageWriter<R> {
  const batchSize = options.batchSize ?? 500;
  const flushMs = options.flushMs ?? 1_000;
  const maxQueued = options.maxQueued ?? 50_000;
  let queue: R[] = [];
  let dropped = 0;
  let closed = false;
  let sending: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function sendAll(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.length <= batchSize ? queue : queue.slice(0, batchSize);
      queue = batch === queue ? [] : queue.slice(batchSize);
      try {
        await options.sink(batch);
      } catch (error) {
        dropped += batch.length;
        options.onError?.(error, batch.length);
      }
    }
  }

  function kick(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    sending ??= sendAll().finally(() => {
      sending = undefined;
      // Records written while the last batch was on its way.
      if (queue.length > 0) timer ??= setTimeout(() => void kick(), flushMs);
    });
    return sending;
  }

  return {
    write(record) {
      if (closed || queue.length >= maxQueued) {
        dropped++;
        return;
      }
      queue.push(record);
      if (sending !== undefined) return; // the running send, or its follow-up timer, takes it
      if (queue.length >= batchSize) void kick();
      else timer ??= setTimeout(() => void kick(), flushMs);
    },
    get dropped() {
      return dropped;
    },
    get queued() {
      return queue.length;
    },
    async flush() {
      while (sending !== undefined || queue.length > 0) {
        await (sending ?? kick());
      }
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
    },
    async close() {
      closed = true;
      await this.flush();
    },
  };
}

/**
 * The load generator: a fixed pool of concurrent async workers, each sending requests with
 * `fetch` (keep-alive connection pool) and reading every body fully, until a deadline or a
 * request budget is reached.
 */

/** What to send and for how long. */
export interface LoadSpec {
  url: string;
  body: string;
  headers: Record<string, string>;
  concurrency: number;
  durationMs: number;
  /** Upper bound on requests sent (in addition to the deadline). */
  maxRequests: number;
  /** Checks a 2xx body; a false answer counts the response as an error. */
  validate?: (body: Uint8Array) => boolean;
}

/** What happened. */
export interface LoadResult {
  /** Responses fully read (successful or not). */
  responses: number;
  errors: number;
  /** Latencies of successful responses in ms, sorted ascending. */
  latencies: Float64Array;
  elapsedMs: number;
  /** The first failure, for the report. */
  firstError?: string;
}

/** Value at quantile `q` (0..1) of sorted values (nearest rank). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Runs the load and resolves once every worker has finished its last request. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  let issued = 0;
  let responses = 0;
  let errors = 0;
  let firstError: string | undefined;
  const fail = (message: string) => {
    errors++;
    firstError ??= message;
  };
  const started = performance.now();
  const deadline = started + spec.durationMs;

  async function worker(): Promise<void> {
    while (issued < spec.maxRequests && performance.now() < deadline) {
      issued++;
      const t0 = performance.now();
      try {
        const response = await fetch(spec.url, {
          method: "POST",
          headers: spec.headers,
          body: spec.body,
        });
        const body = new Uint8Array(await response.arrayBuffer());
        const elapsed = performance.now() - t0;
        responses++;
        if (!response.ok) {
          fail(`HTTP ${response.status}: ${new TextDecoder().decode(body.slice(0, 300))}`);
        } else if (spec.validate !== undefined && !spec.validate(body)) {
          fail(`unexpected body: ${new TextDecoder().decode(body.slice(0, 300))}`);
        } else {
          latencies.push(elapsed);
        }
      } catch (error) {
        fail(`fetch failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  await Promise.all(Array.from({ length: spec.concurrency }, () => worker()));
  const elapsedMs = performance.now() - started;
  const sorted = Float64Array.from(latencies).sort();
  return { responses, errors, latencies: sorted, elapsedMs, firstError };
}

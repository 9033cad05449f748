/**
 * Helpers of the upstream fault tests: a bound on how long a step may take (a test that would
 * hang on a missing deadline fails instead), the time a response took, and the gateway's
 * per-attempt log lines.
 */
import type { TestApp } from "./app.ts";

/** Resolves like `promise`, or rejects after `ms` naming `what` (the test fails, not hangs). */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** A response read whole (`text`), with the time from the request to the end of the body. */
export interface Timed {
  status: number;
  headers: Headers;
  text: string;
  /** Milliseconds until the status line (the handler resolved). */
  headMs: number;
  /** Milliseconds until the body ended. */
  totalMs: number;
}

/** Sends a request and reads the whole answer, failing after `limitMs`. */
export async function timed(
  limitMs: number,
  what: string,
  send: () => Promise<Response>,
): Promise<Timed> {
  const started = performance.now();
  return await within(
    limitMs,
    what,
    (async () => {
      const res = await send();
      const headMs = performance.now() - started;
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        text,
        headMs,
        totalMs: performance.now() - started,
      };
    })(),
  );
}

/** The gateway's "upstream attempt failed" log lines. */
export function attemptLogs(gw: TestApp): Array<Record<string, unknown>> {
  return gw.logs().filter((l) => l.msg === "upstream attempt failed");
}

/** Waits (up to 5 s) until `check()` holds; fails naming `what` otherwise. */
export async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited >= 5_000) throw new Error(`${what}: still false after 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

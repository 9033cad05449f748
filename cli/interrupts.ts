/**
 * Ctrl-C as one event however the CLI was started. Under `deno task cli`, one Ctrl-C reaches
 * the CLI twice within a millisecond — once from the terminal (the whole foreground process
 * group gets SIGINT) and once forwarded by the task runner — so SIGINTs arriving within a short
 * window are coalesced into one.
 */

/** SIGINTs closer together than this (ms) count as one Ctrl-C. */
export const INTERRUPT_WINDOW_MS = 50;

/**
 * Wraps `handler` so that calls within `windowMs` of the first of a burst are dropped.
 *
 * @example
 * const once = coalesce(() => n++, 50, () => t);
 * once(); once(); // n === 1 while t has not moved 50 ms on
 */
export function coalesce(
  handler: () => void,
  windowMs = INTERRUPT_WINDOW_MS,
  now: () => number = () => performance.now(),
): () => void {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last < windowMs) return;
    last = t;
    handler();
  };
}

/** Listens for SIGINT with bursts coalesced into one call; returns the function that stops. */
export function onInterrupt(handler: () => void): () => void {
  const listener = coalesce(handler);
  Deno.addSignalListener("SIGINT", listener);
  return () => Deno.removeSignalListener("SIGINT", listener);
}

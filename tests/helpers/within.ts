/**
 * Bounds a promise in a test: it settles as `promise` does, or rejects after `ms`.
 *
 * @example
 * assert.equal(await within(request.outcome), "aborted");
 */
export function within<T>(promise: Promise<T>, ms = 5_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      const timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
      promise.finally(() => clearTimeout(timer)).catch(() => {});
    }),
  ]);
}

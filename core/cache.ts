/**
 * A single-value TTL cache for slow lookups such as model lists.
 */

/**
 * Wraps `load` so its result is reused for `ttlMs`; concurrent callers share one load.
 *
 * @example
 * const models = cached(() => fetchModels(), 300_000); await models(); await models(); // one fetch
 */
export function cached<T>(
  load: () => Promise<T>,
  ttlMs: number,
  now: () => number = Date.now,
): () => Promise<T> {
  let value: { data: T; at: number } | undefined;
  let pending: Promise<T> | undefined;
  return () => {
    if (value !== undefined && now() - value.at < ttlMs) return Promise.resolve(value.data);
    pending ??= load().then((data) => {
      value = { data, at: now() };
      return data;
    }).finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/**
 * OpenAI's rate-limit headers: every answer to a rate-limited request — success, stream, error,
 * the 429 itself — carries `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for the limits
 * that are set, as the rate-limit gate recorded them (`core/limits/gate.ts`). A 429 also carries
 * `Retry-After` (written with the error, `server/errors.ts`).
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types.ts";

/** Sets the request's recorded rate-limit headers once the handler answered. */
export function rateLimitHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const headers = c.var.meta?.rateLimitHeaders;
    if (headers === undefined) return;
    try {
      for (const name in headers) c.res.headers.set(name, headers[name]);
    } catch {
      // An immutable response (none of the gateway's own): it goes out without them.
    }
  };
}

/**
 * Client authentication for `/v1/*`: `Authorization: Bearer <key>` or `x-api-key: <key>`,
 * checked in constant time against every configured key.
 */
import type { MiddlewareHandler } from "hono";
import { type KeyChecker, keyFromHeaders } from "../../core/auth.ts";
import { GatewayError } from "../../core/errors.ts";

/** Rejects requests without a valid client key with 401 `invalid_api_key`. */
export function requireApiKey(check: KeyChecker): MiddlewareHandler {
  return async (c, next) => {
    if (!check(keyFromHeaders(c.req.raw.headers))) {
      throw new GatewayError(
        "auth",
        "Missing or invalid API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.",
      );
    }
    await next();
  };
}

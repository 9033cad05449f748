/**
 * Client authentication for `/v1/*`, `/metrics` and `/admin/*`: `Authorization: Bearer <key>`
 * or `x-api-key: <key>`, resolved by the {@link Authenticator} (static keys in constant time,
 * virtual keys by hash from the in-process cache). The caller's identity and model allowlist go
 * into the request's meta, where the router checks the model and the log records the key id.
 */
import type { MiddlewareHandler } from "hono";
import { keyFromHeaders } from "../../core/auth.ts";
import {
  adminOnlyError,
  type Authenticator,
  invalidKeyError,
  recordCaller,
} from "../../core/keys/authenticate.ts";
import type { AppEnv } from "../types.ts";

/** Rejects requests without a valid client key with 401 `invalid_api_key`. */
export function requireApiKey(authenticate: Authenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = c.var.caller ?? await authenticate(keyFromHeaders(c.req.raw.headers));
    if (caller === undefined) throw invalidKeyError();
    c.set("caller", caller);
    recordCaller(c.var.meta, caller);
    await next();
  };
}

/** After {@link requireApiKey}: refuses a caller that is not the admin with 403
 * `permission_denied`. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.var.caller?.admin !== true) throw adminOnlyError();
    await next();
  };
}

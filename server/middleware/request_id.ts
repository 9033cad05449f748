/**
 * `x-request-id`: echoes a valid incoming id or generates one, on every response.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types.ts";

const VALID_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Sets `c.var.requestId` and the `x-request-id` response header. */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const id = incoming !== undefined && VALID_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    c.set("meta", {});
    await next();
    c.res.headers.set("x-request-id", id);
  };
}

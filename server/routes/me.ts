/**
 * `GET /v1/me`: the caller's own key — allowlist, limits, budget, spend in the current period
 * (`core/usage/me.ts`).
 */
import { Hono } from "hono";
import type { SpendTracker } from "../../core/usage/budget.ts";
import { describeCaller } from "../../core/usage/me.ts";
import type { AppEnv } from "../types.ts";

/** The route, mounted at `/v1/me` (after authentication). */
export function meRoute(spend: SpendTracker | undefined, now = Date.now): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/", (c) => {
    const caller = c.var.caller ?? { kind: "open" as const, admin: true };
    return c.json(describeCaller(caller, spend, now()));
  });
}

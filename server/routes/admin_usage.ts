/**
 * `GET /admin/usage` (issue 15), for the admin key only (the app's `/admin/*` middleware): the
 * usage records' sums over `from`/`to` (ISO 8601 or unix seconds), filtered by `key`, `team`,
 * `model`, grouped by `group_by` (`key`, `team`, `model`, `provider`, `day`).
 */
import { Hono } from "hono";
import type { UsageRepository } from "../../core/store/store.ts";
import { usageReport } from "../../core/usage/report.ts";
import type { AppEnv } from "../types.ts";

/** The usage route, mounted at `/admin/usage`. */
export function adminUsageRoute(usage: UsageRepository): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/", async (c) => c.json(await usageReport(usage, c.req.query())));
}

/**
 * `GET /health`: liveness plus which providers are configured. Needs no key.
 */
import { Hono } from "hono";
import type { AppEnv } from "../types.ts";
import type { HealthReport } from "../../core/health.ts";

/** The health route, mounted at `/health`. */
export function healthRoute(report: () => HealthReport): Hono<AppEnv> {
  return new Hono<AppEnv>().get("/", (c) => c.json(report()));
}

/**
 * `GET /metrics`: Prometheus text exposition format (SPEC §7). Needs the client key when
 * `API_KEY` is set (Prometheus sends it with `authorization: {credentials: …}`).
 */
import { Hono } from "hono";
import { renderPrometheus } from "../../core/metrics.ts";
import type { MetricsSource } from "../metrics_source.ts";
import type { AppEnv } from "../types.ts";

/** Content type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The metrics route, mounted at `/metrics`. */
export function metricsRoute(metrics: MetricsSource): Hono<AppEnv> {
  return new Hono<AppEnv>().get(
    "/",
    async (c) =>
      c.body(renderPrometheus(await metrics.collect()), 200, {
        "content-type": PROMETHEUS_CONTENT_TYPE,
        "cache-control": "no-store",
      }),
  );
}

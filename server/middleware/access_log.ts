/**
 * One structured access-log line per request, written when the response is complete (for
 * streams: when the stream ends).
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { GatewayError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { AppEnv } from "../types.ts";

/** Fields of the access log line. */
export interface AccessRecord {
  request_id: string;
  method: string;
  /** The matched route pattern (`/v1/models/:id`, `/trpc/chat.complete`), or `unmatched`:
   * a bounded label for metrics. */
  route: string;
  /** The request path as sent. */
  path: string;
  status: number;
  duration_ms: number;
  model?: string;
  provider?: string;
  /** The deployment that served (`<provider>/<model>`; for an alias, the one it picked). */
  deployment?: string;
  /** The deployments that failed before, with their reasons. */
  failed_attempts?: readonly { deployment: string; error_code: string; message?: string }[];
  upstream_ms?: number;
  usage?: unknown;
  error_code?: string;
  /** What the gateway changed for the upstream (fields dropped or translated). */
  notes?: string[];
  /** The virtual key's id (never the key), for a request made with one. */
  key_id?: string;
  /** That key's team, when it has one. */
  team?: string;
}

/** Observer hook (metrics) called with every finished request. */
export type AccessObserver = (record: AccessRecord) => void;

/** Label for requests that matched no route (404s of unknown paths). */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * The bounded route label of a request: a route's own label (`c.var.routeLabel`), else the
 * pattern of the first matched handler (middleware skipped; `{regex}` parts of parameters
 * dropped), else `unmatched`.
 *
 * @example
 * routeLabel(c); // "/v1/files/:id/content" for GET /v1/files/file-abc/content
 */
export function routeLabel(c: Context<AppEnv>): string {
  if (c.var.routeLabel !== undefined) return c.var.routeLabel;
  // Middleware are registered for every method and take `next`; handlers do not.
  const handler = matchedRoutes(c).find((r) => r.method !== "ALL" || r.handler.length < 2);
  return handler === undefined ? UNMATCHED_ROUTE : handler.path.replace(/\{[^}]*\}/g, "");
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Logs each request at `info` once the response (or stream) is done. */
export function accessLog(
  logger: Logger,
  observe: AccessObserver = () => {},
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const write = (streamError?: GatewayError) => {
      if (streamError?.kind === "internal") {
        const cause = streamError.cause;
        logger.error("stream failed", {
          request_id: c.var.requestId,
          error: String(cause ?? streamError),
          stack: cause instanceof Error ? cause.stack : undefined,
        });
      }
      const meta = c.var.meta ?? {};
      const record: AccessRecord = {
        request_id: c.var.requestId,
        method: c.req.method,
        route: routeLabel(c),
        path: c.req.path,
        status: c.res.status,
        duration_ms: round(performance.now() - started),
        model: meta.model,
        provider: meta.provider,
        deployment: meta.deployment,
        failed_attempts: meta.failedAttempts,
        upstream_ms: meta.upstreamMs === undefined ? undefined : round(meta.upstreamMs),
        usage: meta.usage,
        error_code: streamError?.code ?? c.var.errorCode,
        notes: meta.notes,
        key_id: meta.key?.id,
        team: meta.key?.team,
      };
      observe(record);
      logger.info("request", { ...record });
    };
    const ended = c.var.streamEnded;
    if (ended === undefined) write();
    else ended.then(write);
  };
}

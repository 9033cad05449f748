/**
 * One structured access-log line per request, written when the response is complete (for
 * streams: when the stream ends).
 */
import type { MiddlewareHandler } from "hono";
import type { GatewayError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { AppEnv } from "../types.ts";

/** Fields of the access log line. */
export interface AccessRecord {
  request_id: string;
  method: string;
  route: string;
  status: number;
  duration_ms: number;
  model?: string;
  provider?: string;
  upstream_ms?: number;
  usage?: unknown;
  error_code?: string;
}

/** Observer hook (metrics) called with every finished request. */
export type AccessObserver = (record: AccessRecord) => void;

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
        route: c.req.path,
        status: c.res.status,
        duration_ms: round(performance.now() - started),
        model: meta.model,
        provider: meta.provider,
        upstream_ms: meta.upstreamMs === undefined ? undefined : round(meta.upstreamMs),
        usage: meta.usage,
        error_code: streamError?.code ?? c.var.errorCode,
      };
      observe(record);
      logger.info("request", { ...record });
    };
    const ended = c.var.streamEnded;
    if (ended === undefined) write();
    else ended.then(write);
  };
}

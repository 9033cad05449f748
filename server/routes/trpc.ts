/**
 * Mounts the tRPC router at `/trpc/*` (fetch adapter; SSE for subscriptions). Authentication
 * happens inside the procedures so subscriptions can use `connectionParams.apiKey`.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono } from "hono";
import { keyFromHeaders } from "../../core/auth.ts";
import type { Logger } from "../../core/logger.ts";
import { appRouter } from "../../routers/app_router.ts";
import type { RouterDeps } from "../../routers/context.ts";
import type { AppEnv } from "../types.ts";

const PROCEDURES = new Set(Object.keys(appRouter._def.procedures));

/** The tRPC route, mounted at `/trpc`. Known single procedures are labelled `/trpc/<path>` in
 * logs and metrics; anything else (batches, unknown paths) `/trpc/*`. */
export function trpcRoute(deps: RouterDeps, logger: Logger): Hono<AppEnv> {
  return new Hono<AppEnv>().all("/*", (c) => {
    const procedure = c.req.path.slice("/trpc/".length);
    if (PROCEDURES.has(procedure)) c.set("routeLabel", `/trpc/${procedure}`);
    return fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router: appRouter,
      createContext: ({ info }) => {
        const fromParams = info.connectionParams?.apiKey;
        return {
          ...deps,
          apiKey: keyFromHeaders(c.req.raw.headers) ??
            (typeof fromParams === "string" ? fromParams : null),
          signal: c.req.raw.signal,
          meta: c.var.meta,
        };
      },
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          logger.error("trpc procedure failed", {
            request_id: c.var.requestId,
            path,
            error: String(error.cause ?? error),
            stack: (error.cause instanceof Error ? error.cause : error).stack,
          });
        }
        c.set("errorCode", error.code);
      },
    });
  });
}

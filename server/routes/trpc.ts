/**
 * Mounts the tRPC router at `/trpc/*` (fetch adapter; SSE for subscriptions). Authentication
 * happens inside the procedures, except for subscriptions: those are refused with a 401 before
 * their stream starts. The key comes from the `Authorization`/`x-api-key` header; only a
 * subscription's GET (an EventSource, which cannot send headers) may carry it in the URL as
 * `connectionParams.apiKey`.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { Hono } from "hono";
import { keyFromHeaders } from "../../core/auth.ts";
import type { Logger } from "../../core/logger.ts";
import { appRouter } from "../../routers/app_router.ts";
import type { RouterDeps } from "../../routers/context.ts";
import { missingKeyError, trpcErrorReply } from "../../routers/trpc.ts";
import type { AppEnv } from "../types.ts";

const PROCEDURES = new Set(Object.keys(appRouter._def.procedures));
const SUBSCRIPTIONS = new Set(
  // At run time `_def.procedures` is flat: "chat.stream" → the procedure.
  Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)
    .filter(([, procedure]) => procedure._def.type === "subscription")
    .map(([path]) => path),
);

/** `connectionParams.apiKey` from a subscription URL, if it is there and a string. */
function keyFromConnectionParams(url: string): string | null {
  const raw = new URL(url).searchParams.get("connectionParams");
  if (raw === null) return null;
  try {
    const params: unknown = JSON.parse(raw);
    const key = (params as { apiKey?: unknown } | null)?.apiKey;
    return typeof key === "string" ? key : null;
  } catch {
    return null;
  }
}

/** The tRPC route, mounted at `/trpc`. Known single procedures are labelled `/trpc/<path>` in
 * logs and metrics; anything else (batches, unknown paths) `/trpc/*`. */
export function trpcRoute(deps: RouterDeps, logger: Logger): Hono<AppEnv> {
  return new Hono<AppEnv>().all("/*", (c) => {
    const procedure = c.req.path.slice("/trpc/".length);
    if (PROCEDURES.has(procedure)) c.set("routeLabel", `/trpc/${procedure}`);
    const subscription = c.req.method === "GET" && SUBSCRIPTIONS.has(procedure);
    const apiKey = keyFromHeaders(c.req.raw.headers) ??
      (subscription ? keyFromConnectionParams(c.req.url) : null);
    if (subscription && !deps.checkKey(apiKey)) {
      // A 401 before the stream, not a 200 with an UNAUTHORIZED event in it.
      const error = missingKeyError();
      c.set("errorCode", error.code);
      const reply = trpcErrorReply(error, procedure);
      return c.json(reply.body, reply.status as 401);
    }
    return fetchRequestHandler({
      endpoint: "/trpc",
      req: c.req.raw,
      router: appRouter,
      createContext: () => ({ ...deps, apiKey, signal: c.req.raw.signal, meta: c.var.meta }),
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

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
import { GatewayError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import { appRouter } from "../../routers/app_router.ts";
import type { RouterDeps } from "../../routers/context.ts";
import { missingKeyError, trpcErrorReply } from "../../routers/trpc.ts";
import { type BodyLimits, checkDepth, parseJsonText, readBodyBytes } from "../body.ts";
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

/**
 * The request tRPC gets: its body read once under the gateway's limits (size, depth, a cut body
 * as a 400 rather than a 500 inside the adapter), and a query's `input` depth-checked too.
 */
async function boundedRequest(request: Request, limits: BodyLimits): Promise<Request> {
  if (request.body === null) {
    const input = new URL(request.url).searchParams.get("input");
    if (input !== null) checkDepth(parseJsonText(input), limits.maxDepth);
    return request;
  }
  const bytes = await readBodyBytes(request, limits.maxBytes);
  if (bytes.byteLength > 0) {
    checkDepth(parseJsonText(new TextDecoder().decode(bytes)), limits.maxDepth);
  }
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: bytes,
    signal: request.signal,
  });
}

/** A client's mistake (any GatewayError but a gateway bug) is not logged as an error. */
const isGatewayFault = (cause: unknown) =>
  !(cause instanceof GatewayError) || cause.kind === "internal";

/** The tRPC route, mounted at `/trpc`. Known single procedures are labelled `/trpc/<path>` in
 * logs and metrics; anything else (batches, unknown paths) `/trpc/*`. */
export function trpcRoute(deps: RouterDeps, logger: Logger, limits: BodyLimits): Hono<AppEnv> {
  return new Hono<AppEnv>().all("/*", async (c) => {
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
      req: await boundedRequest(c.req.raw, limits),
      router: appRouter,
      createContext: () => ({ ...deps, apiKey, signal: c.req.raw.signal, meta: c.var.meta }),
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR" && isGatewayFault(error.cause)) {
          const original = error.cause instanceof GatewayError
            ? error.cause.cause ?? error.cause
            : error.cause ?? error;
          logger.error("trpc procedure failed", {
            request_id: c.var.requestId,
            path,
            error: String(original),
            stack: original instanceof Error ? original.stack : undefined,
          });
        }
        c.set("errorCode", error.code);
      },
    });
  });
}

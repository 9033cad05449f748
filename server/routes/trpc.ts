/**
 * Mounts the tRPC router at `/trpc/*` (fetch adapter). Authentication happens inside the
 * procedures, except for the streaming ones (`chat.stream`, a POST answered with JSON lines):
 * those are refused with a 401 before their body is read or any stream starts, must be called
 * as streams (`trpc-accept: application/jsonl`), and a call of one that fails before its first
 * chunk is answered with the error's own status, not a 200 stream carrying it. The key comes
 * from the `Authorization`/`x-api-key` header only — never from the URL.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { type Context, Hono } from "hono";
import { keyFromHeaders } from "../../core/auth.ts";
import { clientClosedError, GatewayError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import { appRouter } from "../../routers/app_router.ts";
import type { RouterDeps } from "../../routers/context.ts";
import { STREAMING_PROCEDURES } from "../../routers/streaming.ts";
import { missingKeyError, toTRPCError, trpcErrorReply } from "../../routers/trpc.ts";
import { type BodyLimits, checkDepth, parseJsonText, readBodyBytes } from "../body.ts";
import type { AppEnv } from "../types.ts";
import { settleStreamHead } from "./trpc_stream_head.ts";

const PROCEDURES = new Set(Object.keys(appRouter._def.procedures));

/** The procedure paths of `/trpc/<a>,<b>` (undecodable ones as given). */
function callPaths(path: string): string[] {
  return path.slice("/trpc/".length).split(",").map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
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

/** What the call accepts, read as tRPC reads it: `trpc-accept`, else `accept` listing JSON lines. */
function acceptHeader(headers: Headers): string | null {
  const trpcAccept = headers.get("trpc-accept");
  if (trpcAccept !== null) return trpcAccept;
  const listed = headers.get("accept")?.split(",").some((t) => t.trim() === "application/jsonl");
  return listed ? "application/jsonl" : null;
}

/** Why a POST to a streaming procedure is refused before tRPC runs it, if it is. */
async function refuseStream(request: Request, deps: RouterDeps): Promise<TRPCError | undefined> {
  if (await deps.authenticate(keyFromHeaders(request.headers)) === undefined) {
    return missingKeyError();
  }
  if (acceptHeader(request.headers) !== "application/jsonl") {
    // tRPC would run the call (and start the upstream) before refusing its answer.
    return new TRPCError({
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: "This procedure answers a stream: call it through tRPC's httpBatchStreamLink " +
        "(header trpc-accept: application/jsonl), as createGatewayClient does.",
    });
  }
  return undefined;
}

/** The tRPC route, mounted at `/trpc`. Known single procedures are labelled `/trpc/<path>` in
 * logs and metrics; anything else (batches, unknown paths) `/trpc/*`. */
export function trpcRoute(deps: RouterDeps, logger: Logger, limits: BodyLimits): Hono<AppEnv> {
  return new Hono<AppEnv>().all("/*", async (c) => {
    const paths = callPaths(c.req.path);
    if (paths.length === 1 && PROCEDURES.has(paths[0])) c.set("routeLabel", `/trpc/${paths[0]}`);
    const streaming = c.req.method === "POST" && paths.some((p) => STREAMING_PROCEDURES.has(p));
    if (streaming) {
      const refused = await refuseStream(c.req.raw, deps);
      if (refused !== undefined) {
        // A 4xx before the stream (and before reading a body of up to MAX_REQUEST_BYTES).
        await c.req.raw.body?.cancel().catch(() => {});
        c.set("errorCode", refused.code);
        const reply = trpcErrorReply(refused, paths.join(","));
        return c.json(reply.body, reply.status as 401);
      }
    }
    const apiKey = keyFromHeaders(c.req.raw.headers);
    const response = await fetchRequestHandler({
      endpoint: "/trpc",
      req: await boundedRequest(c.req.raw, limits),
      router: appRouter,
      // Queries may be POSTs (the typed client sends them so), their input in the body.
      allowMethodOverride: true,
      createContext: () => ({ ...deps, apiKey, signal: c.req.raw.signal, meta: c.var.meta }),
      // A refusal that says when to retry (rate limits, cooldowns) says it as over HTTP.
      responseMeta: ({ errors }) => {
        const wait = errors.map((e) => e.cause).find((cause) =>
          cause instanceof GatewayError && cause.retryAfterSeconds !== undefined
        ) as GatewayError | undefined;
        return wait === undefined
          ? {}
          : { headers: { "retry-after": String(wait.retryAfterSeconds) } };
      },
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
        // A GatewayError thrown mid-stream arrives wrapped as INTERNAL_SERVER_ERROR: log its own.
        c.set(
          "errorCode",
          error.cause instanceof GatewayError ? toTRPCError(error.cause).code : error.code,
        );
      },
    });
    if (!streaming || paths.length !== 1) return response;
    const settled = await settleStreamHead(response);
    if (settled instanceof Response) return loggedAtEnd(c, settled);
    c.set("errorCode", settled.code);
    return c.json(settled.body, settled.status as 400);
  });
}

/**
 * A streamed answer whose access-log line (and so its usage record, with the tokens the stream
 * reported) is written when the stream ends — read to the end, failed, or cancelled by the
 * client (`client_closed`) — not when its head goes out.
 */
function loggedAtEnd(c: Context<AppEnv>, response: Response): Response {
  if (response.body === null) return response;
  let resolve!: (error: GatewayError | undefined) => void;
  c.set("streamEnded", new Promise((r) => (resolve = r)));
  // A client that went away ends the procedure too (its signal): that end is the client's.
  const ended = (error?: GatewayError) =>
    resolve(c.req.raw.signal.aborted ? clientClosedError() : error);
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          controller.close();
          ended();
        } else controller.enqueue(value);
      } catch (error) {
        ended();
        controller.error(error);
      }
    },
    cancel(reason) {
      ended(clientClosedError());
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

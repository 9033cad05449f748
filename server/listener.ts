/**
 * The gateway's own accept loop: `Deno.listen` plus Deno's per-connection HTTP server (the
 * engine `Deno.serve` runs on each connection it accepts, same cost per request), so that, unlike
 * `Deno.serve`, it can
 *
 * - survive running out of file descriptors: a failed `accept` frees a descriptor (closing the
 *   oldest connection that has no request in flight) and backs off, instead of closing the
 *   listener and rejecting `finished`;
 * - bound the open connections per process and per client address ({@link ConnectionLimits}):
 *   at a limit, a new connection takes the place of the oldest one waiting for its first request
 *   headers or idle in keep-alive (of the same address, for the per-address limit); a worker
 *   with none of its own asks the other workers to hand one over (waiting up to 250 ms); with
 *   none anywhere — every place has a request in flight — it is closed at once. So connections
 *   that dribble their headers cannot lock others out;
 * - close a connection whose first request headers have not arrived within `headersTimeoutMs`,
 *   and a keep-alive connection idle for `keepAliveTimeoutMs` (one sweep timer, no timer per
 *   connection);
 * - shut down in two steps: stop accepting and let in-flight requests finish; when the grace
 *   period ends, let the app end its open streams with an error event, then close everything.
 */
import type { Logger } from "../core/logger.ts";
import type { Admission, ConnectionLimits } from "./conn_limits.ts";
import { listenWithDenoServe } from "./listener_fallback.ts";

/** A fetch handler as `Deno.serve` calls it. */
export type ConnectionHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal,
  handler: ConnectionHandler,
  onError: (error: unknown) => Response,
  onListen: (scheme: string) => void,
) => Deno.HttpServer<Deno.NetAddr>;

/** Deno's per-connection server (`serveHttpOnConnection`), present in Deno's internals since
 * Deno 1.35 and used by Deno itself; undefined if a Deno release stops exposing it. */
function serveOnConnection(): ServeOnConnection | undefined {
  const deno = Deno as unknown as Record<PropertyKey, unknown> & { internal: symbol };
  const internal = deno[deno.internal] as { serveHttpOnConnection?: unknown } | undefined;
  const serve = internal?.serveHttpOnConnection;
  return typeof serve === "function" ? serve as ServeOnConnection : undefined;
}

/** Options of {@link listen}. */
export interface ListenOptions {
  hostname: string;
  port: number;
  /** SO_REUSEPORT, for several workers on one port. */
  reusePort: boolean;
  limits: ConnectionLimits;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  logger: Logger;
}

/** What {@link listen} returns. */
export interface GatewayListener {
  /** The bound address. */
  readonly addr: Deno.NetAddr;
  /** Open connections of this listener. */
  connections(): number;
  /**
   * Stops accepting, closes connections with no request in flight and lets in-flight requests
   * finish for `graceMs`; then calls `onGraceExpired` (which ends open streams), waits up to
   * `flushMs` for their last events and closes what is still open.
   */
  shutdown(graceMs: number, onGraceExpired: () => void, flushMs?: number): Promise<void>;
}

interface Connection {
  readonly slot: number;
  readonly close: AbortController;
  /** Requests whose response has not been fully sent. */
  inFlight: number;
  /** No request has arrived yet. */
  fresh: boolean;
  /** When it became fresh or idle (ms since the epoch). */
  since: number;
  /** Still counted in the limits. */
  counted: boolean;
  /** Called when a response has been sent (or failed). */
  done: () => void;
  server?: Deno.HttpServer<Deno.NetAddr>;
}

const MAX_BACKOFF_MS = 1_000;
/** A connection that finds the process full with nothing of its own worker to close waits this
 * long for another worker to make room (at most {@link MAX_WAITING_FOR_ROOM} at a time). */
const ROOM_WAIT_MS = 250;
const ROOM_RETRY_MS = 10;
const MAX_WAITING_FOR_ROOM = 32;
const REPORT_EVERY_MS = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const internalError = () =>
  new Response(
    JSON.stringify({
      error: {
        message: "The gateway failed to process the request.",
        type: "api_error",
        param: null,
        code: "internal_error",
      },
    }),
    { status: 500, headers: { "content-type": "application/json" } },
  );

/** True while {@link abortConnection} runs (its abort listeners run synchronously). */
let aborting = false;
let guardInstalled = false;

/**
 * Aborts a connection's server. Deno's abort listener closes the connection, and throws
 * `BadResource` when the peer closed it a moment before (the server's `finished` has not
 * settled yet); an exception in an abort listener is reported as uncaught and would end the
 * worker. Only that error, raised inside this call, is kept from doing so.
 */
export function abortConnection(close: AbortController): void {
  if (!guardInstalled) {
    guardInstalled = true;
    globalThis.addEventListener("error", (event) => {
      if (aborting && event.error instanceof Deno.errors.BadResource) event.preventDefault();
    });
  }
  aborting = true;
  try {
    close.abort();
  } finally {
    aborting = false;
  }
}

/**
 * Listens on `hostname:port` and serves `handler` on every admitted connection. Throws what
 * `Deno.listen` throws (e.g. `Deno.errors.AddrInUse`). On a Deno release without the
 * per-connection server it falls back to `Deno.serve` (see `listener_fallback.ts`) and warns.
 */
export function listen(handler: ConnectionHandler, options: ListenOptions): GatewayListener {
  const serve = serveOnConnection();
  const { limits, logger, headersTimeoutMs, keepAliveTimeoutMs } = options;
  if (serve === undefined) {
    logger.warn(
      "this Deno release does not expose its per-connection HTTP server (tested on Deno 2.9): " +
        "serving with Deno.serve, without MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP, " +
        "HEADERS_TIMEOUT_MS or KEEPALIVE_TIMEOUT_MS",
    );
    return listenWithDenoServe(handler, options, logger);
  }
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
    reusePort: options.reusePort,
  });
  const all = new Set<Connection>();
  // Insertion order is age order: fresh connections are added once; idle ones are re-added
  // (moved to the end) each time they become idle.
  const fresh = new Set<Connection>();
  const idle = new Set<Connection>();
  const shed = { evicted: 0, refused: 0, headersTimeout: 0, idleTimeout: 0, acceptErrors: 0 };
  let lastAcceptError = "";
  let stopping = false;
  let allClosed: (() => void) | undefined;

  const uncount = (c: Connection) => {
    if (!c.counted) return;
    c.counted = false;
    limits.release(c.slot);
  };
  const drop = (c: Connection) => {
    uncount(c);
    fresh.delete(c);
    idle.delete(c);
    abortConnection(c.close);
  };
  const closed = (c: Connection) => {
    uncount(c);
    fresh.delete(c);
    idle.delete(c);
    all.delete(c);
    if (all.size === 0) allClosed?.();
  };
  /** The oldest connection with no request in flight (on `slot`, if given). */
  const oldestWaiting = (slot?: number): Connection | undefined => {
    for (const set of [fresh, idle]) {
      for (const c of set) if (slot === undefined || c.slot === slot) return c;
    }
    return undefined;
  };

  let waitingForRoom = 0;
  const admit = (conn: Deno.TcpConn) => {
    const slot = limits.slotOf(conn.remoteAddr.hostname);
    let admission = limits.acquire(slot);
    if (admission !== "ok") {
      // The newcomer takes the place of the oldest waiting connection (its count moves over).
      const victim = oldestWaiting(admission === "address" ? slot : undefined);
      if (victim !== undefined && limits.transfer(victim.slot, slot) === "ok") {
        victim.counted = false;
        drop(victim);
        shed.evicted++;
        admission = "ok";
      }
    }
    if (admission === "ok") serveConnection(conn, slot);
    else if (admission === "total" && waitingForRoom < MAX_WAITING_FOR_ROOM) {
      void waitForRoom(conn, slot);
    } else refuse(conn);
  };
  const refuse = (conn: Deno.TcpConn) => {
    shed.refused++;
    conn.close();
  };
  /** The process is full and this worker has nothing to close: ask the others, then retry. */
  const waitForRoom = async (conn: Deno.TcpConn, slot: number) => {
    waitingForRoom++;
    limits.requestRoom();
    const deadline = Date.now() + ROOM_WAIT_MS;
    let admission: Admission | undefined;
    while (!stopping && admission === undefined && Date.now() < deadline) {
      await sleep(ROOM_RETRY_MS);
      admission = limits.takeRoom(slot);
    }
    waitingForRoom--;
    if (admission === undefined) limits.cancelRoom();
    if (admission !== "ok") return refuse(conn);
    if (stopping) {
      limits.release(slot);
      return conn.close();
    }
    try {
      serveConnection(conn, slot);
    } catch (error) {
      logger.error("could not serve a connection", { error: String(error) });
    }
  };
  /** Hands the place of this worker's oldest waiting connection to a worker that asks. */
  const handingOver = (async () => {
    while (!stopping) {
      const victim = limits.roomRequests() > 0 ? oldestWaiting() : undefined;
      if (victim === undefined) {
        await limits.roomRequestsChange(1_000);
      } else if (limits.claimRoomRequest()) {
        victim.counted = false;
        limits.handOver(victim.slot);
        drop(victim);
        shed.evicted++;
      }
    }
  })();

  const serveConnection = (conn: Deno.TcpConn, slot: number) => {
    const c: Connection = {
      slot,
      close: new AbortController(),
      inFlight: 0,
      fresh: true,
      since: Date.now(),
      counted: true,
      done: () => {
        if (--c.inFlight === 0 && c.counted && !stopping) {
          c.since = Date.now();
          idle.add(c);
        }
      },
    };
    const onRequest: ConnectionHandler = (request, info) => {
      if (c.inFlight++ === 0) {
        if (c.fresh) {
          c.fresh = false;
          fresh.delete(c);
        } else idle.delete(c);
      }
      info.completed.then(c.done, c.done);
      return handler(request, info);
    };
    all.add(c);
    fresh.add(c);
    try {
      c.server = serve(conn, c.close.signal, onRequest, internalError, () => {});
    } catch (error) {
      closed(c);
      conn.close();
      throw error;
    }
    c.server.finished.then(() => closed(c), () => closed(c));
  };

  const accepting = (async () => {
    let backoff = 0;
    while (!stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping || error instanceof Deno.errors.BadResource) break;
        // Out of descriptors (EMFILE/ENFILE) or a transient failure: free one and back off.
        shed.acceptErrors++;
        lastAcceptError = String(error);
        const victim = oldestWaiting();
        if (victim !== undefined) {
          drop(victim);
          shed.evicted++;
        }
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(10, backoff * 2));
        await sleep(backoff);
        continue;
      }
      backoff = 0;
      try {
        admit(conn);
      } catch (error) {
        logger.error("could not serve a connection", { error: String(error) });
      }
    }
  })();

  let lastReport = Date.now();
  const sweep = () => {
    const now = Date.now();
    for (const c of fresh) {
      if (now - c.since < headersTimeoutMs) break;
      drop(c);
      shed.headersTimeout++;
    }
    for (const c of idle) {
      if (now - c.since < keepAliveTimeoutMs) break;
      drop(c);
      shed.idleTimeout++;
    }
    if (now - lastReport >= REPORT_EVERY_MS) {
      lastReport = now;
      if (shed.evicted + shed.refused + shed.acceptErrors + shed.headersTimeout > 0) {
        logger.warn("connections shed", {
          evicted: shed.evicted,
          refused: shed.refused,
          headers_timeout: shed.headersTimeout,
          accept_errors: shed.acceptErrors,
          ...(shed.acceptErrors > 0 ? { accept_error: lastAcceptError } : {}),
          open: limits.open(),
          max_connections: limits.maxConnections,
          max_connections_per_ip: limits.maxPerAddress,
        });
      }
      shed.evicted =
        shed.refused =
        shed.headersTimeout =
        shed.idleTimeout =
          0;
      shed.acceptErrors = 0;
    }
  };
  const sweepEveryMs = Math.max(
    25,
    Math.min(1_000, Math.floor(Math.min(headersTimeoutMs, keepAliveTimeoutMs) / 4)),
  );
  const sweeper = setInterval(sweep, sweepEveryMs);

  /** Resolves when every connection has closed, or after `ms`. */
  const whenAllClosed = (ms: number) =>
    all.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      allClosed = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  return {
    addr: listener.addr,
    connections: () => all.size,
    async shutdown(graceMs, onGraceExpired, flushMs = 1_000) {
      stopping = true;
      listener.close();
      limits.wake();
      await Promise.all([accepting, handingOver]);
      for (const c of [...fresh, ...idle]) drop(c);
      // The rest finish their in-flight requests; keep-alive is off from now on.
      for (const c of all) c.server?.shutdown().catch(() => {});
      await whenAllClosed(graceMs);
      if (all.size > 0) {
        onGraceExpired();
        await whenAllClosed(flushMs);
      }
      for (const c of all) drop(c);
      clearInterval(sweeper);
    },
  };
}

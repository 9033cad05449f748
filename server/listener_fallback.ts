/**
 * The listener used when Deno does not expose its per-connection server: plain `Deno.serve`,
 * which cannot bound connections or enforce the headers deadline, but is kept serving when it
 * runs out of file descriptors (its accept loop then rejects `finished` and closes the listener:
 * it is started again after a back-off). `main.ts` warns that the limits are not enforced.
 */
import type { Logger } from "../core/logger.ts";
import type { ConnectionHandler, GatewayListener, ListenOptions } from "./listener.ts";

const MAX_BACKOFF_MS = 1_000;

/** Serves `handler` with `Deno.serve`, restarting it after an accept failure. */
export function listenWithDenoServe(
  handler: ConnectionHandler,
  options: ListenOptions,
  logger: Logger,
): GatewayListener {
  const stop = new AbortController();
  let stopping = false;
  let inFlight = 0;
  let backoff = 10;
  const counted: ConnectionHandler = async (request, info) => {
    inFlight++;
    try {
      return await handler(request, info);
    } finally {
      inFlight--;
    }
  };
  const start = (port: number): Deno.HttpServer<Deno.NetAddr> => {
    const server = Deno.serve({
      hostname: options.hostname,
      port,
      reusePort: options.reusePort,
      signal: stop.signal,
      onListen: () => {},
    }, counted);
    server.finished.then(() => {}, (error) => {
      if (stopping) return;
      logger.warn("accept failed; serving again after a pause", {
        error: String(error),
        retry_in_ms: backoff,
      });
      setTimeout(() => {
        if (!stopping) current = start(port);
      }, backoff);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    });
    return server;
  };
  let current = start(options.port);
  const addr = current.addr;
  return {
    addr,
    connections: () => inFlight,
    async shutdown(graceMs, onGraceExpired, flushMs = 1_000) {
      stopping = true;
      let done = false;
      const finished = current.shutdown().then(() => void (done = true), () => void (done = true));
      const within = async (ms: number) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([finished, new Promise((r) => timer = setTimeout(r, ms))]);
        clearTimeout(timer);
      };
      await within(graceMs);
      if (done) return;
      onGraceExpired();
      await within(flushMs);
      if (!done) stop.abort(); // force-close what is still open
    },
  };
}

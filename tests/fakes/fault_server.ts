/**
 * An upstream that misbehaves at the transport level, for fault tests of any provider (point
 * `OPENAI_BASE_URL` or `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` at it): a raw TCP HTTP/1.1 server that
 * plays one scripted fault per request and counts the attempts it saw.
 *
 * - `reset`: the request head is read, then the socket is closed without a byte of answer (the
 *   unread body makes the kernel send a RST).
 * - `hang`: the request is read and never answered.
 * - `stall`: a status line, headers and the first bytes of a body are sent, then silence.
 * - `respond`: an ordinary answer (status, headers, body), e.g. to end a retry sequence.
 *
 * With the script empty every request gets `reset`. Hanging and stalled connections are held
 * until the client closes them (recorded as `aborted`) or the server closes.
 *
 * @example
 * await using faults = startFaultServer();
 * faults.script({ kind: "reset" }, { kind: "respond", status: 200, body: "{}" });
 * // OPENAI_BASE_URL=`${faults.url}/v1` …
 * faults.requests.length; // attempts seen
 */
import { ConnReader } from "./http1_server.ts";

/** One scripted fault. */
export type Fault =
  | { kind: "reset" }
  | { kind: "hang" }
  | {
    kind: "stall";
    status?: number;
    headers?: Record<string, string>;
    /** Sent right after the headers; then nothing more. */
    body: string;
  }
  | {
    kind: "respond";
    status?: number;
    headers?: Record<string, string>;
    body: string;
    /** Sent with `transfer-encoding: chunked` (no length announced) instead of `content-length`. */
    chunked?: boolean;
  };

/** A request the server saw. */
export interface FaultRequest {
  method: string;
  path: string;
  /** The fault played. */
  fault: Fault["kind"];
  /** `performance.now()` when the request head arrived. */
  at: number;
  /** True once the client closed a hanging or stalled connection. */
  aborted: boolean;
}

/** A running fault server. */
export interface FaultServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request, in arrival order (the attempts). */
  requests: FaultRequest[];
  /** Queues faults, one per request. */
  script(...faults: Fault[]): void;
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

function head(status: number, headers: Record<string, string>): string {
  let out = `HTTP/1.1 ${status} Status\r\nconnection: close\r\n`;
  for (const [key, value] of Object.entries(headers)) out += `${key}: ${value}\r\n`;
  return `${out}\r\n`;
}

/** Starts the server on `127.0.0.1` with a free port. */
export function startFaultServer(): FaultServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const queue: Fault[] = [];
  const requests: FaultRequest[] = [];
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();

  /** Resolves when the client closes the connection (or the server closes it). */
  async function untilClosed(conn: Deno.Conn, rec: FaultRequest): Promise<void> {
    const sink = new Uint8Array(16 * 1024);
    try {
      while ((await conn.read(sink)) !== null) { /* discard the rest of the request */ }
    } catch { /* reset by the client or closed by close() */ }
    rec.aborted = true;
  }

  async function serve(conn: Deno.Conn): Promise<void> {
    try {
      const reader = new ConnReader(conn);
      const bytes = await reader.until(encoder.encode("\r\n\r\n"));
      if (bytes === null) return;
      const [method, path] = decoder.decode(bytes).split("\r\n")[0].split(" ");
      const fault = queue.shift() ?? { kind: "reset" };
      const rec: FaultRequest = {
        method,
        path,
        fault: fault.kind,
        at: performance.now(),
        aborted: false,
      };
      requests.push(rec);
      switch (fault.kind) {
        case "reset":
          return;
        case "hang":
          return await untilClosed(conn, rec);
        case "stall": {
          const headers: Record<string, string> = {
            "content-type": "application/json",
            ...fault.headers,
          };
          headers["content-length"] ??= String(encoder.encode(fault.body).length + 1024);
          await writeAll(conn, encoder.encode(head(fault.status ?? 200, headers) + fault.body));
          return await untilClosed(conn, rec);
        }
        case "respond": {
          const body = encoder.encode(fault.body);
          const headers = {
            "content-type": "application/json",
            ...(fault.chunked
              ? { "transfer-encoding": "chunked" }
              : { "content-length": String(body.length) }),
            ...fault.headers,
          };
          await writeAll(conn, encoder.encode(head(fault.status ?? 200, headers)));
          if (!fault.chunked) return await writeAll(conn, body);
          for (let at = 0; at < body.length; at += 16_384) {
            const part = body.subarray(at, at + 16_384);
            await writeAll(conn, encoder.encode(`${part.length.toString(16)}\r\n`));
            await writeAll(conn, part);
            await writeAll(conn, encoder.encode("\r\n"));
          }
          return await writeAll(conn, encoder.encode("0\r\n\r\n"));
        }
        default: {
          const unknown: never = fault;
          throw new Error(`unknown fault ${JSON.stringify(unknown)}`);
        }
      }
    } catch {
      // the client went away
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }

  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        const task = serve(conn).finally(() => tasks.delete(task));
        tasks.add(task);
      }
    } catch { /* listener closed */ }
  })();

  const server: FaultServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...faults) => void queue.push(...faults),
    async close() {
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      await Promise.all([...tasks]);
    },
    [Symbol.asyncDispose]: () => server.close(),
  };
  return server;
}

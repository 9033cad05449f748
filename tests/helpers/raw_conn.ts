/**
 * Raw TCP connections to a gateway, for what `fetch` cannot do: send half a request and hold
 * it, watch when the server closes a connection, open many connections at once.
 *
 * @example
 * const c = await openRaw(gw.port, "GET /health HTTP/1.1\r\nHo"); // dribbling headers
 * await c.closed; // resolves when the gateway closes it
 */

const encoder = new TextEncoder();

/** A raw connection that reads everything the server sends until it closes. */
export interface RawConn {
  /** Resolves (to `performance.now()`) when the server closed the connection or reset it. */
  closed: Promise<number>;
  /** Whether `closed` has resolved. */
  isClosed(): boolean;
  /** Everything received so far. */
  text(): string;
  write(text: string): Promise<void>;
  /** Closes our side. */
  close(): void;
}

/** Connects to `127.0.0.1:port` and writes `initial` (if any). */
export async function openRaw(port: number, initial = ""): Promise<RawConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let text = "";
  let done = false;
  const decoder = new TextDecoder();
  const closed = (async () => {
    const buffer = new Uint8Array(16_384);
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        text += decoder.decode(buffer.subarray(0, n), { stream: true });
      }
    } catch {
      // reset by the server, or closed by us
    }
    done = true;
    return performance.now();
  })();
  const write = async (s: string) => {
    await conn.write(encoder.encode(s));
  };
  if (initial !== "") await write(initial).catch(() => {});
  return {
    closed,
    isClosed: () => done,
    text: () => text,
    write,
    close: () => {
      try {
        conn.close();
      } catch {
        // already closed
      }
    },
  };
}

/** A complete `GET` request that asks the server to close the connection after answering. */
export function getRequest(port: number, path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
}

/** A complete JSON `POST` request (keep-alive). */
export function postRequest(port: number, path: string, body: unknown): string {
  const json = JSON.stringify(body);
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${
      encoder.encode(json).length
    }\r\n\r\n${json}`;
}

/** `GET /health` on a new connection; the status line's code, or 0 when the connection closed
 * without an answer or nothing came within `timeoutMs`. */
export async function healthStatus(port: number, timeoutMs = 10_000): Promise<number> {
  let c: RawConn;
  try {
    c = await openRaw(port, getRequest(port, "/health"));
  } catch {
    return 0;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([c.closed, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
  c.close();
  await c.closed;
  const match = /^HTTP\/1\.1 (\d{3})/.exec(c.text());
  return match === null ? 0 : Number(match[1]);
}

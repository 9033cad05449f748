/**
 * A minimal HTTP/1.1 server over raw TCP, for fake upstreams that must see exactly when their
 * client gives up.
 *
 * Why not `Deno.serve`: in Deno 2.9 its HTTP/1.1 path does not abort `request.signal` when the
 * client disconnects while the handler is still pending, once the request is more than a few
 * hundred bytes — and "the gateway aborted the upstream call" is precisely what abort and
 * timeout tests need to observe. Here a pending read on the socket sees the client's FIN at once.
 *
 * Supported: one request per connection (`connection: close`), `content-length` and chunked
 * request bodies; JSON-like responses are sent with `content-length`, `text/event-stream`
 * responses (or every response, with `streamAll`) chunked and unbuffered.
 *
 * @example
 * const server = serveHttp1((request, { signal }) => new Response("hi"));
 * await fetch(`http://127.0.0.1:${server.port}/`);
 * await server.close();
 */

/** What the handler learns about its request besides the `Request`. */
export interface Http1Info {
  /** Aborted when the client disconnects before the response was written, or on `close()`. */
  signal: AbortSignal;
  /** `completed` once the whole response was written; `aborted` if the client left first. */
  outcome: Promise<"completed" | "aborted">;
}

/** A request handler. */
export type Http1Handler = (request: Request, info: Http1Info) => Response | Promise<Response>;

/** A running server. */
export interface Http1Server {
  port: number;
  /** Releases pending handlers (their `signal` aborts), closes every connection and the port. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CRLF = encoder.encode("\r\n");
const HOP_BY_HOP = new Set(["content-length", "transfer-encoding", "connection", "keep-alive"]);

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Buffered reads from a connection. */
export class ConnReader {
  #buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  constructor(private readonly conn: Deno.Conn) {}

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(16 * 1024);
    const n = await this.conn.read(chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
    return true;
  }

  /** Bytes up to (excluding) `delimiter`, or null on EOF before it. */
  async until(delimiter: Uint8Array): Promise<Uint8Array<ArrayBuffer> | null> {
    while (true) {
      const at = indexOf(this.#buf, delimiter);
      if (at >= 0) {
        const out = this.#buf.slice(0, at);
        this.#buf = this.#buf.subarray(at + delimiter.length);
        return out;
      }
      if (!await this.#fill()) return null;
    }
  }

  async exactly(n: number): Promise<Uint8Array<ArrayBuffer>> {
    while (this.#buf.length < n) {
      if (!await this.#fill()) throw new Error("connection closed mid-body");
    }
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  async line(): Promise<string> {
    const bytes = await this.until(CRLF);
    if (bytes === null) throw new Error("connection closed mid-body");
    return decoder.decode(bytes);
  }
}

async function readBody(reader: ConnReader, headers: Headers): Promise<Uint8Array<ArrayBuffer>> {
  if (headers.get("transfer-encoding")?.toLowerCase().includes("chunked")) {
    const parts: Uint8Array<ArrayBuffer>[] = [];
    while (true) {
      const size = parseInt((await reader.line()).split(";")[0], 16);
      if (size === 0) {
        while ((await reader.line()) !== "") { /* trailers */ }
        break;
      }
      parts.push(await reader.exactly(size));
      await reader.exactly(2);
    }
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) out.set(p, (at += p.length) - p.length);
    return out;
  }
  return await reader.exactly(Number(headers.get("content-length") ?? "0"));
}

/** Reads one request (head and body); null on EOF before a request head. */
export async function readRequest(
  reader: ConnReader,
  port: number,
): Promise<Request | null> {
  const head = await reader.until(encoder.encode("\r\n\r\n"));
  if (head === null) return null;
  const [requestLine, ...lines] = decoder.decode(head).split("\r\n");
  const [method, target] = requestLine.split(" ");
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const body = await readBody(reader, headers);
  return new Request(`http://127.0.0.1:${port}${target}`, {
    method,
    headers,
    body: method === "GET" || method === "HEAD" || body.length === 0 ? undefined : body,
  });
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

async function writeResponse(
  conn: Deno.Conn,
  response: Response,
  signal: AbortSignal,
  streamAll: boolean,
) {
  const streaming = streamAll ||
    (response.headers.get("content-type") ?? "").includes("text/event-stream");
  let head = `HTTP/1.1 ${response.status} ${response.statusText || "Status"}\r\n`;
  response.headers.forEach((value, key) => {
    if (!HOP_BY_HOP.has(key)) head += `${key}: ${value}\r\n`;
  });
  head += "connection: close\r\n";
  if (!streaming || response.body === null) {
    const body = new Uint8Array(await response.arrayBuffer());
    await writeAll(conn, encoder.encode(`${head}content-length: ${body.length}\r\n\r\n`));
    await writeAll(conn, body);
    return;
  }
  await writeAll(conn, encoder.encode(`${head}transfer-encoding: chunked\r\n\r\n`));
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  signal.addEventListener("abort", cancel, { once: true });
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      if (signal.aborted) throw new Error("client went away");
      await writeAll(conn, encoder.encode(`${value.length.toString(16)}\r\n`));
      await writeAll(conn, value);
      await writeAll(conn, CRLF);
    }
    await writeAll(conn, encoder.encode("0\r\n\r\n"));
  } finally {
    signal.removeEventListener("abort", cancel);
  }
}

/** Options of {@link serveHttp1}. */
export interface Http1Options {
  /** Send every response body chunked as it comes (a proxy relaying streams of any type). */
  streamAll?: boolean;
}

/** Starts the server on `127.0.0.1` with a free port. */
export function serveHttp1(handler: Http1Handler, options: Http1Options = {}): Http1Server {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const closing = new AbortController();
  const connections = new Set<{ conn: Deno.Conn; task: Promise<void> }>();

  async function serveConn(conn: Deno.Conn): Promise<void> {
    const clientGone = new AbortController();
    const signal = AbortSignal.any([clientGone.signal, closing.signal]);
    let settle!: (outcome: "completed" | "aborted") => void;
    const outcome = new Promise<"completed" | "aborted">((resolve) => (settle = resolve));
    let watch: Promise<unknown> = Promise.resolve();
    try {
      const request = await readRequest(new ConnReader(conn), port);
      if (request === null) return;
      // The client sends nothing more (one request per connection): EOF means it left.
      watch = conn.read(new Uint8Array(1)).then(
        (n) => n === null && clientGone.abort(),
        () => clientGone.abort(),
      );
      const response = await handler(request, { signal, outcome });
      await writeResponse(conn, response, clientGone.signal, options.streamAll ?? false);
      settle(clientGone.signal.aborted ? "aborted" : "completed");
    } catch {
      settle("aborted");
    } finally {
      settle("aborted"); // no-op when already settled
      try {
        conn.close();
      } catch { /* already closed */ }
      await watch;
    }
  }

  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        const entry = { conn, task: Promise.resolve() };
        entry.task = serveConn(conn).finally(() => connections.delete(entry));
        connections.add(entry);
      }
    } catch {
      // listener closed
    }
  })();

  return {
    port,
    async close() {
      closing.abort();
      listener.close();
      await accepting;
      await Promise.all([...connections].map((c) => c.task));
    },
  };
}

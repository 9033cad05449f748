/**
 * A tiny HTTP proxy in front of a gateway that records each request's method, URL (path and
 * query, as sent on the wire), headers, body size and answer status, and forwards it unchanged —
 * the answer relayed as it comes, a client that leaves aborting the forwarded request. For
 * checking what a client puts in its URLs. Built on the fakes' raw HTTP/1.1 server (one request
 * per connection), not `Deno.serve`: once a test process has served with `Deno.serve`, the
 * fake upstream of tests/e2e/disconnect_test.ts, run later in that process, no longer sees the
 * gateway leave in time (observed with Deno 2.9; the cause is not known).
 *
 * @example
 * await using proxy = startRecordingProxy(gw.url);
 * createGatewayClient({ url: proxy.url, apiKey: "k" });
 * proxy.requests.map((r) => r.url);
 */
import { serveHttp1 } from "../fakes/http1_server.ts";

/** One request that went through the proxy. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, e.g. `/trpc/chat.stream?batch=1`. */
  url: string;
  headers: Headers;
  /** Bytes of the request body. */
  bodyBytes: number;
  /** The gateway's status (once it answered). */
  status?: number;
}

/** A running proxy. */
export interface RecordingProxy extends AsyncDisposable {
  url: string;
  requests: ProxiedRequest[];
}

/** Starts a proxy on `127.0.0.1` forwarding to `target` (an origin such as `http://…:port`). */
export function startRecordingProxy(target: string): RecordingProxy {
  const requests: ProxiedRequest[] = [];
  const server = serveHttp1(async (request, { signal }) => {
    const url = new URL(request.url);
    const record: ProxiedRequest = {
      method: request.method,
      url: url.pathname + url.search,
      headers: new Headers(request.headers),
      bodyBytes: 0,
    };
    requests.push(record);
    const body = request.body === null ? null : await request.bytes();
    record.bodyBytes = body?.byteLength ?? 0;
    const headers = new Headers(request.headers);
    for (const name of ["host", "content-length", "transfer-encoding", "connection"]) {
      headers.delete(name);
    }
    const response = await fetch(target + record.url, {
      method: request.method,
      headers,
      body,
      signal,
    });
    record.status = response.status;
    return response;
  }, { streamAll: true });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    [Symbol.asyncDispose]: () => server.close(),
  };
}

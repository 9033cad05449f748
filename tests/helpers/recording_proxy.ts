/**
 * A tiny HTTP proxy in front of a gateway that records each request's method, URL (path and
 * query, as sent on the wire), headers, body size and answer status, and forwards it unchanged —
 * the answer streamed back, a client that leaves aborting the forwarded request. For checking
 * what a client puts in its URLs.
 *
 * @example
 * await using proxy = startRecordingProxy(gw.url);
 * createGatewayClient({ url: proxy.url, apiKey: "k" });
 * proxy.requests.map((r) => r.url);
 */

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
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
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
      headers.delete("host");
      const response = await fetch(target + record.url, {
        method: request.method,
        headers,
        body,
        signal: request.signal,
      });
      record.status = response.status;
      return response;
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

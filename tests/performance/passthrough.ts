/**
 * The bare Deno passthrough proxy: the floor for any Deno gateway. Reads the request body,
 * forwards it with `fetch` to the upstream (same path), streams the answer back.
 *
 * Usage: `deno run --allow-net tests/performance/passthrough.ts <upstream-origin>`. Prints
 * `{"port":N}` on stdout once listening.
 */
const upstream = Deno.args[0] ?? "http://127.0.0.1:8001";

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: (addr) => console.log(JSON.stringify({ port: addr.port })),
}, async (request) => {
  const url = new URL(request.url);
  const answer = await fetch(upstream + url.pathname + url.search, {
    method: request.method,
    headers: { "content-type": request.headers.get("content-type") ?? "application/json" },
    body: request.method === "GET" ? undefined : await request.arrayBuffer(),
    signal: request.signal,
  });
  return new Response(answer.body, {
    status: answer.status,
    headers: { "content-type": answer.headers.get("content-type") ?? "application/octet-stream" },
  });
});

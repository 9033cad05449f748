/**
 * The guarded media fetch: address classification, DNS-based refusal, redirects re-checked,
 * size and time limits — against real local HTTP servers (loopback allowed only where the test
 * says so, or where an injected resolver maps a public-looking name to the local server).
 */
import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { createGuardedFetch, type ResolveHost } from "../../../core/net/guarded_fetch.ts";
import { nonPublicReason } from "../../../core/net/ip_ranges.ts";

const PARAM = "messages[0].content[1].image_url";
const PUBLIC_IP = "93.184.216.34";

/** A loopback server; `handler` gets the request and the server's own origin. */
function serve(handler: (request: Request, origin: string) => Response | Promise<Response>) {
  let origin = "";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => handler(request, origin),
  );
  origin = `http://127.0.0.1:${server.addr.port}`;
  return { origin, port: server.addr.port, [Symbol.asyncDispose]: () => server.shutdown() };
}

/**
 * A fetch that sends `*.public.test` names to the local server (as if DNS said so), so
 * "public" hosts can be exercised offline while the guard still checks `resolveHost`'s answer.
 */
function routedFetch(port: number): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname.endsWith(".public.test")) {
      url.hostname = "127.0.0.1";
      url.port = String(port);
    }
    return fetch(url, init);
  };
}

const fakeDns = (table: Record<string, string[]>): ResolveHost => (host) =>
  table[host] === undefined ? Promise.reject(new Error("NXDOMAIN")) : Promise.resolve(table[host]);

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${error}`);
  assert.equal(error.kind, "invalid_request");
  assert.equal(error.param, PARAM);
  return error;
}

const signal = () => new AbortController().signal;

Deno.test("nonPublicReason classifies the refused ranges", async (t) => {
  const rows: Array<[string, string | undefined]> = [
    ["127.0.0.1", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.254", "private"],
    ["172.32.0.1", undefined],
    ["192.168.0.1", "private"],
    ["169.254.169.254", "link-local/metadata"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["100.128.0.1", undefined],
    ["0.0.0.0", "this-network"],
    ["8.8.8.8", undefined],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fc00::1", "unique-local"],
    ["fd00:ec2::254", "unique-local"],
    ["fe80::1", "link-local"],
    ["::ffff:127.0.0.1", "IPv4-mapped"],
    ["::ffff:7f00:1", "IPv4-mapped"],
    ["64:ff9b::10.0.0.1", "private"],
    ["2606:4700:4700::1111", undefined],
    ["example.com", "not an IP address"],
  ];
  for (const [address, expected] of rows) {
    await t.step(address, () => assert.equal(nonPublicReason(address), expected));
  }
});

Deno.test("guarded fetch refuses loopback, private and metadata addresses before connecting", async (t) => {
  let hits = 0;
  await using srv = serve(() => {
    hits++;
    return new Response("x");
  });
  const get = createGuardedFetch({ allowPrivate: false, resolveHost: fakeDns({}) });
  for (
    const url of [
      srv.origin + "/a.png",
      `http://localhost:${srv.port}/a.png`,
      "http://169.254.169.254/latest/meta-data/",
      "http://10.1.2.3/a.png",
      "http://[::1]/a.png",
      "http://[::ffff:127.0.0.1]/a.png",
      "http://2130706433/a.png", // 127.0.0.1 as one integer
      "http://0x7f.1/a.png",
    ]
  ) {
    await t.step(url, async () => {
      const error = await refusal(get(url, PARAM, signal()));
      assert.match(error.message, new RegExp(PARAM.replace(/[[\]]/g, "\\$&")));
    });
  }
  assert.equal(hits, 0);
});

Deno.test("guarded fetch refuses names that resolve to a private address", async () => {
  const get = createGuardedFetch({
    allowPrivate: false,
    resolveHost: fakeDns({ "internal.example": ["93.184.216.34", "192.168.1.10"] }),
  });
  const error = await refusal(get("https://internal.example/cat.png", PARAM, signal()));
  assert.match(error.message, /non-public address \(private\)/);
});

Deno.test("guarded fetch refuses non-http schemes and unresolvable hosts", async () => {
  const get = createGuardedFetch({ allowPrivate: false, resolveHost: fakeDns({}) });
  assert.match((await refusal(get("file:///etc/passwd", PARAM, signal()))).message, /http/);
  assert.match((await refusal(get("ftp://x.example/a", PARAM, signal()))).message, /http/);
  assert.match(
    (await refusal(get("https://nowhere.example/a.png", PARAM, signal()))).message,
    /could not be resolved/,
  );
});

Deno.test("guarded fetch fetches a public host and reports the content type", async () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
  await using srv = serve(() =>
    new Response(png, { headers: { "content-type": "image/png; charset=binary" } })
  );
  const get = createGuardedFetch({
    allowPrivate: false,
    resolveHost: fakeDns({ "cdn.public.test": [PUBLIC_IP] }),
    fetch: routedFetch(srv.port),
  });
  const media = await get("http://cdn.public.test/cat.png", PARAM, signal());
  assert.deepEqual(media.bytes, png);
  assert.equal(media.contentType, "image/png");
});

Deno.test("guarded fetch re-checks every redirect and refuses one to a private address", async () => {
  const seen: string[] = [];
  await using srv = serve((request) => {
    const path = new URL(request.url).pathname;
    seen.push(path);
    if (path === "/to-metadata") {
      return new Response(null, {
        status: 302,
        headers: { location: "http://169.254.169.254/latest/meta-data/iam" },
      });
    }
    if (path === "/to-loopback") {
      return new Response(null, {
        status: 301,
        headers: { location: `http://127.0.0.1:${new URL(request.url).port}/secret` },
      });
    }
    if (path === "/hop") {
      return new Response(null, { status: 307, headers: { location: "/final.png" } });
    }
    if (path === "/loop") {
      return new Response(null, { status: 302, headers: { location: "/loop" } });
    }
    return new Response("final");
  });
  const get = createGuardedFetch({
    allowPrivate: false,
    resolveHost: fakeDns({ "cdn.public.test": [PUBLIC_IP] }),
    fetch: routedFetch(srv.port),
  });
  await refusal(get("http://cdn.public.test/to-metadata", PARAM, signal()));
  const loop = await refusal(get("http://cdn.public.test/to-loopback", PARAM, signal()));
  assert.match(loop.message, /loopback/);
  assert.ok(!seen.includes("/secret"), "the redirect target must not be requested");

  const ok = await get("http://cdn.public.test/hop", PARAM, signal());
  assert.equal(new TextDecoder().decode(ok.bytes), "final");
  assert.equal(ok.url, "http://cdn.public.test/final.png");

  const tooMany = await refusal(get("http://cdn.public.test/loop", PARAM, signal()));
  assert.match(tooMany.message, /more than 3 redirects/);
  assert.equal(seen.filter((p) => p === "/loop").length, 4);
});

Deno.test("guarded fetch enforces the size limit by header and while reading", async () => {
  await using srv = serve((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/declared") return new Response(new Uint8Array(2048));
    // No content-length: a stream of 64 chunks of 1 KiB.
    let sent = 0;
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (sent++ >= 64) controller.close();
          else controller.enqueue(new Uint8Array(1024));
        },
      }),
    );
  });
  const get = createGuardedFetch({ allowPrivate: true, maxBytes: 1000 });
  const declared = await refusal(get(`${srv.origin}/declared`, PARAM, signal()));
  assert.match(declared.message, /larger than 1000 bytes/);
  const streamed = await refusal(get(`${srv.origin}/streamed`, PARAM, signal()));
  assert.match(streamed.message, /larger than 1000 bytes/);
});

Deno.test("guarded fetch times out and reports upstream HTTP errors", async () => {
  const release = new AbortController();
  await using srv = serve(async (request) => {
    if (new URL(request.url).pathname === "/missing") return new Response("no", { status: 404 });
    await new Promise((resolve) => {
      request.signal.addEventListener("abort", resolve, { once: true });
      release.signal.addEventListener("abort", resolve, { once: true });
    });
    return new Response("late");
  });
  const get = createGuardedFetch({ allowPrivate: true, timeoutMs: 100 });
  const started = performance.now();
  const slow = await refusal(get(`${srv.origin}/slow`, PARAM, signal()));
  assert.match(slow.message, /no answer within 100 ms/);
  assert.ok(performance.now() - started < 2000);
  release.abort();
  const missing = await refusal(get(`${srv.origin}/missing`, PARAM, signal()));
  assert.match(missing.message, /status 404/);
});

Deno.test("ALLOW_PRIVATE_IMAGE_URLS lets loopback through", async () => {
  await using srv = serve(() => new Response("local image"));
  const get = createGuardedFetch({ allowPrivate: true });
  const media = await get(`${srv.origin}/a.png`, PARAM, signal());
  assert.equal(new TextDecoder().decode(media.bytes), "local image");
});

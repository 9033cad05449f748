/**
 * SPEC §7: `GET /metrics` (Prometheus text format) moves with traffic — requests by bounded route
 * label, latency histograms, upstream errors, tokens by provider and model — and escapes label
 * values; `GET /openapi.json` documents every mounted route; `GET /docs` is a self-contained page.
 */
import assert from "node:assert/strict";
import { createChatService } from "../../core/chat/service.ts";
import { testRouter } from "../helpers/router.ts";
import { parseConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { createMockProvider } from "../../core/providers/mock/mock_provider.ts";
import { createProviders } from "../../core/providers/registry.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import { createApp } from "../../server/app.ts";
import { errorReply, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { BASE_ENV, chatBody, type TestApp, testApp } from "../helpers/app.ts";

/** One sample line: metric name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text format (enough of it for these tests, escapes included). */
function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `malformed sample line: ${line}`);
    const labels: Record<string, string> = {};
    const pairs = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/g;
    for (const [, key, raw] of (match[2] ?? "").matchAll(pairs)) {
      labels[key] = raw.replace(/\\(.)/g, (_, c: string) => c === "n" ? "\n" : c);
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

async function scrape(gw: TestApp, headers?: HeadersInit): Promise<Sample[]> {
  const res = await gw.get("/metrics", headers);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseSamples(await res.text());
}

/** The value of the one sample with `name` whose labels include `labels` (0 if none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value ?? 0;
}

Deno.test("metrics: counters, histograms and tokens move with chat, 404 and stream", async () => {
  const gw = testApp();
  const before = await scrape(gw);
  assert.equal(value(before, "gateway_requests_total", { route: "/v1/chat/completions" }), 0);

  await (await gw.post("/v1/chat/completions", chatBody("mock-echo", "one two three"))).text();
  await (await gw.get("/no/such/route")).text();
  const streamed = await gw.post(
    "/v1/chat/completions",
    chatBody("mock-echo", "a b", { stream: true }),
  );
  assert.match(await streamed.text(), /\[DONE\]/);

  const after = await scrape(gw);
  const chat = { route: "/v1/chat/completions", method: "POST", status: "200" };
  assert.equal(value(after, "gateway_requests_total", chat), 2);
  assert.equal(
    value(after, "gateway_requests_total", { route: "unmatched", method: "GET", status: "404" }),
    1,
  );
  assert.equal(value(after, "gateway_requests_total", { route: "/metrics", status: "200" }), 1);

  // Histogram: cumulative buckets ending at +Inf = _count; _sum > 0.
  const route = { route: "/v1/chat/completions" };
  const buckets = after.filter((s) =>
    s.name === "gateway_request_duration_seconds_bucket" && s.labels.route === route.route
  );
  assert.ok(buckets.length >= 10);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value);
  assert.equal(buckets.at(-1)?.labels.le, "+Inf");
  assert.equal(buckets.at(-1)?.value, 2);
  assert.equal(value(after, "gateway_request_duration_seconds_count", route), 2);
  assert.ok(value(after, "gateway_request_duration_seconds_sum", route) > 0);

  const mock = { provider: "mock", model: "mock-echo" };
  assert.equal(value(after, "gateway_upstream_duration_seconds_count", mock), 2);
  // Tokens equal the usage the access log recorded for the two chats.
  const usages = gw.accessLogs().filter((l) => l.model === "mock-echo").map((l) =>
    l.usage as { prompt_tokens: number; completion_tokens: number }
  );
  assert.equal(usages.length, 2);
  const sum = (f: "prompt_tokens" | "completion_tokens") => usages.reduce((n, u) => n + u[f], 0);
  assert.ok(sum("prompt_tokens") > 0);
  assert.equal(
    value(after, "gateway_tokens_total", { ...mock, type: "prompt" }),
    sum("prompt_tokens"),
  );
  assert.equal(
    value(after, "gateway_tokens_total", { ...mock, type: "completion" }),
    sum("completion_tokens"),
  );
  assert.equal(after.filter((s) => s.name === "gateway_upstream_errors_total").length, 0);
});

Deno.test("metrics: route labels are patterns, bounded whatever the paths", async () => {
  const gw = testApp();
  for (let i = 0; i < 5; i++) {
    await (await gw.get(`/v1/models/mock-${i}`)).text();
    await (await gw.get(`/v1/files/file-${i}`)).text();
    await (await gw.get(`/random/${i}`)).text();
    await (await gw.request(`/v1/files/file-${i}/content`, { method: "PUT" })).text();
  }
  await (await gw.request("/health", { method: "BREW" })).text(); // methods are bounded too
  const trpc = await gw.post("/trpc/chat.complete", { json: chatBody("mock-echo") });
  assert.equal(trpc.status, 200, await trpc.text());
  await (await gw.post("/trpc/no.such.procedure", {})).text();
  const samples = await scrape(gw);
  const routes = new Set(
    samples.filter((s) => s.name === "gateway_requests_total").map((s) => s.labels.route),
  );
  assert.deepEqual(
    [...routes].sort(),
    [
      "/health",
      "/trpc/*",
      "/trpc/chat.complete",
      "/v1/files/:id",
      "/v1/files/:id/content",
      "/v1/models/:id",
      "unmatched",
    ],
  );
  assert.equal(
    value(samples, "gateway_requests_total", { route: "/v1/models/:id", status: "404" }),
    5,
  );
  assert.equal(value(samples, "gateway_requests_total", { route: "unmatched" }), 5);
  assert.equal(
    value(samples, "gateway_requests_total", { route: "/health", method: "other", status: "405" }),
    1,
  );
  assert.equal(
    value(samples, "gateway_requests_total", { route: "/v1/files/:id/content", status: "405" }),
    5,
  );
  assert.equal(
    value(samples, "gateway_tokens_total", { provider: "mock", type: "prompt" }) > 0,
    true,
  );
});

Deno.test("metrics: upstream errors by provider and code", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  fake.script(errorReply(429, { retryAfter: 1 }), errorReply(500));
  await (await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"))).text();
  await (await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"))).text();
  await (await gw.post("/v1/chat/completions", "{")).text(); // a client error: no provider
  const samples = await scrape(gw);
  const errors = samples.filter((s) => s.name === "gateway_upstream_errors_total");
  assert.deepEqual(
    errors.map((s) => [s.labels.provider, s.labels.code, s.value]).sort(),
    [["openai", "rate_limit_exceeded", 1], ["openai", "upstream_error", 1]],
  );
  assert.equal(
    value(samples, "gateway_upstream_duration_seconds_count", {
      provider: "openai",
      model: "gpt-4o-mini",
    }),
    2,
  );
});

Deno.test("metrics: label values are escaped (quote, backslash, newline)", async () => {
  const gw = testApp();
  const model = 'mock-"quoted"\\back\nline';
  const res = await gw.post("/v1/chat/completions", chatBody(model));
  assert.equal(res.status, 404);
  await res.text();
  const res2 = await gw.get("/metrics");
  const text = await res2.text();
  assert.ok(text.includes('model="mock-\\"quoted\\"\\\\back\\nline"'), text);
  for (const line of text.split("\n")) {
    assert.ok(line === "" || line.startsWith("#") || / \S+$/.test(line), `broken line: ${line}`);
  }
  const samples = parseSamples(text);
  assert.equal(value(samples, "gateway_upstream_duration_seconds_count", { model }), 1);
  assert.equal(
    value(samples, "gateway_upstream_errors_total", { provider: "mock", code: "model_not_found" }),
    1,
  );
});

Deno.test("metrics need the client key when API_KEY is set; docs never do", async () => {
  const gw = testApp({ API_KEY: "k-metrics" });
  const denied = await gw.get("/metrics");
  assert.equal(denied.status, 401);
  assert.equal((await denied.json()).error.code, "invalid_api_key");
  await scrape(gw, { authorization: "Bearer k-metrics" });
  assert.equal((await scrape(gw, { "x-api-key": "k-metrics" })).length > 0, true);
  for (const path of ["/health", "/openapi.json", "/docs"]) {
    const res = await gw.get(path);
    assert.equal(res.status, 200, path);
    await res.body?.cancel();
  }
  const post = await gw.request("/metrics", {
    method: "POST",
    headers: { "x-api-key": "k-metrics" },
  });
  assert.equal(post.status, 405);
  await post.body?.cancel();
});

/** The app itself (not just its fetch), to list what is mounted. */
function bareApp() {
  const config = parseConfig(BASE_ENV);
  const chat = createChatService({
    router: testRouter(
      createProviders([{ id: "mock", kind: "mock", provider: createMockProvider() }]),
    ),
  });
  // With a store, so the routes that need one (stored responses, /admin/keys) are mounted.
  const store = openSqliteStore({ dataDir: Deno.makeTempDirSync({ prefix: "bare-app-" }) });
  return createApp({ config, chat, logger: createLogger("error", () => {}), store });
}

Deno.test("openapi.json: 3.1, every operation has responses, every mounted route documented", async () => {
  const gw = testApp();
  const res = await gw.get("/openapi.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const doc = JSON.parse(await res.text());
  assert.equal(doc.openapi, "3.1.0");
  assert.equal(typeof doc.info.title, "string");
  const methods = ["get", "post", "put", "patch", "delete"];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    const ops = methods.filter((m) => item[m] !== undefined);
    assert.ok(ops.length > 0, `${path} has no operation`);
    for (const m of ops) {
      const responses = (item[m] as { responses?: Record<string, unknown> }).responses ?? {};
      assert.ok(Object.keys(responses).length > 0, `${m} ${path} has no responses`);
    }
  }
  // Every $ref resolves.
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1]);
  assert.ok(refs.length > 10);
  for (const ref of refs) {
    const target = ref.split("/").reduce(
      (o: Record<string, unknown> | undefined, k) => o?.[k] as Record<string, unknown> | undefined,
      doc,
    );
    assert.ok(target !== undefined, `dangling $ref ${ref}`);
  }
  const chatOp = doc.paths["/v1/chat/completions"].post;
  assert.ok(chatOp.parameters.some((p: { name: string }) => p.name === "target_format"));
  assert.ok(doc.components.schemas.ErrorEnvelope);

  const mounted = bareApp().routes
    .filter((r) => r.method !== "ALL" || r.handler.length < 2) // handlers, not middleware
    .filter((r) => !(r.method === "ALL" && r.handler.length === 0)) // 405 fallbacks
    .map((r) => ({
      method: r.method.toLowerCase(),
      path: r.path.replace(/\{[^}]*\}/g, "").replace(/:(\w+)/g, "{$1}")
        .replace(/^\/trpc\/\*$/, "/trpc/{procedure}"),
    }));
  assert.ok(mounted.length >= 14, JSON.stringify(mounted));
  for (const { method, path } of mounted) {
    const item = doc.paths[path];
    assert.ok(item, `route ${path} is not documented`);
    if (method !== "all") assert.ok(item[method], `${method} ${path} is not documented`);
  }
  for (
    const p of ["/metrics", "/health", "/docs", "/openapi.json", "/v1/messages", "/admin/keys"]
  ) {
    assert.ok(mounted.some((r) => r.path === p), `${p} mounted`);
  }
});

Deno.test("docs: self-contained HTML listing every path, nothing remote", async () => {
  const gw = testApp();
  const res = await gw.get("/docs");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  const html = await res.text();
  assert.match(html, /^<!doctype html>/i);
  assert.ok(!/https?:\/\//i.test(html), "no absolute http(s) URL");
  assert.ok(!/<script|<link|<iframe|<img|@import|url\(/i.test(html), "no loaded resources");
  const doc = await (await gw.get("/openapi.json")).json();
  for (const path of Object.keys(doc.paths)) {
    assert.ok(html.includes(`<code>${path}</code>`), `${path} listed`);
  }
  assert.ok(html.includes("curl"));
  assert.ok(html.includes("target_format"));
});

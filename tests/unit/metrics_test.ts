/**
 * The metrics registry (core/metrics.ts): observation → series, Prometheus rendering and
 * escaping, merging, the model-label cap; and server/metrics_source.ts summing the registries of
 * several workers over a BroadcastChannel.
 */
import assert from "node:assert/strict";
import {
  createMetricsRegistry,
  escapeLabelValue,
  mergeSnapshots,
  renderPrometheus,
  type RequestObservation,
} from "../../core/metrics.ts";
import { clusterMetrics } from "../../server/metrics_source.ts";

const chat = (extra: Partial<RequestObservation> = {}): RequestObservation => ({
  method: "POST",
  route: "/v1/chat/completions",
  status: 200,
  duration_ms: 30,
  model: "mock-echo",
  provider: "mock",
  upstream_ms: 20,
  usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
  ...extra,
});

Deno.test("escapeLabelValue", async (t) => {
  const rows = [
    { name: "plain", input: "gpt-4o", expected: "gpt-4o" },
    { name: "quote", input: 'a"b', expected: 'a\\"b' },
    { name: "backslash", input: "a\\b", expected: "a\\\\b" },
    { name: "newline", input: "a\nb", expected: "a\\nb" },
    { name: "all, backslash first", input: '\\"\n', expected: '\\\\\\"\\n' },
    { name: "empty", input: "", expected: "" },
  ];
  for (const row of rows) {
    await t.step(row.name, () => assert.equal(escapeLabelValue(row.input), row.expected));
  }
});

Deno.test("registry: renders every family in the text format", () => {
  const registry = createMetricsRegistry({ buckets: [0.025, 0.1] });
  registry.observe(chat());
  registry.observe(chat({ duration_ms: 50, upstream_ms: 200 }));
  registry.observe(chat({ status: 429, error_code: "rate_limit_exceeded", usage: undefined }));
  registry.observe({ method: "GET", route: "unmatched", status: 404, duration_ms: 1 });
  const text = renderPrometheus(registry.snapshot());
  const lines = text.split("\n");
  for (
    const family of [
      "gateway_requests_total counter",
      "gateway_request_duration_seconds histogram",
      "gateway_upstream_duration_seconds histogram",
      "gateway_upstream_errors_total counter",
      "gateway_tokens_total counter",
    ]
  ) assert.ok(lines.includes(`# TYPE ${family}`), family);
  const expected = [
    'gateway_requests_total{route="/v1/chat/completions",method="POST",status="200"} 2',
    'gateway_requests_total{route="/v1/chat/completions",method="POST",status="429"} 1',
    'gateway_requests_total{route="unmatched",method="GET",status="404"} 1',
    'gateway_request_duration_seconds_bucket{route="/v1/chat/completions",le="0.025"} 0',
    'gateway_request_duration_seconds_bucket{route="/v1/chat/completions",le="0.1"} 3',
    'gateway_request_duration_seconds_bucket{route="/v1/chat/completions",le="+Inf"} 3',
    'gateway_request_duration_seconds_count{route="/v1/chat/completions"} 3',
    'gateway_upstream_duration_seconds_bucket{provider="mock",model="mock-echo",le="0.025"} 2',
    'gateway_upstream_duration_seconds_bucket{provider="mock",model="mock-echo",le="0.1"} 2',
    'gateway_upstream_duration_seconds_bucket{provider="mock",model="mock-echo",le="+Inf"} 3',
    'gateway_upstream_duration_seconds_sum{provider="mock",model="mock-echo"} 0.24',
    'gateway_upstream_errors_total{provider="mock",code="rate_limit_exceeded"} 1',
    'gateway_tokens_total{provider="mock",model="mock-echo",type="completion"} 10',
    'gateway_tokens_total{provider="mock",model="mock-echo",type="prompt"} 6',
  ];
  for (const line of expected) assert.ok(lines.includes(line), `missing: ${line}\n${text}`);
  assert.ok(text.endsWith("\n"));
});

Deno.test("registry: odd methods, usage shapes and too many models stay bounded", () => {
  const registry = createMetricsRegistry({ maxModels: 2 });
  registry.observe(chat({ method: "BREW" }));
  registry.observe(chat({ model: "m2", usage: { input_tokens: 4 } })); // not OpenAI usage
  for (let i = 0; i < 5; i++) registry.observe(chat({ model: `flood-${i}` }));
  const snapshot = registry.snapshot();
  assert.deepEqual(snapshot.requests.map((s) => s.labels.method).sort(), ["POST", "other"]);
  assert.deepEqual(
    snapshot.upstreamDuration.map((s) => [s.labels.model, s.count]),
    [["mock-echo", 1], ["m2", 1], ["other", 5]],
  );
  assert.deepEqual(
    snapshot.tokens.filter((s) => s.labels.type === "prompt").map((s) => [s.labels.model, s.value]),
    [["mock-echo", 3], ["other", 15]],
  );
  // A snapshot is a copy.
  snapshot.requests[0].value = 1000;
  assert.notEqual(registry.snapshot().requests[0].value, 1000);
});

Deno.test("mergeSnapshots adds counters and histograms series by series", () => {
  const a = createMetricsRegistry();
  const b = createMetricsRegistry();
  a.observe(chat());
  b.observe(chat());
  b.observe(chat({ route: "/health", method: "GET", provider: undefined }));
  const merged = mergeSnapshots([a.snapshot(), b.snapshot()]);
  assert.deepEqual(merged.requests.map((s) => [s.labels.route, s.value]), [
    ["/v1/chat/completions", 2],
    ["/health", 1],
  ]);
  assert.equal(merged.requestDuration[0].count, 2);
  assert.equal(merged.requestDuration[0].counts.reduce((x, y) => x + y), 2);
  assert.equal(merged.tokens.find((s) => s.labels.type === "prompt")?.value, 6);
  assert.equal(mergeSnapshots([]).requests.length, 0);
});

Deno.test("clusterMetrics: a scrape sums every worker's registry", async () => {
  const channel = `metrics-test-${crypto.randomUUID()}`;
  const workers = [0, 1, 2].map(() => clusterMetrics({ peers: 2, channel, timeoutMs: 600 }));
  try {
    workers[0].observe({ ...chat(), request_id: "a", path: "/v1/chat/completions" });
    workers[1].observe({ ...chat(), request_id: "b", path: "/v1/chat/completions" });
    workers[2].observe({ ...chat({ status: 500 }), request_id: "c", path: "/x" });
    const started = performance.now();
    const total = await workers[1].collect();
    assert.ok(performance.now() - started < 500, "answered without waiting for the timeout");
    assert.deepEqual(total.requests.map((s) => [s.labels.status, s.value]), [["200", 2], [
      "500",
      1,
    ]]);
    // A worker that stops answering counts with its last snapshot: totals never go back.
    workers[2].close();
    const quick = clusterMetrics({ peers: 0, channel: `${channel}-alone` });
    assert.equal((await quick.collect()).requests.length, 0);
    quick.close();
    const again = await workers[1].collect();
    assert.equal(again.requests.reduce((n, s) => n + s.value, 0), 3);
  } finally {
    for (const w of workers) w.close();
  }
});

Deno.test("renderPrometheus: sub-millisecond buckets, sums without float noise", () => {
  const registry = createMetricsRegistry();
  for (const ms of [0.04, 0.08, 0.12]) registry.observe(chat({ duration_ms: ms, upstream_ms: ms }));
  const text = renderPrometheus(registry.snapshot());
  const bucket = (le: string) =>
    text.split("\n").find((l) =>
      l.startsWith(
        `gateway_request_duration_seconds_bucket{route="/v1/chat/completions",le="${le}"}`,
      )
    );
  assert.equal(bucket("0.0001"), `${bucket("0.0001")!.split(" ")[0]} 2`);
  assert.match(bucket("0.00025")!, / 3$/);
  assert.match(
    text,
    /gateway_request_duration_seconds_sum\{route="\/v1\/chat\/completions"\} 0\.00024\n/,
  );
  assert.doesNotMatch(text, /\d{16,}/, "no number with 16+ digits");
});

Deno.test("usage writer counters: read at snapshot time, summed over workers, rendered", async () => {
  const channel = `metrics-usage-${crypto.randomUUID()}`;
  const writers = [{ dropped: 3, queued: 1 }, { dropped: 4, queued: 0 }];
  const workers = writers.map((usage) =>
    clusterMetrics({
      peers: 1,
      channel,
      timeoutMs: 600,
      registry: createMetricsRegistry({ usage }),
    })
  );
  try {
    writers[0].dropped = 5; // read when scraped, not when the registry was made
    const text = renderPrometheus(await workers[1].collect());
    assert.match(text, /^# TYPE gateway_usage_records_dropped_total counter$/m);
    assert.match(text, /^gateway_usage_records_dropped_total 9$/m);
    assert.match(text, /^# TYPE gateway_usage_records_queued gauge$/m);
    assert.match(text, /^gateway_usage_records_queued 1$/m);
    assert.match(renderPrometheus(createMetricsRegistry().snapshot()), /_dropped_total 0$/m);
  } finally {
    for (const w of workers) w.close();
  }
});

Deno.test("a stream the client left is not counted as an upstream error", () => {
  const registry = createMetricsRegistry();
  registry.observe(chat({ error_code: "client_closed" }));
  registry.observe(chat({ error_code: "upstream_error", status: 502 }));
  assert.deepEqual(registry.snapshot().upstreamErrors.map((s) => s.labels.code), [
    "upstream_error",
  ]);
});

/**
 * The metrics registry (SPEC §7): counters and histograms fed with one observation per finished
 * request, snapshotted as plain data (so several workers can merge theirs) and rendered in the
 * Prometheus text exposition format (version 0.0.4). Pure: no I/O, no clock, no environment.
 *
 * Families:
 * - `gateway_requests_total{route,method,status}` — counter
 * - `gateway_request_duration_seconds{route}` — histogram
 * - `gateway_upstream_duration_seconds{provider,model}` — histogram
 * - `gateway_upstream_errors_total{provider,code}` — counter
 * - `gateway_tokens_total{provider,model,type}` — counter, `type` is `prompt` or `completion`
 * - `gateway_deployment_requests_total{provider,deployment}` — counter: requests a deployment
 *   answered (it served, or failed last)
 * - `gateway_deployment_failures_total{provider,deployment,code}` — counter: attempts that
 *   failed and moved on to another deployment
 * - `gateway_usage_records_dropped_total` — counter: usage records the usage writer dropped
 *   (its queue was full while the store was slow or down, or their batch failed)
 * - `gateway_usage_records_queued` — gauge: usage records waiting for the store
 */

import { CLIENT_CLOSED_CODE } from "./errors.ts";

/** What the registry reads from a finished request (the access-log record fits it). */
export interface RequestObservation {
  method: string;
  /** A bounded route label: the matched route pattern, or `unmatched`. */
  route: string;
  status: number;
  duration_ms: number;
  model?: string;
  provider?: string;
  upstream_ms?: number;
  /** The deployment that answered (`<provider>/<model>`). */
  deployment?: string;
  /** The deployments that failed before it, with their codes. */
  failed_attempts?: readonly { deployment: string; error_code: string }[];
  /** Usage as OpenAI reports it (`prompt_tokens`, `completion_tokens`); other shapes ignored. */
  usage?: unknown;
  error_code?: string;
}

/** One counter series. */
export interface CounterSeries {
  labels: Record<string, string>;
  value: number;
}

/** One histogram series; `counts[i]` counts observations in bucket `i` (not cumulative), the
 * last entry being `+Inf`. */
export interface HistogramSeries {
  labels: Record<string, string>;
  counts: number[];
  sum: number;
  count: number;
}

/** Every family's series as plain, structured-clonable data. */
export interface MetricsSnapshot {
  buckets: number[];
  requests: CounterSeries[];
  requestDuration: HistogramSeries[];
  upstreamDuration: HistogramSeries[];
  upstreamErrors: CounterSeries[];
  tokens: CounterSeries[];
  deploymentRequests: CounterSeries[];
  deploymentFailures: CounterSeries[];
  /** The usage writer's drops so far (0 without one). */
  usageDropped: number;
  /** The usage records it holds now. */
  usageQueued: number;
}

/** A registry fed by `observe` and read by `snapshot`. */
export interface MetricsRegistry {
  observe(record: RequestObservation): void;
  snapshot(): MetricsSnapshot;
}

/** Options of `createMetricsRegistry`. */
export interface MetricsOptions {
  /** Histogram upper bounds in seconds (ascending); default `DURATION_BUCKETS`. */
  buckets?: number[];
  /** Distinct `model` (and `deployment`) label values kept; later new ones are counted as
   * `other`. Default 200. */
  maxModels?: number;
  /** The usage writer whose drops and queue the snapshot reports (read at snapshot time). */
  usage?: { readonly dropped: number; readonly queued: number };
}

/** Default latency buckets, 0.1 ms (so sub-millisecond gateway time shows) to 60 s. */
export const DURATION_BUCKETS: readonly number[] = [
  0.0001,
  0.00025,
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
];

/** The `model` label used once `maxModels` distinct models have been seen. */
export const OTHER_MODEL = "other";

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const key = (labels: Record<string, string>) => JSON.stringify(Object.values(labels));
const tokenCount = (usage: unknown, field: string): number | undefined => {
  if (typeof usage !== "object" || usage === null) return undefined;
  const value = (usage as Record<string, unknown>)[field];
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
};

/** Creates an empty registry. */
export function createMetricsRegistry(options: MetricsOptions = {}): MetricsRegistry {
  const buckets = [...(options.buckets ?? DURATION_BUCKETS)];
  const maxModels = options.maxModels ?? 200;
  const models = new Set<string>();
  const requests = new Map<string, CounterSeries>();
  const upstreamErrors = new Map<string, CounterSeries>();
  const tokens = new Map<string, CounterSeries>();
  const deploymentRequests = new Map<string, CounterSeries>();
  const deploymentFailures = new Map<string, CounterSeries>();
  const deployments = new Set<string>();
  const requestDuration = new Map<string, HistogramSeries>();
  const upstreamDuration = new Map<string, HistogramSeries>();

  const add = (map: Map<string, CounterSeries>, labels: Record<string, string>, by: number) => {
    const k = key(labels);
    const series = map.get(k) ?? map.set(k, { labels, value: 0 }).get(k)!;
    series.value += by;
  };
  const time = (map: Map<string, HistogramSeries>, labels: Record<string, string>, s: number) => {
    const k = key(labels);
    const series = map.get(k) ??
      map.set(k, { labels, counts: new Array(buckets.length + 1).fill(0), sum: 0, count: 0 })
        .get(k)!;
    const index = buckets.findIndex((le) => s <= le);
    series.counts[index === -1 ? buckets.length : index] += 1;
    series.sum += s;
    series.count += 1;
  };
  const bounded = (seen: Set<string>) => (value: string | undefined) => {
    const name = value ?? "";
    if (seen.has(name)) return name;
    if (seen.size >= maxModels) return OTHER_MODEL;
    seen.add(name);
    return name;
  };
  const modelLabel = bounded(models);
  const deploymentLabel = bounded(deployments);
  const providerOf = (deployment: string) => deployment.slice(0, deployment.indexOf("/"));

  return {
    observe(record) {
      const method = KNOWN_METHODS.has(record.method) ? record.method : "other";
      const route = record.route;
      add(requests, { route, method, status: String(record.status) }, 1);
      time(requestDuration, { route }, record.duration_ms / 1000);
      if (record.provider === undefined) return;
      const provider = record.provider;
      if (record.deployment !== undefined) {
        add(deploymentRequests, { provider, deployment: deploymentLabel(record.deployment) }, 1);
      }
      for (const failed of record.failed_attempts ?? []) {
        add(deploymentFailures, {
          provider: providerOf(failed.deployment),
          deployment: deploymentLabel(failed.deployment),
          code: failed.error_code,
        }, 1);
      }
      // A stream the client left is not the upstream's error.
      if (record.error_code !== undefined && record.error_code !== CLIENT_CLOSED_CODE) {
        add(upstreamErrors, { provider, code: record.error_code }, 1);
      }
      const hasUsage = tokenCount(record.usage, "prompt_tokens") !== undefined ||
        tokenCount(record.usage, "completion_tokens") !== undefined;
      if (record.upstream_ms === undefined && !hasUsage) return;
      const model = modelLabel(record.model);
      if (record.upstream_ms !== undefined) {
        time(upstreamDuration, { provider, model }, record.upstream_ms / 1000);
      }
      for (const type of ["prompt", "completion"] as const) {
        const count = tokenCount(record.usage, `${type}_tokens`);
        if (count !== undefined) add(tokens, { provider, model, type }, count);
      }
    },
    snapshot() {
      const copy = <T>(map: Map<string, T>): T[] => structuredClone([...map.values()]);
      return {
        buckets: [...buckets],
        requests: copy(requests),
        requestDuration: copy(requestDuration),
        upstreamDuration: copy(upstreamDuration),
        upstreamErrors: copy(upstreamErrors),
        tokens: copy(tokens),
        deploymentRequests: copy(deploymentRequests),
        deploymentFailures: copy(deploymentFailures),
        usageDropped: options.usage?.dropped ?? 0,
        usageQueued: options.usage?.queued ?? 0,
      };
    },
  };
}

/**
 * Sums snapshots series by series (e.g. one per worker). Snapshots whose buckets differ from the
 * first one's are skipped.
 *
 * @example
 * mergeSnapshots([a.snapshot(), b.snapshot()]); // counters and histograms added up
 */
export function mergeSnapshots(snapshots: MetricsSnapshot[]): MetricsSnapshot {
  const buckets = snapshots[0]?.buckets ?? [...DURATION_BUCKETS];
  const same = snapshots.filter((s) => JSON.stringify(s.buckets) === JSON.stringify(buckets));
  const counters = (pick: (s: MetricsSnapshot) => CounterSeries[]) => {
    const out = new Map<string, CounterSeries>();
    for (const series of same.flatMap(pick)) {
      const found = out.get(key(series.labels));
      if (found) found.value += series.value;
      else out.set(key(series.labels), structuredClone(series));
    }
    return [...out.values()];
  };
  const histograms = (pick: (s: MetricsSnapshot) => HistogramSeries[]) => {
    const out = new Map<string, HistogramSeries>();
    for (const series of same.flatMap(pick)) {
      const found = out.get(key(series.labels));
      if (found === undefined) out.set(key(series.labels), structuredClone(series));
      else {
        series.counts.forEach((n, i) => found.counts[i] += n);
        found.sum += series.sum;
        found.count += series.count;
      }
    }
    return [...out.values()];
  };
  return {
    buckets: [...buckets],
    requests: counters((s) => s.requests),
    requestDuration: histograms((s) => s.requestDuration),
    upstreamDuration: histograms((s) => s.upstreamDuration),
    upstreamErrors: counters((s) => s.upstreamErrors),
    tokens: counters((s) => s.tokens),
    deploymentRequests: counters((s) => s.deploymentRequests ?? []),
    deploymentFailures: counters((s) => s.deploymentFailures ?? []),
    usageDropped: same.reduce((sum, s) => sum + (s.usageDropped ?? 0), 0),
    usageQueued: same.reduce((sum, s) => sum + (s.usageQueued ?? 0), 0),
  };
}

/**
 * Escapes a label value for the text format: backslash, double quote and line feed.
 *
 * @example
 * escapeLabelValue('a"b\\c\nd'); // 'a\\"b\\\\c\\nd'
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A sample value as text: integers exactly, fractions to 15 significant digits, so binary
 * rounding noise (`0.00011999999999999999`) never shows. */
function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(Number.isInteger(n) ? n : Number(n.toPrecision(15)));
}
const formatLabels = (labels: Record<string, string>) => {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
};
const sorted = <T extends { labels: Record<string, string> }>(series: T[]) =>
  [...series].sort((a, b) =>
    key(a.labels) < key(b.labels) ? -1 : key(a.labels) > key(b.labels) ? 1 : 0
  );

const FAMILIES = [
  [
    "gateway_requests_total",
    "counter",
    "HTTP requests by route pattern, method and status.",
    "requests",
  ],
  [
    "gateway_request_duration_seconds",
    "histogram",
    "Time from request to the end of the response (for streams: the end of the stream).",
    "requestDuration",
  ],
  [
    "gateway_upstream_duration_seconds",
    "histogram",
    "Upstream time: the whole answer, or the time to the first chunk for streams.",
    "upstreamDuration",
  ],
  [
    "gateway_upstream_errors_total",
    "counter",
    "Requests routed to a provider that ended with an error, by error code.",
    "upstreamErrors",
  ],
  [
    "gateway_tokens_total",
    "counter",
    "Tokens reported by providers (prompt, completion).",
    "tokens",
  ],
  [
    "gateway_deployment_requests_total",
    "counter",
    "Requests by the deployment that answered them (served, or failed last).",
    "deploymentRequests",
  ],
  [
    "gateway_deployment_failures_total",
    "counter",
    "Attempts that failed before the first byte and moved on to another deployment, by code.",
    "deploymentFailures",
  ],
] as const;

/**
 * Renders a snapshot in the Prometheus text exposition format (`text/plain; version=0.0.4`).
 *
 * @example
 * renderPrometheus(registry.snapshot()); // "# HELP gateway_requests_total …\n# TYPE …"
 */
export function renderPrometheus(snapshot: MetricsSnapshot): string {
  const lines: string[] = [];
  for (const [name, type, help, field] of FAMILIES) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    if (type === "counter") {
      for (const s of sorted(snapshot[field] as CounterSeries[])) {
        lines.push(`${name}${formatLabels(s.labels)} ${formatNumber(s.value)}`);
      }
      continue;
    }
    for (const s of sorted(snapshot[field] as HistogramSeries[])) {
      let cumulative = 0;
      const bounds = [...snapshot.buckets, Infinity];
      bounds.forEach((le, i) => {
        cumulative += s.counts[i] ?? 0;
        const labels = formatLabels({ ...s.labels, le: formatNumber(le) });
        lines.push(`${name}_bucket${labels} ${cumulative}`);
      });
      lines.push(`${name}_sum${formatLabels(s.labels)} ${formatNumber(s.sum)}`);
      lines.push(`${name}_count${formatLabels(s.labels)} ${s.count}`);
    }
  }
  lines.push(
    "# HELP gateway_usage_records_dropped_total Usage records dropped (the store was slow or down).",
    "# TYPE gateway_usage_records_dropped_total counter",
    `gateway_usage_records_dropped_total ${formatNumber(snapshot.usageDropped ?? 0)}`,
    "# HELP gateway_usage_records_queued Usage records waiting to be written to the store.",
    "# TYPE gateway_usage_records_queued gauge",
    `gateway_usage_records_queued ${formatNumber(snapshot.usageQueued ?? 0)}`,
  );
  return lines.join("\n") + "\n";
}

/**
 * Benchmark report: the results table and the gateway ÷ passthrough CPU summary.
 */

/** One measured (or skipped) target × scenario. */
export interface Row {
  target: string;
  scenario: string;
  skipped?: string;
  responses: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  /** CPU ms per response of the server process measured (the mock itself for `direct`). */
  cpuMs: number;
  /** CPU ms per response of the mock upstream behind a proxy (NaN for `direct`). */
  upstreamCpuMs: number;
  /** CPU ms per response of the load-generating driver. */
  driverCpuMs: number;
  peakRssMiB: number;
  /** RSS when the run started (after the warm-up). */
  startRssMiB?: number;
  firstError?: string;
}

const fixed = (
  value: number,
  digits: number,
) => (Number.isFinite(value) ? value.toFixed(digits) : "—");
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "—");

/** Renders the rows as an aligned text table; ratios are taken against the `direct` row of the
 * same scenario. */
export function renderTable(rows: Row[]): string {
  const header = [
    "target",
    "scenario",
    "requests",
    "errors",
    "req/s",
    "p50 ms",
    "p99 ms",
    "req/s÷direct",
    "p50÷direct",
    "CPU ms/req",
    "upstream CPU ms/req",
    "peak RSS MiB",
  ];
  const measured = rows.filter((r) => r.skipped === undefined);
  const cells = (row: Row): string[] => {
    const direct = measured.find((r) => r.target === "direct" && r.scenario === row.scenario);
    return [
      row.target,
      row.scenario,
      String(row.responses),
      String(row.errors),
      fixed(row.rps, 0),
      fixed(row.p50, 2),
      fixed(row.p99, 2),
      direct ? times(row.rps / direct.rps) : "—",
      direct ? times(row.p50 / direct.p50) : "—",
      fixed(row.cpuMs, 3),
      fixed(row.upstreamCpuMs, 3),
      fixed(row.peakRssMiB, 1),
    ];
  };
  const widths = header.map((h, i) =>
    Math.max(
      h.length,
      ...rows.map((r) => (i < 2 ? r[i === 0 ? "target" : "scenario"].length : 0)),
      ...measured.map((r) => cells(r)[i].length),
    )
  );
  const render = (line: string[]) =>
    line.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  const body = rows.map((row) =>
    row.skipped === undefined
      ? render(cells(row))
      : `${row.target.padEnd(widths[0])}  ${row.scenario.padEnd(widths[1])}  ${row.skipped}`
  );
  return [render(header), widths.map((w) => "-".repeat(w)).join("  "), ...body].join("\n");
}

/** The `openai` SDK floors (see `passthrough.ts`), reported next to the gateway's ratio. */
const FLOOR_TARGETS = ["sdk", "sdk-relay"];

/** Gateway ÷ passthrough CPU per request for every scenario measured on both, with the SDK
 * floors ÷ passthrough where they were measured. */
export function renderCpuRatios(rows: Row[], limit: number, limitScenarios: string[]): string {
  const out = ["gateway ÷ passthrough CPU per request (the steadiest figure on a shared machine):"];
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const width = Math.max(...scenarios.map((s) => s.length));
  for (const scenario of scenarios) {
    const gateway = rows.find((r) => r.target === "gateway" && r.scenario === scenario);
    const proxy = rows.find((r) => r.target === "passthrough" && r.scenario === scenario);
    if (gateway === undefined || proxy === undefined) continue;
    if (gateway.skipped !== undefined) {
      out.push(`  ${scenario.padEnd(width)}  ${gateway.skipped}`);
      continue;
    }
    const ratio = gateway.cpuMs / proxy.cpuMs;
    const verdict = limitScenarios.includes(scenario)
      ? `  (target ≤ ${limit}×: ${ratio <= limit ? "met" : "NOT met"})`
      : "";
    out.push(
      `  ${scenario.padEnd(width)}  ${fixed(gateway.cpuMs, 3)} / ${fixed(proxy.cpuMs, 3)} ms = ${
        times(ratio)
      }${verdict}`,
    );
    const floors = FLOOR_TARGETS.flatMap((target) => {
      const row = rows.find((r) => r.target === target && r.scenario === scenario);
      return row === undefined || row.skipped !== undefined
        ? []
        : [`${target} ${fixed(row.cpuMs, 3)} ms = ${times(row.cpuMs / proxy.cpuMs)}`];
    });
    if (floors.length > 0) {
      out.push(`  ${"".padEnd(width)}  floors ÷ passthrough: ${floors.join(", ")}`);
    }
  }
  return out.join("\n");
}

/** One API compared with the Chat Completions scenario of the same upstream answer. */
export interface ApiComparison {
  /** The scenario of the API measured (e.g. Responses JSON). */
  scenario: string;
  /** The Chat Completions scenario with the same upstream work (e.g. OpenAI JSON). */
  baseline: string;
  /** Content chunks per stream (0 for JSON). */
  chunks: number;
}

/** Gateway CPU of each compared scenario against its Chat Completions baseline: the difference
 * per request and, for streams, the CPU per chunk of both (a stream's whole CPU ÷ its chunks,
 * as in the stream table). Pairs not measured on the gateway are left out. */
export function renderApiCosts(rows: Row[], comparisons: ApiComparison[]): string {
  const gateway = (scenario: string) =>
    rows.find((r) => r.target === "gateway" && r.scenario === scenario && !r.skipped);
  const out: string[] = [];
  for (const { scenario, baseline, chunks } of comparisons) {
    const api = gateway(scenario);
    const chat = gateway(baseline);
    if (api === undefined || chat === undefined) continue;
    const extra = api.cpuMs - chat.cpuMs;
    const sign = extra >= 0 ? "+" : "−";
    let line = `  ${scenario} vs ${baseline}: ${fixed(api.cpuMs, 3)} vs ${
      fixed(chat.cpuMs, 3)
    } ms/req = ${sign}${fixed(Math.abs(extra), 3)} ms (${times(api.cpuMs / chat.cpuMs)})`;
    if (chunks > 0) {
      const perChunk = (row: Row) => (row.cpuMs * 1000) / chunks;
      line += `; per chunk ${fixed(perChunk(api), 2)} vs ${fixed(perChunk(chat), 2)} µs = ${sign}${
        fixed(Math.abs(extra * 1000 / chunks), 2)
      } µs`;
    }
    out.push(line);
  }
  return out.length === 0
    ? ""
    : ["Gateway CPU of each API over Chat Completions (same upstream answer):", ...out].join("\n");
}

/**
 * The benchmark's summary: gateway ÷ passthrough CPU per request with its verdict, and the
 * `openai` SDK floors ÷ passthrough on the line below when they were measured; each API's
 * gateway CPU over Chat Completions; the per-chunk table with a Responses stream in it.
 */
import assert from "node:assert/strict";
import { renderApiCosts, renderCpuRatios, type Row } from "../performance/report.ts";
import { renderStreamTable, renderTargets } from "../performance/stream_report.ts";

const row = (target: string, scenario: string, cpuMs: number, skipped?: string): Row => ({
  target,
  scenario,
  skipped,
  responses: 100,
  errors: 0,
  rps: 1000,
  p50: 1,
  p99: 2,
  cpuMs,
  upstreamCpuMs: 0.01,
  driverCpuMs: 0.02,
  peakRssMiB: 100,
});

Deno.test("bench summary: ratio, verdict and SDK floors per scenario", () => {
  const text = renderCpuRatios(
    [
      row("passthrough", "OpenAI JSON", 0.1),
      row("sdk", "OpenAI JSON", 0.25),
      row("sdk-relay", "OpenAI JSON", 0.35),
      row("gateway", "OpenAI JSON", 0.4),
      row("passthrough", "Converse JSON", 0.1),
      row("gateway", "Converse JSON", 0.2),
      row("passthrough", "Skipped", 0.1),
      row("gateway", "Skipped", NaN, "skipped (gateway did not start)"),
    ],
    3,
    ["OpenAI JSON"],
  );
  assert.deepEqual(text.split("\n"), [
    "gateway ÷ passthrough CPU per request (the steadiest figure on a shared machine):",
    "  OpenAI JSON    0.400 / 0.100 ms = 4.00×  (target ≤ 3×: NOT met)",
    "                 floors ÷ passthrough: sdk 0.250 ms = 2.50×, sdk-relay 0.350 ms = 3.50×",
    "  Converse JSON  0.200 / 0.100 ms = 2.00×",
    "  Skipped        skipped (gateway did not start)",
  ]);
});

Deno.test("bench targets: per-chunk ratios to the floors, JSON ratio and paced RSS verdicts", () => {
  const scenarios = [
    { title: "OpenAI JSON", chunks: 0, bedrock: false },
    { title: "OpenAI SSE 200 chunks", chunks: 200, bedrock: false },
    { title: "OpenAI SSE paced ×500", chunks: 200, bedrock: false },
    { title: "Bedrock ConverseStream 20", chunks: 20, bedrock: true },
  ];
  const paced = {
    ...row("gateway", "OpenAI SSE paced ×500", 9),
    peakRssMiB: 250,
    startRssMiB: 120,
  };
  const text = renderTargets([
    row("passthrough", "OpenAI JSON", 0.2),
    row("gateway", "OpenAI JSON", 0.7),
    row("relay-floor", "OpenAI SSE 200 chunks", 8),
    row("gateway", "OpenAI SSE 200 chunks", 8.2),
    paced,
    row("aws-sdk", "Bedrock ConverseStream 20", 2),
    row("gateway", "Bedrock ConverseStream 20", 3.2),
  ], scenarios);
  assert.deepEqual(text.split("\n"), [
    "Targets:",
    "  OpenAI→OpenAI CPU per chunk (OpenAI SSE 200 chunks): gateway 41.00 µs ÷ JS relay floor 40.00 µs = 1.02× (target ≤ 1.05×: met)",
    "  OpenAI JSON CPU per request: gateway 0.700 ms ÷ passthrough 0.200 ms = 3.50× (target ≤ 3×: NOT met)",
    "  ConverseStream CPU per chunk (Bedrock ConverseStream 20): gateway 160.00 µs ÷ AWS SDK floor 100.00 µs = 1.60× (target ≤ 1.5×: NOT met)",
    "  Peak RSS, one gateway worker, OpenAI SSE paced ×500: 262 MB (250 MiB, from 120 MiB at the run's start; target ≤ 200 MB: NOT met)",
  ]);
});

Deno.test("bench API costs: Responses over Chat Completions per request and per chunk", () => {
  const text = renderApiCosts([
    row("gateway", "OpenAI JSON", 0.4),
    row("gateway", "Responses JSON", 0.6),
    row("gateway", "OpenAI SSE 20 chunks", 1.2),
    row("gateway", "Responses SSE 20 chunks", 2.4),
    row("gateway", "Cheaper", 0.3),
    row("gateway", "Skipped", NaN, "skipped (gateway did not start)"),
  ], [
    { scenario: "Responses JSON", baseline: "OpenAI JSON", chunks: 0 },
    { scenario: "Responses SSE 20 chunks", baseline: "OpenAI SSE 20 chunks", chunks: 20 },
    { scenario: "Cheaper", baseline: "OpenAI JSON", chunks: 0 },
    { scenario: "Skipped", baseline: "OpenAI JSON", chunks: 0 },
    { scenario: "Not run", baseline: "OpenAI JSON", chunks: 0 },
  ]);
  assert.deepEqual(text.split("\n"), [
    "Gateway CPU of each API over Chat Completions (same upstream answer):",
    "  Responses JSON vs OpenAI JSON: 0.600 vs 0.400 ms/req = +0.200 ms (1.50×)",
    "  Responses SSE 20 chunks vs OpenAI SSE 20 chunks: 2.400 vs 1.200 ms/req = +1.200 ms (2.00×); per chunk 120.00 vs 60.00 µs = +60.00 µs",
    "  Cheaper vs OpenAI JSON: 0.300 vs 0.400 ms/req = −0.100 ms (0.75×)",
  ]);
  assert.equal(renderApiCosts([row("gateway", "OpenAI JSON", 0.4)], []), "");
});

Deno.test("bench stream table: a Responses stream has its floor ratio, the marginal column stays Chat's", () => {
  const scenarios = [
    { title: "Responses SSE 20 chunks", chunks: 20, bedrock: false, api: "responses" },
    { title: "OpenAI SSE 20 chunks", chunks: 20, bedrock: false },
    { title: "OpenAI SSE 200 chunks", chunks: 200, bedrock: false },
  ];
  const text = renderStreamTable([
    row("relay-floor", "Responses SSE 20 chunks", 1),
    row("gateway", "Responses SSE 20 chunks", 3),
    row("gateway", "OpenAI SSE 20 chunks", 1.2),
    row("gateway", "OpenAI SSE 200 chunks", 4.8),
  ], scenarios);
  assert.deepEqual(text.split("\n").slice(2), [
    "| Responses SSE 20 chunks | relay-floor | 1.000 | 50.00 | 1.00× (relay-floor) | — | 100.0 |",
    "| Responses SSE 20 chunks | gateway | 3.000 | 150.00 | 3.00× (relay-floor) | — | 100.0 |",
    "| OpenAI SSE 20 chunks | gateway | 1.200 | 60.00 | — (relay-floor) | — | 100.0 |",
    "| OpenAI SSE 200 chunks | gateway | 4.800 | 24.00 | — (relay-floor) | 20.00 | 100.0 |",
  ]);
});

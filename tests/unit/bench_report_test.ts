/**
 * The benchmark's summary: gateway ÷ passthrough CPU per request with its verdict, and the
 * `openai` SDK floors ÷ passthrough on the line below when they were measured.
 */
import assert from "node:assert/strict";
import { renderCpuRatios, type Row } from "../performance/report.ts";

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

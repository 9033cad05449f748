/**
 * The benchmark's stream report: CPU per request and per chunk of every streaming row with its
 * ratio to the scenario's floor (the JS relay floor for OpenAI, the AWS SDK floor for Bedrock),
 * the marginal cost of a chunk (200-chunk vs 20-chunk streams), peak RSS, and the verdicts on
 * the gateway's targets.
 */
import type { Row } from "./report.ts";

/** The targets the gateway is held to. */
export const TARGETS = {
  /** OpenAI→OpenAI CPU per chunk (200-chunk streams) ÷ the JS relay floor. */
  relayPerChunk: 1.05,
  /** OpenAI JSON CPU per request ÷ the bare passthrough. */
  jsonPerRequest: 3,
  /** ConverseStream CPU per chunk ÷ the AWS SDK floor. */
  converseStreamPerChunk: 1.5,
  /** Peak RSS of the one gateway worker with the paced streams open, MB (10^6 bytes). */
  pacedRssMB: 200,
};

/** What the stream report needs to know about a scenario. */
export interface StreamScenario {
  title: string;
  chunks: number;
  bedrock: boolean;
  /** The gateway's API; only Chat Completions scenarios (the default) give the marginal
   * 200-vs-20 column and the targets. */
  api?: string;
}

const isChat = (s: StreamScenario) => s.api === undefined || s.api === "chat";

const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : "—";
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : "—");
const MB_PER_MIB = 1.048576;

const find = (rows: Row[], target: string, scenario: string) =>
  rows.find((r) => r.target === target && r.scenario === scenario && r.skipped === undefined);

/** µs of server CPU per chunk of a row. */
export function usPerChunk(row: Row | undefined, chunks: number): number {
  return row === undefined || chunks <= 0 ? NaN : (row.cpuMs * 1000) / chunks;
}

/** The per-chunk table of every streaming scenario. */
export function renderStreamTable(rows: Row[], scenarios: StreamScenario[]): string {
  const lines = [
    "| scenario | target | CPU ms/req | CPU µs/chunk | ÷ floor | marginal µs/chunk (200 vs 20) | peak RSS MiB |",
    "|---|---|---|---|---|---|---|",
  ];
  const chat = scenarios.filter(isChat);
  const short = chat.find((s) => !s.bedrock && s.chunks === 20);
  const long = chat.find((s) => !s.bedrock && s.chunks === 200 && !s.title.includes("paced"));
  for (const scenario of scenarios.filter((s) => s.chunks > 0)) {
    const floorName = scenario.bedrock ? "aws-sdk" : "relay-floor";
    const floor = find(rows, floorName, scenario.title);
    for (const row of rows.filter((r) => r.scenario === scenario.title && !r.skipped)) {
      const perChunk = usPerChunk(row, scenario.chunks);
      let marginal = NaN;
      if (scenario === long && short !== undefined) {
        const twenty = find(rows, row.target, short.title);
        if (twenty !== undefined) marginal = ((row.cpuMs - twenty.cpuMs) * 1000) / 180;
      }
      lines.push(
        `| ${scenario.title} | ${row.target} | ${fixed(row.cpuMs, 3)} | ${fixed(perChunk, 2)} | ${
          times(perChunk / usPerChunk(floor, scenario.chunks))
        } (${floorName}) | ${fixed(marginal, 2)} | ${fixed(row.peakRssMiB, 1)} |`,
      );
    }
  }
  return lines.join("\n");
}

function verdict(value: number, limit: number): string {
  if (!Number.isFinite(value)) return "not measured";
  return value <= limit ? "met" : "NOT met";
}

/** The four targets with the measured values and whether each is met. */
export function renderTargets(rows: Row[], scenarios: StreamScenario[]): string {
  const byChunks = (chunks: number, bedrock: boolean, paced: boolean) =>
    scenarios.find((s) =>
      isChat(s) && s.chunks === chunks && s.bedrock === bedrock &&
      s.title.includes("paced") === paced
    );
  const lines = ["Targets:"];
  const long = byChunks(200, false, false);
  if (long !== undefined) {
    const gateway = usPerChunk(find(rows, "gateway", long.title), 200);
    const floor = usPerChunk(find(rows, "relay-floor", long.title), 200);
    const ratio = gateway / floor;
    lines.push(
      `  OpenAI→OpenAI CPU per chunk (${long.title}): gateway ${
        fixed(gateway, 2)
      } µs ÷ JS relay floor ${fixed(floor, 2)} µs = ${
        times(ratio)
      } (target ≤ ${TARGETS.relayPerChunk}×: ${verdict(ratio, TARGETS.relayPerChunk)})`,
    );
  }
  const json = find(rows, "gateway", "OpenAI JSON");
  const jsonFloor = find(rows, "passthrough", "OpenAI JSON");
  if (json !== undefined && jsonFloor !== undefined) {
    const ratio = json.cpuMs / jsonFloor.cpuMs;
    lines.push(
      `  OpenAI JSON CPU per request: gateway ${fixed(json.cpuMs, 3)} ms ÷ passthrough ${
        fixed(jsonFloor.cpuMs, 3)
      } ms = ${times(ratio)} (target ≤ ${TARGETS.jsonPerRequest}×: ${
        verdict(ratio, TARGETS.jsonPerRequest)
      })`,
    );
  }
  const converse = byChunks(20, true, false);
  if (converse !== undefined) {
    const chunks = converse.chunks;
    const gateway = usPerChunk(find(rows, "gateway", converse.title), chunks);
    const floor = usPerChunk(find(rows, "aws-sdk", converse.title), chunks);
    const ratio = gateway / floor;
    lines.push(
      `  ConverseStream CPU per chunk (${converse.title}): gateway ${
        fixed(gateway, 2)
      } µs ÷ AWS SDK floor ${fixed(floor, 2)} µs = ${
        times(ratio)
      } (target ≤ ${TARGETS.converseStreamPerChunk}×: ${
        verdict(ratio, TARGETS.converseStreamPerChunk)
      })`,
    );
  }
  const paced = scenarios.find((s) => isChat(s) && s.title.includes("paced"));
  if (paced !== undefined) {
    const row = find(rows, "gateway", paced.title);
    const mb = (row?.peakRssMiB ?? NaN) * MB_PER_MIB;
    lines.push(
      `  Peak RSS, one gateway worker, ${paced.title}: ${fixed(mb, 0)} MB (${
        fixed(row?.peakRssMiB ?? NaN, 0)
      } MiB, from ${
        fixed(row?.startRssMiB ?? NaN, 0)
      } MiB at the run's start; target ≤ ${TARGETS.pacedRssMB} MB: ${
        verdict(mb, TARGETS.pacedRssMB)
      })`,
    );
  }
  return lines.join("\n");
}

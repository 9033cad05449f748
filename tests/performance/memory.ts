/**
 * Memory per request for `deno task bench`: one large chat request at a time through the
 * gateway's OpenAI path (to the mock upstream), with the peak RSS (VmHWM, reset before each
 * request) compared with the RSS just before it, as a multiple of the request's size; then, with
 * `settleS > 0`, how far RSS has come back towards its idle level that many seconds later.
 */
import { peakRssMiB, resetPeakRss, rssMiB, type ServerProcess } from "./proc.ts";
import { CLIENT_KEY } from "./scenarios.ts";

const MIB = 1024 * 1024;

/** One measured request size. */
export interface MemoryRow {
  requestMiB: number;
  status: number;
  idleMiB: number;
  peakMiB: number;
  /** (peak − idle) / request size. */
  ratio: number;
}

function chatBody(bytes: number): string {
  const word = "lorem ipsum dolor sit amet ";
  const content = word.repeat(Math.ceil(bytes / word.length)).slice(0, bytes);
  return JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content }] });
}

/** Sends one request of each size in `sizesMiB` and measures the peak memory it took. */
export async function measureMemory(
  gateway: ServerProcess,
  sizesMiB: number[],
): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const size of sizesMiB) {
    const body = chatBody(size * MIB);
    await resetPeakRss(gateway.pid);
    const idle = await rssMiB(gateway.pid);
    const res = await fetch(`${gateway.origin}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${CLIENT_KEY}` },
      body,
    });
    await res.body?.cancel();
    const peak = await peakRssMiB(gateway.pid);
    rows.push({
      requestMiB: body.length / MIB,
      status: res.status,
      idleMiB: idle,
      peakMiB: peak,
      ratio: (peak - idle) * MIB / body.length,
    });
  }
  return rows;
}

/** The memory table as text. */
export function renderMemory(rows: MemoryRow[]): string {
  const lines = ["| request | status | RSS before | peak RSS | peak extra / request size |"];
  lines.push("|---|---|---|---|---|");
  for (const r of rows) {
    lines.push(
      `| ${r.requestMiB.toFixed(1)} MiB | ${r.status} | ${r.idleMiB.toFixed(0)} MiB | ` +
        `${r.peakMiB.toFixed(0)} MiB | ${r.ratio.toFixed(1)}× |`,
    );
  }
  return lines.join("\n");
}

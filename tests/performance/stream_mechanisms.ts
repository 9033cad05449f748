/**
 * How cheaply can a Deno gateway see every event of an OpenAI SSE stream and relay it? Each
 * mechanism runs in its own relay process (`stream_relays.ts`) between the mock upstream
 * (`mock_upstream.ts`, `bench_chunks`-chunk streams with usage) and a load driver; the relay's own CPU time
 * (`process.cpuUsage()`, read over `GET /cpu` before and after the run) divided by the chunks
 * relayed is the figure, with its ratio to the JS relay floor (`transform`). Every relay fetches
 * the upstream with a bare `fetch` (except `node-http`), so the mechanisms differ only in how
 * the bytes travel through JavaScript.
 *
 * Mechanisms:
 * - `native`: `new Response(upstream.body)`: the runtime pipes, JavaScript sees nothing (floor).
 * - `transform`: `pipeThrough` a TransformStream whose transform re-enqueues each chunk (the JS
 *   relay floor).
 * - `pull`: a pull ReadableStream, one upstream read per pull.
 * - `byob`: a byte stream (`type: "bytes"`) answering each BYOB request with a BYOB read of the
 *   upstream into the same buffer.
 * - `from-generator`: `ReadableStream.from(async generator)` over the body's chunks.
 * - `node-http`: the upstream read with `node:http` (`data` events) into a pull ReadableStream.
 * - `iterator`: the gateway's object chain before the relay: `decodeSseJson` (JSON.parse per
 *   event) → async generator (finish check) → async generator (usage hidden) → `toSseStream`.
 * - `sse-relay`, `sse-relay-usage`: `core/providers/openai/sse_relay.ts` (one reader loop, complete
 *   events per read, native scans; without / with the client asking for usage).
 *
 * With `--paced-streams=N` (standalone default 500; the bench passes `BENCH_MECHANISMS_PACED`,
 * default 0) each relay then serves N paced streams at once (50 ms to first byte, 10 ms per
 * chunk) and its peak RSS is reported: a JS reader of a fetch body gets a fresh 64 KiB buffer
 * per read, each pinned until garbage collection, which is where most of a relay's memory goes.
 *
 * Standalone: `deno run -A tests/performance/stream_mechanisms.ts [--chunks=200] [--duration=3]
 * [--concurrency=8] [--paced-streams=500] [--only=a,b]`; `deno task bench` calls
 * {@link runStreamMechanisms}.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { numberOption, REPO } from "./gateway_command.ts";
import { runLoad } from "./load.ts";
import { peakRssMiB, resetPeakRss, type ServerProcess, spawnServer, stopAll } from "./proc.ts";
import { JS_RELAY_FLOOR, type Mechanism, MECHANISMS } from "./stream_relays.ts";

export { JS_RELAY_FLOOR, type Mechanism, MECHANISMS };

const HERE = fileURLToPath(new URL("./", import.meta.url));

/** One measured mechanism. */
export interface MechanismRow {
  mechanism: Mechanism;
  streams: number;
  errors: number;
  /** Relay process CPU per chunk, µs. */
  cpuUsPerChunk: number;
  /** Relay process CPU per stream, µs. */
  cpuUsPerStream: number;
  /** Peak RSS (VmHWM) with `pacedStreams` paced streams open, MiB (NaN: not measured). */
  pacedPeakMiB: number;
  firstError?: string;
}

/** Run options. */
export interface MechanismOptions {
  chunks: number;
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  /** Interleaved rounds the duration is split into (default 5). */
  rounds?: number;
  /** Then this many paced streams at once (50 ms to first byte, 10 ms per chunk) per relay,
   * for its peak RSS; 0 or absent skips. */
  pacedStreams?: number;
  only?: Mechanism[];
}

// ---------------------------------------------------------------------------------------------
// The driver side.

async function cpuUs(relay: ServerProcess): Promise<number> {
  const usage = await (await fetch(`${relay.origin}/cpu`)).json() as {
    user: number;
    system: number;
  };
  return usage.user + usage.system;
}

const decoder = new TextDecoder();

/**
 * Spawns a relay per mechanism in front of `upstream` and measures them in interleaved rounds
 * (each round runs every mechanism for `durationMs / rounds`), so drift in a shared machine's
 * load spreads over all of them instead of favouring whichever ran in a quiet moment.
 */
export async function measureMechanisms(
  upstream: string,
  options: MechanismOptions,
  log: (line: string) => void = () => {},
): Promise<MechanismRow[]> {
  const body = JSON.stringify({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "relay me" }],
    stream: true,
    stream_options: { include_usage: true },
    bench_chunks: options.chunks,
  });
  const validate = (bytes: Uint8Array) => {
    const text = decoder.decode(bytes);
    return text.endsWith("data: [DONE]\n\n") && !text.includes('"error"') &&
      text.split("data: ").length - 1 >= options.chunks + 1;
  };
  const chosen = MECHANISMS.filter((m) => options.only === undefined || options.only.includes(m));
  const relays = await Promise.all(chosen.map((mechanism) =>
    spawnServer({
      name: `relay ${mechanism}`,
      args: ["run", "-A", `${HERE}stream_relays.ts`, mechanism, upstream],
      cwd: REPO,
    })
  ));
  const rows: MechanismRow[] = chosen.map((mechanism) => ({
    mechanism,
    streams: 0,
    errors: 0,
    cpuUsPerStream: 0,
    cpuUsPerChunk: 0,
    pacedPeakMiB: NaN,
  }));
  const cpu = chosen.map(() => 0);
  const rounds = Math.max(1, options.rounds ?? 5);
  try {
    const specs = relays.map((relay) => ({
      url: `${relay.origin}/v1/chat/completions`,
      body,
      headers: { "content-type": "application/json" },
      concurrency: options.concurrency,
      maxRequests: 1e7,
      validate,
    }));
    if (options.warmupMs > 0) {
      for (const spec of specs) await runLoad({ ...spec, durationMs: options.warmupMs });
    }
    for (let round = 0; round < rounds; round++) {
      for (const [i, spec] of specs.entries()) {
        const before = await cpuUs(relays[i]);
        const result = await runLoad({ ...spec, durationMs: options.durationMs / rounds });
        cpu[i] += await cpuUs(relays[i]) - before;
        rows[i].streams += result.responses;
        rows[i].errors += result.errors;
        rows[i].firstError ??= result.firstError;
      }
    }
    const paced = options.pacedStreams ?? 0;
    for (const [i, spec] of specs.entries()) {
      if (paced <= 0) break;
      const pacedBody = JSON.stringify({
        ...JSON.parse(body),
        bench_first_byte_ms: 50,
        bench_chunk_delay_ms: 10,
      });
      await resetPeakRss(relays[i].pid);
      const result = await runLoad({
        ...spec,
        body: pacedBody,
        concurrency: paced,
        maxRequests: paced,
        durationMs: 60_000,
      });
      rows[i].pacedPeakMiB = await peakRssMiB(relays[i].pid);
      rows[i].errors += result.errors;
      rows[i].firstError ??= result.firstError;
    }
  } finally {
    await Promise.all(relays.map((relay) => relay.stop()));
  }
  for (const [i, row] of rows.entries()) {
    row.cpuUsPerStream = cpu[i] / row.streams;
    row.cpuUsPerChunk = row.cpuUsPerStream / options.chunks;
    log(`  ${row.mechanism}: ${row.streams} streams, ${row.errors} errors`);
  }
  return rows;
}

/** The mechanisms table: µs per chunk and per stream, ratio to the JS relay floor. */
export function renderMechanisms(
  rows: MechanismRow[],
  chunks: number,
  pacedStreams = 0,
): string {
  const floor = rows.find((r) => r.mechanism === JS_RELAY_FLOOR);
  const native = rows.find((r) => r.mechanism === "native");
  const lines = [
    `| mechanism (${chunks}-chunk streams) | streams | errors | relay CPU µs/chunk | µs/stream | ÷ JS relay floor | ÷ native |${
      pacedStreams > 0 ? ` peak RSS MiB, ${pacedStreams} paced streams |` : ""
    }`,
    `|---|---|---|---|---|---|---|${pacedStreams > 0 ? "---|" : ""}`,
  ];
  for (const r of rows) {
    const ratio = (base?: MechanismRow) =>
      base === undefined ? "—" : `${(r.cpuUsPerChunk / base.cpuUsPerChunk).toFixed(2)}×`;
    lines.push(
      `| ${r.mechanism} | ${r.streams} | ${r.errors} | ${r.cpuUsPerChunk.toFixed(2)} | ${
        r.cpuUsPerStream.toFixed(0)
      } | ${ratio(floor)} | ${ratio(native)} |${
        pacedStreams > 0 ? ` ${r.pacedPeakMiB.toFixed(0)} |` : ""
      }`,
    );
  }
  for (const r of rows.filter((r) => r.errors > 0)) {
    lines.push(`ERRORS ${r.mechanism}: ${r.errors}; first: ${r.firstError}`);
  }
  return lines.join("\n");
}

/** Starts its own mock upstream, measures every mechanism and returns the table. */
export async function runStreamMechanisms(
  options: MechanismOptions,
  upstreamOrigin?: string,
): Promise<{ rows: MechanismRow[]; table: string }> {
  let upstream = upstreamOrigin;
  if (upstream === undefined) {
    const mock = await spawnServer({
      name: "mock upstream",
      args: ["run", "--allow-net", `${HERE}mock_upstream.ts`, "0", "0"],
      cwd: REPO,
    });
    upstream = mock.origin;
  }
  const rows = await measureMechanisms(upstream, options, (line) => console.error(line));
  return { rows, table: renderMechanisms(rows, options.chunks, options.pacedStreams) };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      chunks: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      concurrency: { type: "string" },
      only: { type: "string" },
      "paced-streams": { type: "string" },
    },
  });
  const chunks = numberOption(values.chunks, 200, 1, 100_000);
  try {
    const { table } = await runStreamMechanisms({
      chunks,
      durationMs: 1000 * numberOption(values.duration, 3, 0.1, 600),
      warmupMs: 1000 * numberOption(values.warmup, 0.5, 0, 60),
      concurrency: numberOption(values.concurrency, 8, 1, 4096),
      pacedStreams: numberOption(values["paced-streams"], 500, 0, 4096),
      only: values.only?.split(",") as Mechanism[] | undefined,
    });
    console.log(table);
  } finally {
    await stopAll();
  }
}

/**
 * Soak measurement: many concurrent OpenAI streams through the gateway for a while, with the
 * gateway's memory and CPU before, during and after.
 *
 * Run from the repository root:
 *
 * ```sh
 * bash -c 'ulimit -n 8192; exec deno run -A --unstable-net tests/performance/soak.ts \
 *   --streams=500 --seconds=60 --workers=1 --settle=30'
 * ```
 *
 * (`ulimit -n 8192` only matters where the soft open-files limit is low: the driver holds one
 * connection per stream and the gateway two — client and upstream. It must not exceed the hard
 * limit, `ulimit -Hn`; where the soft limit is already higher, plain `deno run …` is enough.)
 *
 * Spawns on loopback the benchmark mock upstream (`mock_upstream.ts`, 20-chunk SSE answers with
 * `--chunk-delay-ms` between chunks so streams stay open) and the gateway exactly as
 * `deno task start` runs it (OPENAI_BASE_URL at the mock, WORKERS from `--workers`, LOG_LEVEL
 * warn, MAX_CONNECTIONS high enough not to limit the soak). Then keeps `--streams` streaming chat
 * requests (`stream: true`, gpt-4o-mini, OpenAI format) open for `--seconds`: each slot starts a
 * new stream as soon as its last one ends, reads it to the end and checks that it has the 20
 * data events, no error event and ends with `data: [DONE]` (`sse_end_check.ts`).
 *
 * Prints streams completed, errors (with the first), streams/s, stream duration p50/p99, gateway
 * RSS before the load, its peak (VmHWM, reset before the load) and samples during it, RSS when
 * the load stops and `--settle` seconds later, and gateway CPU ms per stream. Exits 1 on any
 * error. Every loop is bounded (by the deadline and `--max-streams`; each stream by
 * `--stream-timeout`), and every spawned process is stopped at the end.
 *
 * Flags: --streams=500, --seconds=60, --workers=1 (gateway WORKERS; 0 = one per CPU),
 * --settle=30, --chunk-delay-ms=10, --stream-timeout=60 seconds, --max-streams=10000000.
 */
import { parseArgs } from "node:util";
import { numberOption, REPO, startTaskArgs } from "./gateway_command.ts";
import { fileURLToPath } from "node:url";
import {
  clockTicks,
  cpuTicks,
  freePort,
  peakRssMiB,
  resetPeakRss,
  rssMiB,
  type ServerProcess,
  spawnServer,
  stopAll,
} from "./proc.ts";
import { STREAM_CHUNKS } from "./mock_upstream.ts";
import { SseEndCheck } from "./sse_end_check.ts";
import { CLIENT_KEY, OPENAI_MODEL } from "./scenarios.ts";
import { percentile } from "./load.ts";

const HERE = fileURLToPath(new URL("./", import.meta.url));
const RSS_SAMPLE_MS = 10_000;

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    streams: { type: "string" },
    seconds: { type: "string" },
    workers: { type: "string" },
    settle: { type: "string" },
    "chunk-delay-ms": { type: "string" },
    "stream-timeout": { type: "string" },
    "max-streams": { type: "string" },
  },
});
const streams = Math.floor(numberOption(flags.streams, 500, 1, 4000));
const seconds = numberOption(flags.seconds, 60, 1, 3600);
const workers = Math.floor(numberOption(flags.workers, 1, 0, 64));
const settleS = numberOption(flags.settle, 30, 0, 600);
const chunkDelayMs = numberOption(flags["chunk-delay-ms"], 10, 0, 1000);
const streamTimeoutMs = 1000 * numberOption(flags["stream-timeout"], 60, 1, 600);
const maxStreams = Math.floor(numberOption(flags["max-streams"], 10_000_000, 1, 1e9));

/** The soft open-files limit this process (and so its children) runs with. */
async function openFilesLimit(): Promise<number> {
  const { stdout } = await new Deno.Command("sh", { args: ["-c", "ulimit -n"] }).output();
  const text = new TextDecoder().decode(stdout).trim();
  return text === "unlimited" ? Infinity : Number(text);
}

const BODY = JSON.stringify({
  model: OPENAI_MODEL,
  messages: [
    { role: "system", content: "You are a concise assistant." },
    { role: "user", content: "In one sentence, why do we soak-test gateways?" },
  ],
  max_tokens: 64,
  stream: true,
});

/** What the slots found. */
interface Tally {
  completed: number;
  errors: number;
  firstError: string | undefined;
  durations: number[];
  started: number;
}

/** One stream: request, read to the end, check. Resolves with the problem, if any. */
async function oneStream(origin: string): Promise<string | undefined> {
  const signal = AbortSignal.timeout(streamTimeoutMs);
  const response = await fetch(`${origin}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${CLIENT_KEY}` },
    body: BODY,
    signal,
  });
  if (response.status !== 200) {
    return `status ${response.status}: ${(await response.text()).slice(0, 300)}`;
  }
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("text/event-stream")) {
    await response.body?.cancel();
    return `content-type ${type}`;
  }
  const check = new SseEndCheck(STREAM_CHUNKS);
  for await (const text of response.body!.pipeThrough(new TextDecoderStream())) check.push(text);
  return check.finish();
}

/** Keeps one stream open until the deadline, starting the next as soon as one ends. */
async function slot(origin: string, deadline: number, tally: Tally): Promise<void> {
  while (Date.now() < deadline && tally.started < maxStreams) {
    tally.started++;
    const start = performance.now();
    let problem: string | undefined;
    try {
      problem = await oneStream(origin);
    } catch (error) {
      problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    if (problem === undefined) {
      tally.completed++;
      tally.durations.push(performance.now() - start);
    } else {
      tally.errors++;
      tally.firstError ??= problem;
    }
  }
}

const mib = (n: number) => `${n.toFixed(0)} MiB`;

async function main(): Promise<number> {
  const limit = await openFilesLimit();
  const needed = 2 * streams + 256;
  if (limit < needed) {
    console.log(
      `WARNING: open-files limit ${limit} < ${needed}; run under ` +
        `bash -c 'ulimit -n 8192; exec deno run …' (hard limit permitting)`,
    );
  }
  const ticksPerMs = (await clockTicks()) / 1000;
  const childEnv = { NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" };
  const upstream = await spawnServer({
    name: "mock upstream",
    args: ["run", "--allow-net", `${HERE}mock_upstream.ts`, "0", String(chunkDelayMs)],
    cwd: REPO,
    env: childEnv,
  });
  const port = freePort();
  const gateway: ServerProcess = await spawnServer({
    name: "gateway",
    args: startTaskArgs(),
    cwd: REPO,
    port,
    readyPath: "/health",
    env: {
      ...childEnv,
      HOST: "127.0.0.1",
      PORT: String(port),
      WORKERS: String(workers),
      API_KEY: CLIENT_KEY,
      LOG_LEVEL: "warn",
      UPSTREAM_MAX_RETRIES: "0",
      // Client connections per process: the soak's own plus headroom, so the limit is not what
      // is measured (the automatic value is derived from the open-files limit).
      MAX_CONNECTIONS: String(Math.max(1024, streams * 2)),
      OPENAI_BASE_URL: `${upstream.origin}/v1`,
      OPENAI_API_KEY: "sk-soak-0000000000000000",
    },
  });
  console.log(
    `soak: ${streams} concurrent streams for ${seconds} s, gateway WORKERS=${workers} ` +
      `(${navigator.hardwareConcurrency} CPUs), upstream ${STREAM_CHUNKS} chunks ` +
      `${chunkDelayMs} ms apart, open-files limit ${limit}, deno ${Deno.version.deno}; ` +
      `pids: gateway ${gateway.pid}, mock ${upstream.pid}, driver ${Deno.pid}`,
  );

  const rssBefore = await rssMiB(gateway.pid);
  const peakReset = await resetPeakRss(gateway.pid);
  const tally: Tally = {
    completed: 0,
    errors: 0,
    firstError: undefined,
    durations: [],
    started: 0,
  };
  const pids = [gateway.pid, upstream.pid, Deno.pid];
  const cpuBefore = await cpuTicks(pids);
  const start = performance.now();
  const deadline = Date.now() + seconds * 1000;
  const samples: string[] = [];
  const sampler = setInterval(async () => {
    const rss = await rssMiB(gateway.pid).catch(() => NaN);
    const elapsed = ((performance.now() - start) / 1000).toFixed(0);
    samples.push(`${elapsed} s ${mib(rss)} (${tally.completed} done)`);
    console.error(`  ${samples.at(-1)}, ${tally.errors} errors`);
  }, RSS_SAMPLE_MS);
  try {
    await Promise.all(Array.from({ length: streams }, () => slot(gateway.origin, deadline, tally)));
  } finally {
    clearInterval(sampler);
  }
  const elapsedS = (performance.now() - start) / 1000;
  const cpuAfter = await cpuTicks(pids);
  const peak = await peakRssMiB(gateway.pid);
  const rssEnd = await rssMiB(gateway.pid);
  let rssSettled = NaN;
  if (settleS > 0) {
    await new Promise((r) => setTimeout(r, settleS * 1000));
    rssSettled = await rssMiB(gateway.pid);
  }
  const perStream = (i: number) =>
    ((cpuAfter[i] - cpuBefore[i]) / ticksPerMs / Math.max(1, tally.completed)).toFixed(2);
  const sorted = Float64Array.from(tally.durations).sort();

  console.log(`streams completed: ${tally.completed}`);
  console.log(
    `errors: ${tally.errors}${
      tally.firstError === undefined ? "" : ` (first: ${tally.firstError})`
    }`,
  );
  console.log(
    `streams/s: ${(tally.completed / elapsedS).toFixed(0)} over ${elapsedS.toFixed(1)} s`,
  );
  console.log(
    `stream duration: p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p99 ${
      percentile(sorted, 0.99).toFixed(0)
    } ms`,
  );
  console.log(`gateway RSS before: ${mib(rssBefore)}`);
  console.log(
    `gateway peak RSS during (VmHWM${peakReset ? "" : ", since process start"}): ${mib(peak)}`,
  );
  console.log(`gateway RSS samples: ${samples.join("; ")}`);
  console.log(`gateway RSS at the end: ${mib(rssEnd)}`);
  if (settleS > 0) console.log(`gateway RSS ${settleS} s after the load: ${mib(rssSettled)}`);
  console.log(
    `CPU ms per stream: gateway ${perStream(0)}, mock upstream ${perStream(1)}, driver ${
      perStream(2)
    }`,
  );
  const exit = await Promise.race([gateway.exited, Promise.resolve(undefined)]);
  if (exit !== undefined) console.log(`GATEWAY EXITED with code ${exit}\n${gateway.output()}`);
  return tally.errors > 0 || tally.completed === 0 || exit !== undefined ? 1 : 0;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    stopAll().finally(() => Deno.exit(130));
  });
}
let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await stopAll();
}
Deno.exit(code);

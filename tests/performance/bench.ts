/**
 * `deno task bench`: gateway overhead benchmark against a local mock upstream.
 *
 * Spawns server processes on loopback — the mock upstream (`mock_upstream.ts`), the bare Deno
 * passthrough proxy (`passthrough.ts`, the floor for any Deno gateway), two more proxies that
 * call the upstream through the `openai` SDK (`sdk`: runtime-piped body; `sdk-relay`: every chunk
 * through JavaScript — the floors for a gateway built on the SDK) and the gateway itself
 * (`deno run <start task flags> main.ts start`, WORKERS=1) — then drives each scenario at a fixed
 * concurrency against (a) the upstream directly, (b) the passthrough, (c) the SDK floors (OpenAI
 * scenarios) and (d) the gateway, and prints req/s, p50/p99 latency, ratios to direct, CPU time
 * per request of each server process (utime+stime from /proc) and peak RSS (VmHWM, reset per
 * scenario).
 *
 * Scenarios: OpenAI JSON, OpenAI SSE (20 and 200 chunks), OpenAI SSE paced (500 streams open
 * at once, 50 ms to first byte, 10 ms between 200 chunks: peak RSS of the one gateway worker),
 * Bedrock Converse JSON and ConverseStream (20 deltas, AWS event-stream framing). For Bedrock,
 * direct, passthrough and the AWS SDK floor (`aws-sdk`: the `@aws-sdk/client-bedrock-runtime`
 * call alone, no conversion) send native Converse requests; the gateway gets OpenAI requests for
 * a Bedrock model (OpenAI in → Bedrock). OpenAI streams are also sent through the JS relay floor
 * (`relay-floor`: a bare proxy passing every chunk through a no-op TransformStream). The
 * Responses scenarios (JSON, JSON with `store: false`, SSE 20 chunks) send the gateway
 * `POST /v1/responses` for the OpenAI model, converted to Chat Completions for the mock and back;
 * their floors send the mock the Chat Completions body of the OpenAI scenarios (the same upstream
 * work). Embeddings sends the gateway alone `mock-embed` requests (no upstream); `limited-json` the
 * OpenAI JSON request with a virtual key that has RPM and TPM limits (reported against the static
 * key's OpenAI JSON before it and `static-json` after it, as CPU µs added per request). After the main
 * table: the gateway ÷ passthrough CPU, each API's gateway CPU over Chat Completions, CPU per
 * chunk with ratios to the floors, the targets and whether they are met, and the relay-mechanism
 * table of `stream_mechanisms.ts`. The gateway's SQLite store lives in a temporary DATA_DIR.
 *
 * Flags (or env): --duration=5 (BENCH_DURATION_S), --warmup=1 (BENCH_WARMUP_S), --concurrency=32
 * (BENCH_CONCURRENCY), --requests=1000000 max per run (BENCH_REQUESTS), --chunk-delay-ms=0
 * (BENCH_CHUNK_DELAY_MS), --only=openai-json,openai-sse,converse-json,converse-stream
 * (BENCH_ONLY; every id: `ScenarioId` in scenarios.ts), --log-level=warn (BENCH_LOG_LEVEL), --skip-check, --memory-sizes-mib=1,4,16
 * (BENCH_MEMORY_SIZES_MIB; 0 skips the memory table), --mechanisms-s=2 seconds per relay mechanism
 * (BENCH_MECHANISMS_S; 0 skips that table; BENCH_MECHANISMS_PACED=N adds each mechanism's peak
 * RSS with N paced streams), --settle=0 seconds to wait before reading
 * RSS again after it (BENCH_SETTLE_S); BENCH_GATEWAY_FLAGS adds deno flags to the gateway command
 * (e.g. V8 profiling flags).
 */
import { parseArgs } from "node:util";
import { numberOption, REPO, startTaskArgs } from "./gateway_command.ts";
import { fileURLToPath } from "node:url";
import { percentile, runLoad } from "./load.ts";
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
import { renderApiCosts, renderCpuRatios, renderTable, type Row } from "./report.ts";
import { measureMemory, renderMemory } from "./memory.ts";
import { renderStreamTable, renderTargets } from "./stream_report.ts";
import { runStreamMechanisms } from "./stream_mechanisms.ts";
import type { PassthroughMode } from "./passthrough.ts";
import {
  BENCH_ALIAS,
  CLIENT_KEY,
  OPENAI_MODEL,
  requestFor,
  runsOn,
  type Scenario,
  SCENARIOS,
  skippedRow,
  type TargetName,
} from "./scenarios.ts";

const HERE = fileURLToPath(new URL("./", import.meta.url));
const CPU_RATIO_TARGET = 3;

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    duration: { type: "string" },
    warmup: { type: "string" },
    concurrency: { type: "string" },
    requests: { type: "string" },
    "chunk-delay-ms": { type: "string" },
    only: { type: "string" },
    "log-level": { type: "string" },
    "skip-check": { type: "boolean" },
    "memory-sizes-mib": { type: "string" },
    settle: { type: "string" },
    "mechanisms-s": { type: "string" },
  },
});
const env = (name: string) => Deno.env.get(name);
const durationMs = 1000 * numberOption(flags.duration ?? env("BENCH_DURATION_S"), 5, 0, 600);
const warmupMs = 1000 * numberOption(flags.warmup ?? env("BENCH_WARMUP_S"), 1, 0, 60);
const concurrency = Math.max(
  1,
  numberOption(flags.concurrency ?? env("BENCH_CONCURRENCY"), 32, 0, 4096),
);
const maxRequests = numberOption(flags.requests ?? env("BENCH_REQUESTS"), 1_000_000, 0, 1e8);
const chunkDelayMs = numberOption(
  flags["chunk-delay-ms"] ?? env("BENCH_CHUNK_DELAY_MS"),
  0,
  0,
  1000,
);
const logLevel = flags["log-level"] ?? env("BENCH_LOG_LEVEL") ?? "warn";
const only = (flags.only ?? env("BENCH_ONLY"))?.split(",").map((s) => s.trim());
const memorySizes = (flags["memory-sizes-mib"] ?? env("BENCH_MEMORY_SIZES_MIB") ?? "1,4,16")
  .split(",").map((s) => numberOption(s.trim(), 0, 0, 64)).filter((n) => n > 0);
const mechanismsS = numberOption(
  flags["mechanisms-s"] ?? env("BENCH_MECHANISMS_S"),
  2,
  0,
  600,
);
const settleS = numberOption(flags.settle ?? env("BENCH_SETTLE_S"), 0, 0, 600);
const scenarios = SCENARIOS.filter((s) => only === undefined || only.includes(s.id));

let peakIsCumulative = false;
/** Run after the servers have stopped (the gateway's temporary data directory). */
const cleanups: (() => Promise<void>)[] = [];

/** The gateway's environment: loopback, one worker, both upstreams pointed at the mock, the
 * SQLite store (stored responses) in a temporary `dataDir`, and a config file there with the
 * same providers plus the bench alias (a failover over two OpenAI deployments). */
function gatewayEnv(upstream: string, port: number, dataDir: string): Record<string, string> {
  const config = `${dataDir}/gateway.yaml`;
  Deno.writeTextFileSync(
    config,
    [
      "providers:",
      "  openai: {kind: openai, api_key: '${OPENAI_API_KEY}', base_url: '${OPENAI_BASE_URL}'}",
      "  standby: {kind: openai, api_key: '${OPENAI_API_KEY}', base_url: '${OPENAI_BASE_URL}'}",
      "  bedrock: {kind: bedrock, region: us-east-1}",
      "  mock: {kind: mock}",
      "models:",
      `  - name: ${BENCH_ALIAS}`,
      "    deployments:",
      `      - {provider: openai, model: ${OPENAI_MODEL}}`,
      `      - {provider: standby, model: ${OPENAI_MODEL}}`,
      "",
    ].join("\n"),
  );
  return {
    GATEWAY_CONFIG: config,
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    PORT: String(port),
    WORKERS: "1",
    API_KEY: CLIENT_KEY,
    LOG_LEVEL: logLevel,
    UPSTREAM_MAX_RETRIES: "0",
    OPENAI_BASE_URL: `${upstream}/v1`,
    OPENAI_API_KEY: "sk-bench-0000000000000000",
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: upstream,
    AWS_ENDPOINT_URL_BEDROCK: upstream,
    AWS_ACCESS_KEY_ID: "AKIDBENCHMARK000000",
    AWS_SECRET_ACCESS_KEY: "bench-secret-key",
    AWS_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "1",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/** Creates the bench's rate-limited virtual key on the gateway (the static key is the admin
 * key): RPM and TPM limits and a budget far above what the run sends, so every request is
 * counted and settled in the in-memory limiter, budget-checked, and none is refused. */
async function createLimitedKey(origin: string): Promise<string> {
  const res = await fetch(`${origin}/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({
      name: "bench-limited",
      rpm_limit: 1_000_000_000,
      tpm_limit: 1_000_000_000,
      max_budget_usd: 1_000_000,
      budget_period: "monthly",
    }),
  });
  if (res.status !== 200) {
    throw new Error(`creating the bench key: ${res.status} ${await res.text()}`);
  }
  return (await res.json()).key;
}

let limitedKey: string | undefined;

async function measure(
  target: TargetName,
  server: ServerProcess,
  upstream: ServerProcess,
  scenario: Scenario,
  ticksPerMs: number,
): Promise<Row> {
  const request = requestFor(target, server.origin, scenario, limitedKey);
  const spec = { ...request, concurrency: scenario.concurrency ?? concurrency, maxRequests };
  if (warmupMs > 0 && scenario.noWarmup !== true) await runLoad({ ...spec, durationMs: warmupMs });
  if (!(await resetPeakRss(server.pid))) peakIsCumulative = true;
  const startRssMiB = await rssMiB(server.pid);
  const before = await cpuTicks([server.pid, upstream.pid, Deno.pid]);
  const result = await runLoad({ ...spec, durationMs });
  const after = await cpuTicks([server.pid, upstream.pid, Deno.pid]);
  const perResponse = (i: number) => (after[i] - before[i]) / ticksPerMs / result.responses;
  return {
    target,
    scenario: scenario.title,
    responses: result.responses,
    errors: result.errors,
    rps: result.responses / (result.elapsedMs / 1000),
    p50: percentile(result.latencies, 0.5),
    p99: percentile(result.latencies, 0.99),
    cpuMs: perResponse(0),
    upstreamCpuMs: server === upstream ? NaN : perResponse(1),
    driverCpuMs: perResponse(2),
    peakRssMiB: await peakRssMiB(server.pid),
    startRssMiB,
    firstError: result.firstError,
  };
}

async function main(): Promise<number> {
  const ticksPerSecond = await clockTicks();
  const childEnv = { NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost" };
  console.log(
    `gateway benchmark: concurrency ${concurrency}, ${durationMs / 1000} s per run after ${
      warmupMs / 1000
    } s warm-up, ${navigator.hardwareConcurrency} CPUs, CLK_TCK ${ticksPerSecond}, ` +
      `deno ${Deno.version.deno}, upstream chunk delay ${chunkDelayMs} ms`,
  );

  const upstream = await spawnServer({
    name: "mock upstream",
    args: ["run", "--allow-net", `${HERE}mock_upstream.ts`, "0", String(chunkDelayMs)],
    cwd: REPO,
    env: childEnv,
  });
  if (flags["skip-check"] !== true) {
    const { checkBedrockMock } = await import("./bedrock_mock_check.ts");
    console.log(
      `mock self-check (@aws-sdk/client-bedrock-runtime): ${await checkBedrockMock(
        upstream.origin,
      )}`,
    );
  }
  const proxy = (name: string, mode: PassthroughMode) =>
    spawnServer({
      name,
      args: [
        "run",
        "--allow-net",
        ...(mode === "aws-sdk" ? ["--allow-env", "--allow-read", "--allow-sys"] : []),
        `${HERE}passthrough.ts`,
        upstream.origin,
        mode,
      ],
      cwd: REPO,
      env: childEnv,
    });
  const passthrough = await proxy("passthrough", "fetch");
  const sdkFloor = await proxy("sdk floor", "sdk");
  const sdkRelayFloor = await proxy("sdk relay floor", "sdk-relay");
  const relayFloor = await proxy("JS relay floor", "transform");
  const awsFloor = await proxy("aws sdk floor", "aws-sdk");
  const port = freePort();
  const dataDir = await Deno.makeTempDir({ prefix: "bench-data-" });
  cleanups.push(() => Deno.remove(dataDir, { recursive: true }));
  let gateway: ServerProcess | undefined;
  let gatewayFailure = "";
  try {
    gateway = await spawnServer({
      name: "gateway",
      args: startTaskArgs(),
      cwd: REPO,
      port,
      readyPath: "/health",
      env: { ...childEnv, ...gatewayEnv(upstream.origin, port, dataDir) },
    });
  } catch (error) {
    gatewayFailure = error instanceof Error ? error.message : String(error);
    console.log(`GATEWAY FAILED TO START — its rows are skipped:\n${gatewayFailure}\n`);
  }
  if (gateway !== undefined && scenarios.some((s) => s.limitedKey === true)) {
    limitedKey = await createLimitedKey(gateway.origin);
  }
  console.log(
    `pids: mock upstream ${upstream.pid}, passthrough ${passthrough.pid}, sdk ${sdkFloor.pid}, ` +
      `sdk-relay ${sdkRelayFloor.pid}, relay-floor ${relayFloor.pid}, aws-sdk ${awsFloor.pid}, ` +
      `gateway ${gateway?.pid ?? "—"} (deno ${startTaskArgs().join(" ")})\n`,
  );

  const ticksPerMs = ticksPerSecond / 1000;
  const rows: Row[] = [];
  const targets: [TargetName, ServerProcess | undefined][] = [
    ["direct", upstream],
    ["passthrough", passthrough],
    ["relay-floor", relayFloor],
    ["sdk", sdkFloor],
    ["sdk-relay", sdkRelayFloor],
    ["aws-sdk", awsFloor],
    ["gateway", gateway],
  ];
  for (const scenario of scenarios) {
    for (const [name, server] of targets) {
      if (!runsOn(name, scenario)) continue;
      if (server === undefined) {
        rows.push(skippedRow(name, scenario, "skipped (gateway did not start)"));
        continue;
      }
      const row = await measure(name, server, upstream, scenario, ticksPerMs);
      rows.push(row);
      console.error(
        `  ${name} · ${scenario.title}: ${row.rps.toFixed(0)} req/s, ${row.errors} errors`,
      );
    }
  }

  console.log(renderTable(rows));
  console.log();
  console.log(
    renderCpuRatios(rows, CPU_RATIO_TARGET, [
      "OpenAI JSON",
      SCENARIOS.find((s) => s.id === "openai-sse")!.title,
    ]),
  );
  const titleOf = (id: string) => SCENARIOS.find((s) => s.id === id)!.title;
  const apiCosts = renderApiCosts(rows, [
    { scenario: titleOf("responses-json"), baseline: titleOf("openai-json"), chunks: 0 },
    { scenario: titleOf("responses-json-nostore"), baseline: titleOf("openai-json"), chunks: 0 },
    { scenario: titleOf("alias-json"), baseline: titleOf("openai-json"), chunks: 0 },
    {
      scenario: titleOf("responses-sse"),
      baseline: titleOf("openai-sse"),
      chunks: SCENARIOS.find((s) => s.id === "responses-sse")!.chunks,
    },
  ]);
  if (apiCosts !== "") console.log(`\n${apiCosts}`);
  const gatewayRow = (id: string) =>
    rows.find((r) => r.target === "gateway" && r.scenario === titleOf(id) && r.responses > 0);
  const limited = gatewayRow("limited-json");
  const before = gatewayRow("openai-json");
  const after = gatewayRow("static-json");
  if (limited !== undefined && before !== undefined) {
    const baseline = after === undefined ? before.cpuMs : (before.cpuMs + after.cpuMs) / 2;
    const us = (ms: number) => (ms * 1000).toFixed(1);
    console.log(
      `\nRate limits (virtual key with RPM+TPM, in-memory limiter, vs the static key; same run): ${
        us(limited.cpuMs - baseline)
      } µs CPU per request added (${us(limited.cpuMs)} µs vs ${us(baseline)} µs, the mean of ${
        after === undefined
          ? "the static run"
          : `${us(before.cpuMs)} before and ${us(after.cpuMs)} after`
      }; includes hashing the virtual key).`,
    );
  }
  console.log(
    `\nCPU per chunk (server process; floors: relay-floor for OpenAI, aws-sdk for Bedrock):`,
  );
  console.log(renderStreamTable(rows, scenarios));
  console.log();
  console.log(renderTargets(rows, scenarios));
  const driver = rows.filter((r) => Number.isFinite(r.driverCpuMs)).map((r) => r.driverCpuMs);
  console.log(
    `\nCPU ms/req: the server process named in "target" (the mock itself for direct); ` +
      `upstream = the mock behind a proxy. Driver (load generator) CPU: ` +
      `${Math.min(...driver).toFixed(3)}–${Math.max(...driver).toFixed(3)} ms/req. ` +
      `With ${navigator.hardwareConcurrency} CPUs shared by driver, proxy and mock, req/s is ` +
      `machine-bound; CPU per request is the steady figure. Peak RSS: VmHWM ${
        peakIsCumulative ? "since process start (clear_refs not permitted)" : "reset per run"
      }.`,
  );
  if (gateway !== undefined && memorySizes.length > 0) {
    const idle = await rssMiB(gateway.pid);
    const memory = await measureMemory(gateway, memorySizes);
    console.log(`\nMemory per request (gateway, OpenAI path, one request at a time):`);
    console.log(renderMemory(memory));
    if (settleS > 0) {
      const loaded = await rssMiB(gateway.pid);
      await new Promise((r) => setTimeout(r, settleS * 1000));
      const settled = await rssMiB(gateway.pid);
      console.log(
        `RSS: ${idle.toFixed(0)} MiB before the memory runs, ${loaded.toFixed(0)} MiB after, ` +
          `${settled.toFixed(0)} MiB ${settleS} s later (${
            ((settled / idle - 1) * 100).toFixed(0)
          }% above the first).`,
      );
    }
  }
  if (mechanismsS > 0) {
    console.log(`\nRelay mechanisms (stream_mechanisms.ts, relay process CPU, 200-chunk streams):`);
    const { table } = await runStreamMechanisms({
      chunks: 200,
      durationMs: mechanismsS * 1000,
      warmupMs: 300,
      concurrency: 8,
      pacedStreams: numberOption(env("BENCH_MECHANISMS_PACED"), 0, 0, 4096),
    }, upstream.origin);
    console.log(table);
  }
  const failed = rows.filter((r) => r.errors > 0);
  for (const r of failed) {
    console.log(`ERRORS ${r.target} · ${r.scenario}: ${r.errors}; first: ${r.firstError}`);
  }
  return failed.length > 0 || gateway === undefined ? 1 : 0;
}

async function runCleanups(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {});
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    stopAll().then(runCleanups).finally(() => Deno.exit(130));
  });
}
let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await stopAll();
  await runCleanups();
}
Deno.exit(code);

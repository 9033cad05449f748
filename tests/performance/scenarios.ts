/**
 * Benchmark scenarios: what each target is sent and how its answer is checked.
 */
import { ANSWER_TEXT, converseStreamFrames, STREAM_CHUNKS } from "./mock_upstream.ts";
import type { Row } from "./report.ts";

/** A Bedrock model id (OpenAI in → Bedrock Converse through the gateway). */
export const BEDROCK_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";
/** An OpenAI model id. */
export const OPENAI_MODEL = "gpt-4o-mini";
/** The client key the gateway is started with (API_KEY) and every request sends. */
export const CLIENT_KEY = "bench-client-key";

/**
 * Who is driven: the mock itself, the bare passthrough, the JS relay floor (a no-op
 * TransformStream on every chunk), the floors of a gateway built on the `openai` SDK (OpenAI
 * scenarios only) or on the AWS SDK (Bedrock scenarios only; see `passthrough.ts`), or the
 * gateway.
 */
export type TargetName =
  | "direct"
  | "passthrough"
  | "relay-floor"
  | "sdk"
  | "sdk-relay"
  | "aws-sdk"
  | "gateway";

/** The targets that only proxy OpenAI requests. */
export const OPENAI_ONLY_TARGETS: TargetName[] = ["relay-floor", "sdk", "sdk-relay"];
/** The targets that only proxy Bedrock requests. */
export const BEDROCK_ONLY_TARGETS: TargetName[] = ["aws-sdk"];

/** Scenario ids accepted by `--only`. */
export type ScenarioId =
  | "openai-json"
  | "openai-sse"
  | "openai-sse-200"
  | "openai-sse-paced"
  | "converse-json"
  | "converse-stream";

/** One workload. */
export interface Scenario {
  id: ScenarioId;
  title: string;
  /** Bedrock upstream: direct and passthrough send native Converse, the gateway OpenAI. */
  bedrock: boolean;
  stream: boolean;
  /** Content chunks per streamed answer (the mock's `bench_chunks`). */
  chunks: number;
  /** A paced upstream: wait before the headers and between chunks. */
  paced?: { firstByteMs: number; chunkDelayMs: number };
  /** Concurrent streams instead of the bench's `--concurrency`. */
  concurrency?: number;
  /** Only these targets (default: all that speak the scenario's upstream). */
  targets?: TargetName[];
  /** No warm-up run (for the paced scenario it would be one more wave of open streams). */
  noWarmup?: boolean;
}

/** The paced scenario's shape: 500 streams open at once, 50 ms to first byte, 10 ms per chunk. */
export const PACED = { streams: 500, firstByteMs: 50, chunkDelayMs: 10, chunks: 200 };

/** Every scenario, in run order: the paced one first and without warm-up, so its peak RSS is
 * that of a worker fresh from start-up, not of one grown by the other scenarios. */
export const SCENARIOS: Scenario[] = [
  {
    id: "openai-sse-paced",
    title: `OpenAI SSE paced ×${PACED.streams}`,
    bedrock: false,
    stream: true,
    chunks: PACED.chunks,
    paced: { firstByteMs: PACED.firstByteMs, chunkDelayMs: PACED.chunkDelayMs },
    concurrency: PACED.streams,
    targets: ["passthrough", "relay-floor", "gateway"],
    noWarmup: true,
  },
  { id: "openai-json", title: "OpenAI JSON", bedrock: false, stream: false, chunks: 0 },
  {
    id: "openai-sse",
    title: `OpenAI SSE ${STREAM_CHUNKS} chunks`,
    bedrock: false,
    stream: true,
    chunks: STREAM_CHUNKS,
  },
  {
    id: "openai-sse-200",
    title: "OpenAI SSE 200 chunks",
    bedrock: false,
    stream: true,
    chunks: 200,
  },
  { id: "converse-json", title: "Bedrock Converse JSON", bedrock: true, stream: false, chunks: 0 },
  {
    id: "converse-stream",
    title: `Bedrock ConverseStream ${STREAM_CHUNKS}`,
    bedrock: true,
    stream: true,
    chunks: STREAM_CHUNKS,
  },
];

/** Whether `target` is run for `scenario`. */
export function runsOn(target: TargetName, scenario: Scenario): boolean {
  if (scenario.targets !== undefined) return scenario.targets.includes(target);
  return scenario.bedrock
    ? !OPENAI_ONLY_TARGETS.includes(target)
    : !BEDROCK_ONLY_TARGETS.includes(target);
}

const decoder = new TextDecoder();
const converseStreamBytes = converseStreamFrames().reduce((n, f) => n + f.length, 0);

function chatBody(model: string, stream: boolean, scenario: Scenario): string {
  const shape = scenario.chunks !== STREAM_CHUNKS && stream
    ? { bench_chunks: scenario.chunks }
    : {};
  const pacing = scenario.paced === undefined ? {} : {
    bench_first_byte_ms: scenario.paced.firstByteMs,
    bench_chunk_delay_ms: scenario.paced.chunkDelayMs,
  };
  return JSON.stringify({
    ...shape,
    ...pacing,
    model,
    messages: [
      { role: "system", content: "You are a concise assistant." },
      { role: "user", content: "In one sentence, why do we benchmark gateways?" },
    ],
    max_tokens: 64,
    temperature: 0.2,
    ...(stream ? { stream: true } : {}),
  });
}

const converseBody = JSON.stringify({
  system: [{ text: "You are a concise assistant." }],
  messages: [{
    role: "user",
    content: [{ text: "In one sentence, why do we benchmark gateways?" }],
  }],
  inferenceConfig: { maxTokens: 64, temperature: 0.2 },
});

const sseOk = (chunks: number) => (body: Uint8Array) => {
  const text = decoder.decode(body);
  return text.endsWith("data: [DONE]\n\n") && !text.includes('"error"') &&
    text.split("data: ").length - 1 >= chunks + 1;
};
/** The AWS SDK floor's stream: one `data:` line per event, every delta's text. */
const awsStreamOk = (body: Uint8Array) => {
  const text = decoder.decode(body);
  return text.split('"contentBlockDelta"').length - 1 === STREAM_CHUNKS &&
    text.includes('"messageStop"');
};
const jsonOk = (body: Uint8Array) => decoder.decode(body).includes(ANSWER_TEXT);

/** URL, body and validation of one target × scenario. */
export function requestFor(target: TargetName, origin: string, scenario: Scenario) {
  const headers = { "content-type": "application/json", authorization: `Bearer ${CLIENT_KEY}` };
  if (scenario.bedrock && target !== "gateway") {
    const op = scenario.stream ? "converse-stream" : "converse";
    return {
      url: `${origin}/model/${encodeURIComponent(BEDROCK_MODEL)}/${op}`,
      body: converseBody,
      headers,
      validate: !scenario.stream
        ? jsonOk
        : target === "aws-sdk"
        ? awsStreamOk
        : (b: Uint8Array) => b.length === converseStreamBytes,
    };
  }
  return {
    url: `${origin}/v1/chat/completions`,
    body: chatBody(scenario.bedrock ? BEDROCK_MODEL : OPENAI_MODEL, scenario.stream, scenario),
    headers,
    validate: scenario.stream ? sseOk(scenario.chunks) : jsonOk,
  };
}

/** A table row for a target × scenario that was not run. */
export function skippedRow(target: TargetName, scenario: Scenario, why: string): Row {
  return {
    target,
    scenario: scenario.title,
    skipped: why,
    responses: 0,
    errors: 0,
    rps: NaN,
    p50: NaN,
    p99: NaN,
    cpuMs: NaN,
    upstreamCpuMs: NaN,
    driverCpuMs: NaN,
    peakRssMiB: NaN,
  };
}

/**
 * Benchmark scenarios: what each target is sent and how its answer is checked.
 */
import { ANSWER_TEXT, converseStreamFrames, STREAM_CHUNKS } from "./mock_upstream.ts";
import type { Row } from "./report.ts";

/** A Bedrock model id (OpenAI in → Bedrock Converse through the gateway). */
export const BEDROCK_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";
/** An OpenAI model id. */
export const OPENAI_MODEL = "gpt-4o-mini";
/** The alias the gateway's bench config file defines: a failover over two OpenAI deployments
 * of {@link OPENAI_MODEL} (the first answers), so the router's cost shows against OpenAI JSON. */
export const BENCH_ALIAS = "bench-alias";
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
  | "converse-stream"
  | "responses-json"
  | "responses-sse"
  | "responses-json-nostore"
  | "embeddings-json"
  | "alias-json"
  | "limited-json"
  | "static-json";

/** What the gateway is sent: Chat Completions (default), the Responses API (converted to Chat
 * Completions for the OpenAI upstream and back) or `/v1/embeddings` with `mock-embed`. */
export type GatewayApi = "chat" | "responses" | "embeddings";

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
  /** Send the gateway the request with the bench's rate-limited virtual key (RPM + TPM, never
   * reached) instead of the static key: the rate limiter's cost on the hot path. */
  limitedKey?: boolean;
  /** Send the Responses request with `store: false` (nothing saved in the SQLite store). */
  noStore?: boolean;
  /** The gateway's API (default `chat`); the floors always send Chat Completions to the mock,
   * the same upstream work as the gateway's converted request. */
  api?: GatewayApi;
  /** The model the gateway is sent (default the OpenAI or Bedrock id); the floors always send
   * {@link OPENAI_MODEL}. */
  gatewayModel?: string;
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
  {
    id: "responses-json",
    title: "Responses JSON",
    bedrock: false,
    stream: false,
    chunks: 0,
    api: "responses",
  },
  {
    id: "responses-sse",
    title: `Responses SSE ${STREAM_CHUNKS} chunks`,
    bedrock: false,
    stream: true,
    chunks: STREAM_CHUNKS,
    api: "responses",
  },
  {
    id: "responses-json-nostore",
    title: "Responses JSON store:false",
    bedrock: false,
    stream: false,
    chunks: 0,
    api: "responses",
    noStore: true,
    targets: ["passthrough", "gateway"],
  },
  {
    id: "alias-json",
    title: "OpenAI JSON via alias",
    bedrock: false,
    stream: false,
    chunks: 0,
    gatewayModel: BENCH_ALIAS,
    targets: ["passthrough", "gateway"],
  },
  {
    id: "limited-json",
    title: "OpenAI JSON, key with RPM+TPM",
    bedrock: false,
    stream: false,
    chunks: 0,
    limitedKey: true,
    targets: ["gateway"],
  },
  {
    // The static key's OpenAI JSON once more, right after: the limited run is compared with the
    // mean of the runs before and after it (later runs of a process tend to be cheaper).
    id: "static-json",
    title: "OpenAI JSON, static key again",
    bedrock: false,
    stream: false,
    chunks: 0,
    targets: ["gateway"],
  },
  {
    id: "embeddings-json",
    title: "Embeddings mock-embed",
    bedrock: false,
    stream: false,
    chunks: 0,
    api: "embeddings",
    targets: ["gateway"],
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

/** The Responses request equal to {@link chatBody}'s; `store` is left to the gateway's default
 * (saved) unless `noStore`. */
function responsesBody(stream: boolean, noStore: boolean): string {
  return JSON.stringify({
    model: OPENAI_MODEL,
    instructions: "You are a concise assistant.",
    input: "In one sentence, why do we benchmark gateways?",
    max_output_tokens: 64,
    temperature: 0.2,
    ...(stream ? { stream: true } : {}),
    ...(noStore ? { store: false } : {}),
  });
}

/** Three short texts for `mock-embed` (no upstream: the gateway's own CPU per request). */
const embeddingsBody = JSON.stringify({
  model: "mock-embed",
  input: ["Why do we benchmark gateways?", "To know their cost per request.", "And per chunk."],
});

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
/** A Response object whose first output item's first part is the mock's text. */
const responseOk = (body: Uint8Array) => {
  const response = JSON.parse(decoder.decode(body));
  return response.object === "response" && response.status === "completed" &&
    response.output?.[0]?.content?.[0]?.text === ANSWER_TEXT;
};
/** A Responses event stream that ends with `response.completed` carrying the mock's text, with
 * no error or failure event before it. */
const responsesSseOk = (body: Uint8Array) => {
  const text = decoder.decode(body);
  const last = text.lastIndexOf("event: response.completed\n");
  return last > 0 && text.endsWith("\n\n") && text.startsWith("event: response.created\n") &&
    !text.includes("event: error\n") && !text.includes("event: response.failed\n") &&
    text.indexOf(`"text":${JSON.stringify(ANSWER_TEXT)}`, last) > 0 &&
    text.indexOf("\n\nevent: ", last) === -1;
};
/** An embeddings list of the three inputs. */
const embeddingsOk = (body: Uint8Array) => {
  const list = JSON.parse(decoder.decode(body));
  return list.object === "list" && list.data?.length === 3 &&
    list.data[2].embedding?.length > 0;
};

/** URL, body and validation of one target × scenario. */
export function requestFor(
  target: TargetName,
  origin: string,
  scenario: Scenario,
  limitedKey?: string,
) {
  const key = target === "gateway" && scenario.limitedKey === true ? limitedKey : CLIENT_KEY;
  if (key === undefined) throw new Error(`${scenario.id} needs the rate-limited key`);
  const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
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
  if (target === "gateway" && scenario.api === "responses") {
    return {
      url: `${origin}/v1/responses`,
      body: responsesBody(scenario.stream, scenario.noStore === true),
      headers,
      validate: scenario.stream ? responsesSseOk : responseOk,
    };
  }
  if (target === "gateway" && scenario.api === "embeddings") {
    return {
      url: `${origin}/v1/embeddings`,
      body: embeddingsBody,
      headers,
      validate: embeddingsOk,
    };
  }
  return {
    url: `${origin}/v1/chat/completions`,
    body: chatBody(
      target === "gateway" && scenario.gatewayModel !== undefined
        ? scenario.gatewayModel
        : scenario.bedrock
        ? BEDROCK_MODEL
        : OPENAI_MODEL,
      scenario.stream,
      scenario,
    ),
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

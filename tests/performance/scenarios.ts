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
 * Who is driven: the mock itself, the bare passthrough, the floors of a gateway built on the
 * `openai` SDK (OpenAI scenarios only; see `passthrough.ts`), or the gateway.
 */
export type TargetName = "direct" | "passthrough" | "sdk" | "sdk-relay" | "gateway";

/** The targets that only proxy OpenAI requests. */
export const OPENAI_ONLY_TARGETS: TargetName[] = ["sdk", "sdk-relay"];

/** Scenario ids accepted by `--only`. */
export type ScenarioId = "openai-json" | "openai-sse" | "converse-json" | "converse-stream";

/** One workload. */
export interface Scenario {
  id: ScenarioId;
  title: string;
  /** Bedrock upstream: direct and passthrough send native Converse, the gateway OpenAI. */
  bedrock: boolean;
  stream: boolean;
}

/** Every scenario, in run order. */
export const SCENARIOS: Scenario[] = [
  { id: "openai-json", title: "OpenAI JSON", bedrock: false, stream: false },
  { id: "openai-sse", title: `OpenAI SSE ${STREAM_CHUNKS} chunks`, bedrock: false, stream: true },
  { id: "converse-json", title: "Bedrock Converse JSON", bedrock: true, stream: false },
  {
    id: "converse-stream",
    title: `Bedrock ConverseStream ${STREAM_CHUNKS}`,
    bedrock: true,
    stream: true,
  },
];

const decoder = new TextDecoder();
const converseStreamBytes = converseStreamFrames().reduce((n, f) => n + f.length, 0);

function chatBody(model: string, stream: boolean): string {
  return JSON.stringify({
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

const sseOk = (body: Uint8Array) => {
  const text = decoder.decode(body);
  return text.endsWith("data: [DONE]\n\n") && !text.includes('"error"') &&
    text.split("data: ").length - 1 >= STREAM_CHUNKS + 1;
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
      validate: scenario.stream ? (b: Uint8Array) => b.length === converseStreamBytes : jsonOk,
    };
  }
  return {
    url: `${origin}/v1/chat/completions`,
    body: chatBody(scenario.bedrock ? BEDROCK_MODEL : OPENAI_MODEL, scenario.stream),
    headers,
    validate: scenario.stream ? sseOk : jsonOk,
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

/**
 * Benchmark mock upstream, run as its own process so its CPU is not counted with the driver's.
 *
 * Serves, on loopback, precomputed answers as fast as it can:
 * - `POST …/chat/completions`: an OpenAI chat completion (JSON), or with `"stream": true` an SSE
 *   stream of 20 `chat.completion.chunk` events (+ a usage chunk when
 *   `stream_options.include_usage` is true) and `data: [DONE]`;
 * - `POST /model/{id}/converse`: a Bedrock Converse JSON answer;
 * - `POST /model/{id}/converse-stream`: a Bedrock ConverseStream answer in AWS event-stream
 *   binary framing (messageStart, contentBlockDelta ×20, contentBlockStop, messageStop,
 *   metadata), encoded with `@smithy/eventstream-codec`;
 * - `GET /health`.
 *
 * Bench-only request fields (forwarded by the gateway like any unknown field) shape a stream:
 * `bench_chunks` (content chunks, default {@link STREAM_CHUNKS}), `bench_first_byte_ms` (wait
 * before the answer's headers) and `bench_chunk_delay_ms` (wait between chunks; default the
 * process-wide `chunkDelayMs`).
 *
 * Usage: `deno run --allow-net tests/performance/mock_upstream.ts [port] [chunkDelayMs]`. Prints
 * `{"port":N}` on stdout once listening.
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";

/** Number of content chunks in every streamed answer. */
export const STREAM_CHUNKS = 20;

/** The words the mock answers with, one per streamed chunk. */
export const WORDS: readonly string[] = Array.from(
  { length: STREAM_CHUNKS },
  (_, i) => (i === 0 ? "Benchmarks" : ` word${i}`),
);

/** The full answer text (all chunks concatenated). */
export const ANSWER_TEXT: string = WORDS.join("");

/** The words of an `n`-chunk answer (the first {@link STREAM_CHUNKS} are {@link WORDS}). */
export function wordsOf(n: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? "Benchmarks" : ` word${i}`));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CREATED = 1_735_689_600;
const ID = "chatcmpl-bench0000000000000000000000";
const USAGE = { prompt_tokens: 24, completion_tokens: STREAM_CHUNKS, total_tokens: 44 };

function openaiJson(model: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(JSON.stringify({
    id: ID,
    object: "chat.completion",
    created: CREATED,
    model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: ANSWER_TEXT, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: "stop",
    }],
    usage: {
      ...USAGE,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
    service_tier: "default",
    system_fingerprint: "fp_bench",
  }));
}

function openaiChunks(
  model: string,
  includeUsage: boolean,
  chunks: number,
): Uint8Array<ArrayBuffer>[] {
  const base = {
    id: ID,
    object: "chat.completion.chunk",
    created: CREATED,
    model,
    service_tier: "default",
    system_fingerprint: "fp_bench",
  };
  const events: unknown[] = wordsOf(chunks).map((word, i) => ({
    ...base,
    choices: [{
      index: 0,
      delta: i === 0 ? { role: "assistant", content: word, refusal: null } : { content: word },
      logprobs: null,
      finish_reason: i === chunks - 1 ? "stop" : null,
    }],
    ...(includeUsage ? { usage: null } : {}),
  }));
  if (includeUsage) {
    events.push({
      ...base,
      choices: [],
      usage: { prompt_tokens: 24, completion_tokens: chunks, total_tokens: 24 + chunks },
    });
  }
  return [
    ...events.map((e) => encoder.encode(`data: ${JSON.stringify(e)}\n\n`)),
    encoder.encode("data: [DONE]\n\n"),
  ];
}

const CONVERSE_JSON = encoder.encode(JSON.stringify({
  output: { message: { role: "assistant", content: [{ text: ANSWER_TEXT }] } },
  stopReason: "end_turn",
  usage: { inputTokens: 24, outputTokens: STREAM_CHUNKS, totalTokens: 44 },
  metrics: { latencyMs: 120 },
}));

const codec = new EventStreamCodec(
  (bytes: Uint8Array) => decoder.decode(bytes),
  (text: string) => encoder.encode(text),
);

/** One event-stream frame as Bedrock sends it (`:message-type: event`, JSON payload). */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: eventType },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: encoder.encode(JSON.stringify(payload)),
  });
}

/** The ConverseStream frames of the answer, including Bedrock's `p` padding field. */
export function converseStreamFrames(): Uint8Array[] {
  const p = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123";
  return [
    eventFrame("messageStart", { p, role: "assistant" }),
    ...WORDS.map((text) =>
      eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text }, p })
    ),
    eventFrame("contentBlockStop", { contentBlockIndex: 0, p }),
    eventFrame("messageStop", { p, stopReason: "end_turn" }),
    eventFrame("metadata", {
      metrics: { latencyMs: 120 },
      p,
      usage: { inputTokens: 24, outputTokens: STREAM_CHUNKS, totalTokens: 44 },
    }),
  ];
}

const CONVERSE_FRAMES = converseStreamFrames();
const chunkCache = new Map<string, Uint8Array<ArrayBuffer>[]>();
const jsonCache = new Map<string, Uint8Array<ArrayBuffer>>();

function streamOf(parts: Uint8Array[], delayMs: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (delayMs > 0 && i > 0) await new Promise((r) => setTimeout(r, delayMs));
      if (i < parts.length) controller.enqueue(parts[i++]);
      if (i >= parts.length) controller.close();
    },
  }, { highWaterMark: 0 });
}

const REQUEST_ID = { "x-amzn-requestid": "00000000-0000-4000-8000-000000000000" };

/** The mock's request handler. */
export function createHandler(chunkDelayMs = 0): (request: Request) => Promise<Response> {
  return async (request) => {
    const path = new URL(request.url).pathname;
    if (request.method === "GET" && path === "/health") return new Response("ok");
    if (request.method !== "POST") return new Response("not found", { status: 404 });
    const text = await request.text();
    if (path.endsWith("/chat/completions")) {
      const body = JSON.parse(text) as {
        model?: string;
        stream?: boolean;
        stream_options?: { include_usage?: boolean };
        bench_chunks?: number;
        bench_first_byte_ms?: number;
        bench_chunk_delay_ms?: number;
      };
      const model = body.model ?? "gpt-4o-mini";
      if (body.stream === true) {
        const includeUsage = body.stream_options?.include_usage === true;
        const n = body.bench_chunks ?? STREAM_CHUNKS;
        const key = `${model}\n${includeUsage}\n${n}`;
        let chunks = chunkCache.get(key);
        if (chunks === undefined) {
          chunkCache.set(key, chunks = openaiChunks(model, includeUsage, n));
        }
        const firstByteMs = body.bench_first_byte_ms ?? 0;
        if (firstByteMs > 0) await new Promise((r) => setTimeout(r, firstByteMs));
        return new Response(streamOf(chunks, body.bench_chunk_delay_ms ?? chunkDelayMs), {
          headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
        });
      }
      let json = jsonCache.get(model);
      if (json === undefined) jsonCache.set(model, json = openaiJson(model));
      return new Response(json, { headers: { "content-type": "application/json" } });
    }
    if (path.startsWith("/model/") && path.endsWith("/converse")) {
      return new Response(CONVERSE_JSON, {
        headers: { "content-type": "application/json", ...REQUEST_ID },
      });
    }
    if (path.startsWith("/model/") && path.endsWith("/converse-stream")) {
      return new Response(streamOf(CONVERSE_FRAMES, chunkDelayMs), {
        headers: { "content-type": "application/vnd.amazon.eventstream", ...REQUEST_ID },
      });
    }
    return new Response(JSON.stringify({ message: `no route ${path}` }), {
      status: 404,
      headers: {
        "content-type": "application/json",
        "x-amzn-errortype": "UnknownOperationException",
      },
    });
  };
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? "0");
  const delay = Number(Deno.args[1] ?? "0");
  Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: (addr) => console.log(JSON.stringify({ port: addr.port })),
  }, createHandler(delay));
}

/**
 * A local fake of the Bedrock Runtime (and the control-plane listing) REST wire protocol, for
 * tests that drive the real `@aws-sdk/client-bedrock-runtime` / `@aws-sdk/client-bedrock`
 * clients. It speaks what the service speaks: JSON bodies, AWS event-stream binary framing
 * with CRCs (`@smithy/eventstream-codec`), exception frames, `x-amzn-errortype` HTTP errors and
 * a required `Authorization` header (SigV4 or a Bedrock API key bearer token).
 *
 * Tests script replies in order with {@link FakeBedrock.enqueue}; without a script every
 * operation answers with a small deterministic default (the embedding models: their real answer
 * shapes, `bedrock_embeddings.ts`).
 */
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { embeddingReply } from "./bedrock_embeddings.ts";
import {
  countTokensRefusal,
  decodeCountTokensBody,
  fakeTokenCount,
} from "./bedrock_count_tokens.ts";

/** The runtime operations the fake implements. */
export type BedrockOperation =
  | "converse"
  | "converse-stream"
  | "invoke"
  | "invoke-with-response-stream"
  | "count-tokens";

/** A request the fake received. */
export interface RecordedRequest {
  method: string;
  /** Raw path, still URL-encoded. */
  path: string;
  operation: BedrockOperation | "list-foundation-models" | "list-inference-profiles";
  /** The decoded `{modelId}` path segment (ids, profile ids and ARNs). */
  modelId?: string;
  headers: Record<string, string>;
  /** Parsed JSON body (undefined for GETs or non-JSON bodies). */
  body?: unknown;
  /** CountTokens: the model body decoded from `input.invokeModel.body`. */
  countedBody?: unknown;
  /** The access key id from a SigV4 `Credential=` scope, when signed that way. */
  accessKeyId?: string;
  /** Set when the client went away before the reply finished. */
  aborted: boolean;
}

/** One frame of a streamed reply. */
export type StreamFrame =
  | { event: string; payload: unknown }
  | { exception: string; message: string };

/** Bedrock exception names the fake can answer with, and their HTTP statuses. */
export const BEDROCK_ERROR_STATUS = {
  ThrottlingException: 429,
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ServiceUnavailableException: 503,
  ModelNotReadyException: 429,
  InternalServerException: 500,
  ModelErrorException: 424,
  ServiceQuotaExceededException: 400,
} as const;

/** A scripted reply. */
export type Reply =
  | { kind: "json"; body: unknown; status?: number; headers?: Record<string, string> }
  | {
    kind: "stream";
    frames: StreamFrame[];
    /** Pause before each frame. */
    delayMs?: number;
    /** Keep the stream open after the frames until the client aborts (or the fake closes). */
    hang?: boolean;
  }
  | {
    kind: "error";
    type: keyof typeof BEDROCK_ERROR_STATUS | string;
    message?: string;
    status?: number;
    headers?: Record<string, string>;
  }
  /** Never answer; records the abort when the client leaves. */
  | { kind: "hang" }
  /** Wait, then answer with `then`. */
  | { kind: "delay"; ms: number; then: Reply };

/** Options of {@link startFakeBedrock}. */
export interface FakeBedrockOptions {
  /**
   * The reply to a runtime request when the queue is empty; returning undefined (or no option)
   * gives the small built-in default. Fuzz tests use it to answer native bodies realistically.
   */
  fallback?: (request: RecordedRequest) => Reply | undefined;
}

/** A running fake. */
export interface FakeBedrock {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Queues replies, consumed one per runtime request in order. */
  enqueue(...replies: Reply[]): void;
  /** Answers runtime requests when the queue is empty (instead of the defaults). */
  respondWith(responder: ((request: RecordedRequest) => Reply | undefined) | undefined): void;
  /** Foundation models returned by `GET /foundation-models` (filtered by `byOutputModality`). */
  foundationModels: unknown[];
  /** Inference profiles returned by `GET /inference-profiles`. */
  inferenceProfiles: unknown[];
  /** Runtime requests being answered now, and the most there ever were at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Stops the server and releases hanging replies. */
  close(): Promise<void>;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();
const codec = new EventStreamCodec(
  (bytes) => utf8Decoder.decode(bytes),
  (text) => utf8Encoder.encode(text),
);

/** Encodes one stream frame as an AWS event-stream message (prelude, headers, payload, CRCs). */
export function encodeFrame(frame: StreamFrame): Uint8Array {
  if ("exception" in frame) {
    return codec.encode({
      headers: {
        ":message-type": { type: "string", value: "exception" },
        ":exception-type": { type: "string", value: frame.exception },
        ":content-type": { type: "string", value: "application/json" },
      },
      body: utf8Encoder.encode(JSON.stringify({ message: frame.message })),
    });
  }
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: "event" },
      ":event-type": { type: "string", value: frame.event },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: utf8Encoder.encode(JSON.stringify(frame.payload)),
  });
}

/** A Converse response with one text block. */
export function converseText(text: string, stopReason = "end_turn"): Reply {
  return {
    kind: "json",
    body: {
      output: { message: { role: "assistant", content: [{ text }] } },
      stopReason,
      usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 },
      metrics: { latencyMs: 12 },
    },
  };
}

/** The frames of a ConverseStream answer made of text deltas. */
export function textFrames(parts: string[], stopReason = "end_turn"): StreamFrame[] {
  return [
    { event: "messageStart", payload: { role: "assistant" } },
    ...parts.map((text) => ({
      event: "contentBlockDelta",
      payload: { contentBlockIndex: 0, delta: { text } },
    })),
    { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
    { event: "messageStop", payload: { stopReason } },
    {
      event: "metadata",
      payload: {
        usage: { inputTokens: 5, outputTokens: parts.length, totalTokens: 5 + parts.length },
        metrics: { latencyMs: 7 },
      },
    },
  ];
}

function defaultReply(operation: BedrockOperation, modelId: string, counted?: unknown): Reply {
  switch (operation) {
    case "converse":
      return converseText(`Hello from ${modelId}`);
    case "converse-stream":
      return { kind: "stream", frames: textFrames(["Hello", " from ", modelId]) };
    case "invoke":
      return { kind: "json", body: { fake: true, modelId } };
    case "invoke-with-response-stream":
      return {
        kind: "stream",
        frames: [{
          event: "chunk",
          payload: { bytes: btoa(JSON.stringify({ fake: true, modelId })) },
        }],
      };
    case "count-tokens":
      return { kind: "json", body: { inputTokens: fakeTokenCount(counted) } };
    default: {
      const unreachable: never = operation;
      throw new Error(`unknown operation ${unreachable}`);
    }
  }
}

function errorResponse(type: string, message: string, status?: number, extra = {}): Response {
  const code = status ?? BEDROCK_ERROR_STATUS[type as keyof typeof BEDROCK_ERROR_STATUS] ?? 500;
  return new Response(JSON.stringify({ message }), {
    status: code,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      "x-amzn-requestid": crypto.randomUUID(),
      ...extra,
    },
  });
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });

/** Resolves when either signal aborts. */
const untilAborted = (a: AbortSignal, b: AbortSignal) =>
  sleep(2 ** 31 - 1, AbortSignal.any([a, b]));

/** The top-level fields Bedrock's Claude Messages body takes (AWS's Claude request reference). */
const CLAUDE_BODY_FIELDS = new Set([
  "anthropic_version",
  "anthropic_beta",
  "max_tokens",
  "system",
  "messages",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "tools",
  "tool_choice",
  "thinking",
  "metadata",
  "output_config",
]);

/**
 * Bedrock's ValidationException message for a Claude InvokeModel body it rejects (extraneous
 * keys, roles other than user and assistant), or undefined.
 */
function invalidClaudeBody(record: RecordedRequest): string | undefined {
  if (!record.operation.startsWith("invoke") || !record.modelId?.includes("anthropic.")) {
    return undefined;
  }
  const body = record.body as Record<string, unknown> | undefined;
  if (body === undefined || typeof body.anthropic_version !== "string") return undefined;
  const extra = Object.keys(body).filter((key) => !CLAUDE_BODY_FIELDS.has(key));
  if (extra.length > 0) return `extraneous key [${extra[0]}] is not permitted`;
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const bad = messages.findIndex((m) => m?.role !== "user" && m?.role !== "assistant");
  if (bad !== -1) return `messages.${bad}.role: Input should be 'user' or 'assistant'`;
  return undefined;
}

const RUNTIME_PATH =
  /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream|count-tokens)$/;

/**
 * Starts the fake on 127.0.0.1 with an ephemeral port.
 *
 * @example
 * const fake = startFakeBedrock();
 * fake.enqueue({ kind: "error", type: "ThrottlingException", message: "slow down" });
 * // point BedrockRuntimeClient at fake.url …
 * await fake.close();
 */
export function startFakeBedrock(options: FakeBedrockOptions = {}): FakeBedrock {
  const queue: Reply[] = [];
  const requests: RecordedRequest[] = [];
  let responder: ((request: RecordedRequest) => Reply | undefined) | undefined;
  const closing = new AbortController();
  let inFlight = 0;
  let maxInFlight = 0;

  async function respond(reply: Reply, record: RecordedRequest, signal: AbortSignal) {
    switch (reply.kind) {
      case "json":
        return new Response(JSON.stringify(reply.body), {
          status: reply.status ?? 200,
          headers: {
            "content-type": "application/json",
            "x-amzn-requestid": crypto.randomUUID(),
            ...reply.headers,
          },
        });
      case "error":
        return errorResponse(
          reply.type,
          reply.message ?? `${reply.type} from the fake`,
          reply.status,
          reply.headers,
        );
      case "hang":
        await untilAborted(signal, closing.signal);
        if (signal.aborted) record.aborted = true;
        return new Response(null, { status: 503 });
      case "delay":
        await sleep(reply.ms, AbortSignal.any([signal, closing.signal]));
        if (signal.aborted) {
          record.aborted = true;
          return new Response(null, { status: 503 });
        }
        return respond(reply.then, record, signal);
      case "stream":
        return streamResponse(reply, record, signal);
      default: {
        const unreachable: never = reply;
        throw new Error(`unknown reply ${JSON.stringify(unreachable)}`);
      }
    }
  }

  function streamResponse(
    reply: Extract<Reply, { kind: "stream" }>,
    record: RecordedRequest,
    signal: AbortSignal,
  ): Response {
    const stopped = AbortSignal.any([signal, closing.signal]);
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        try {
          for (const frame of reply.frames) {
            if (reply.delayMs !== undefined) await sleep(reply.delayMs, stopped);
            if (stopped.aborted) break;
            controller.enqueue(encodeFrame(frame));
          }
          if (reply.hang === true) await untilAborted(signal, closing.signal);
          if (signal.aborted) record.aborted = true;
          controller.close();
        } catch {
          record.aborted = true;
        }
      },
      cancel() {
        record.aborted = true;
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "application/vnd.amazon.eventstream",
        "x-amzn-requestid": crypto.randomUUID(),
      },
    });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const headers = Object.fromEntries(request.headers);
    const record: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      operation: "converse",
      headers,
      aborted: false,
    };
    const auth = request.headers.get("authorization") ?? "";
    const sigv4 = /^AWS4-HMAC-SHA256 Credential=([^/]+)\//.exec(auth);
    if (sigv4 !== null) record.accessKeyId = sigv4[1];
    const signed = sigv4 !== null || /^Bearer \S+/.test(auth);

    if (request.method === "GET" && url.pathname === "/foundation-models") {
      record.operation = "list-foundation-models";
      requests.push(record);
      if (!signed) return missingAuth();
      // `byOutputModality` filters as Bedrock does (a summary without modalities is text).
      const modality = url.searchParams.get("byOutputModality");
      const summaries = modality === null ? fake.foundationModels : fake.foundationModels.filter(
        (m) =>
          ((m as { outputModalities?: string[] }).outputModalities ?? ["TEXT"]).includes(modality),
      );
      return Response.json({ modelSummaries: summaries });
    }
    if (request.method === "GET" && url.pathname === "/inference-profiles") {
      record.operation = "list-inference-profiles";
      requests.push(record);
      if (!signed) return missingAuth();
      return Response.json({ inferenceProfileSummaries: fake.inferenceProfiles });
    }
    const match = RUNTIME_PATH.exec(url.pathname);
    if (request.method !== "POST" || match === null) {
      return errorResponse("UnknownOperationException", `No route for ${url.pathname}`, 404);
    }
    record.operation = match[2] as BedrockOperation;
    record.modelId = decodeURIComponent(match[1]);
    const text = await request.text();
    try {
      record.body = text === "" ? undefined : JSON.parse(text);
    } catch {
      record.body = undefined;
    }
    requests.push(record);
    if (!signed) return missingAuth();
    if (record.operation === "count-tokens") {
      record.countedBody = decodeCountTokensBody(record.body);
      const refused = countTokensRefusal(record.modelId, record.countedBody) ??
        invalidClaudeBody({ ...record, operation: "invoke", body: record.countedBody });
      if (refused !== undefined) return errorResponse("ValidationException", refused);
    }
    const invalid = invalidClaudeBody(record);
    if (invalid !== undefined) return errorResponse("ValidationException", invalid);
    const reply = queue.shift() ?? responder?.(record) ?? options.fallback?.(record) ??
      embeddingReply(record) ?? defaultReply(record.operation, record.modelId, record.countedBody);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      return await respond(reply, record, request.signal);
    } finally {
      inFlight--;
    }
  }

  const missingAuth = () =>
    errorResponse("MissingAuthenticationTokenException", "Missing Authentication Token", 403);

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handle);
  const fake: FakeBedrock = {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    respondWith: (fn) => void (responder = fn),
    foundationModels: [],
    inferenceProfiles: [],
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    async close() {
      closing.abort();
      await server.shutdown();
    },
  };
  return fake;
}

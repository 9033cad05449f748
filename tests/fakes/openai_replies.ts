/**
 * Scripted replies for the fake OpenAI upstream (`openai_upstream.ts`): plain data describing a
 * JSON answer, an SSE stream, an error in OpenAI's shape, or a request that never gets an
 * answer, plus the builders tests use to make them.
 *
 * @example
 * fake.script(
 *   completion({ content: "Hi" }),
 *   streamReply(toolCallDeltas([{ id: "call_1", name: "f", argumentFragments: ['{"a"', ":1}"] }])),
 *   errorReply(429, { retryAfter: 2 }),
 *   hang(),
 * );
 */

/** One request the fake received. */
export interface RecordedRequest {
  method: string;
  /** Path without the query, e.g. `/v1/chat/completions`. */
  path: string;
  /** The query string including `?`, or `""`. */
  search: string;
  headers: Headers;
  /** The parsed JSON body; the raw text when it is not JSON; `undefined` when empty. */
  body: unknown;
  /** True once the client went away before the reply was fully delivered. */
  aborted: boolean;
  /** Settles when the reply was fully delivered (`completed`) or the client left (`aborted`). */
  outcome: Promise<"completed" | "aborted">;
}

/** Waits before the status line is sent (abortable by the client). */
interface Delayed {
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

/** A JSON answer with any status: completions, model lists and errors. */
export interface JsonReply extends Delayed {
  kind: "json";
  status: number;
  headers: Record<string, string>;
  /** The body, or a function of the request (e.g. to echo its `model`). */
  body: unknown | ((request: RecordedRequest) => unknown);
}

/** One streamed choice before it is wrapped into a `chat.completion.chunk`. */
export interface ChoiceDelta {
  delta: Record<string, unknown>;
  finish_reason?: string | null;
  index?: number;
}

/** How a scripted stream ends. */
export type StreamEnd =
  /** The usage chunk (when asked for) and `data: [DONE]`. */
  | "done"
  /** A `data: {"error": …}` event, as OpenAI sends when it fails mid-stream, then close. */
  | "error"
  /** The connection breaks mid-body (no `[DONE]`). */
  | "drop"
  /** The stream stays open, silent, until the client aborts. */
  | "hang"
  /** The usage chunk (when asked for), then open and silent like `hang` (no `[DONE]`). */
  | "usage_then_hang"
  /** The body ends cleanly after the chunks: no usage chunk, no `[DONE]` (a cut stream). */
  | "close";

/** An SSE answer: `data: <chunk>` per choice delta, then {@link StreamEnd}. */
export interface StreamReply extends Delayed {
  kind: "stream";
  choices: ChoiceDelta[];
  /** Usage sent in the final `choices: []` chunk when `stream_options.include_usage` is true. */
  usage: Record<string, unknown>;
  /** Milliseconds between chunks. */
  chunkDelayMs?: number;
  end: StreamEnd;
  /** Model name in the chunks; defaults to the request's `model`. */
  model?: string;
}

/** Never answers; the handler returns only once the client aborts (or the fake closes). */
export interface HangReply {
  kind: "hang";
}

/** A scripted reply. */
export type Reply = JsonReply | StreamReply | HangReply;

/** Fixed `created` timestamp, so outputs are deterministic. */
export const FAKE_CREATED = 1_720_000_000;

/** The model ids the default `GET /models` lists. */
export const FAKE_MODEL_IDS = ["gpt-4o-mini", "gpt-4.1", "o3-mini"];

/** Usage reported when a test does not give one (OpenAI's full shape). */
export const DEFAULT_USAGE = {
  prompt_tokens: 11,
  completion_tokens: 7,
  total_tokens: 18,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

/** The request's `model`, which OpenAI echoes in its answers. */
export function requestModel(request: RecordedRequest): string {
  const body = request.body as { model?: unknown } | undefined;
  return typeof body?.model === "string" ? body.model : "gpt-fake";
}

// ------------------------------------------------------------------ reply builders

/** Options of {@link completion}. */
export interface CompletionOptions extends Delayed {
  content?: string | null;
  toolCalls?: Array<{ id: string; name: string; arguments: string }>;
  finishReason?: string;
  usage?: Record<string, unknown>;
  /** Defaults to the request's `model`. */
  model?: string;
  /** Extra top-level fields merged into the completion. */
  extra?: Record<string, unknown>;
}

/** A `chat.completion` JSON reply. */
export function completion(options: CompletionOptions = {}): JsonReply {
  const toolCalls = options.toolCalls?.map((c) => ({
    id: c.id,
    type: "function",
    function: { name: c.name, arguments: c.arguments },
  }));
  return {
    kind: "json",
    status: 200,
    headers: {},
    delayMs: options.delayMs,
    body: (request: RecordedRequest) => ({
      id: "chatcmpl-fake-completion",
      object: "chat.completion",
      created: FAKE_CREATED,
      model: options.model ?? requestModel(request),
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: options.content === undefined ? (toolCalls ? null : "Hello!") : options.content,
          refusal: null,
          annotations: [],
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: options.finishReason ?? (toolCalls ? "tool_calls" : "stop"),
      }],
      usage: options.usage ?? DEFAULT_USAGE,
      service_tier: "default",
      system_fingerprint: "fp_fake",
      ...options.extra,
    }),
  };
}

/**
 * Choice deltas for a text answer: a first delta with the role, one per piece, then an empty
 * delta carrying `finish_reason`.
 */
export function textDeltas(pieces: string[], finishReason = "stop"): ChoiceDelta[] {
  return [
    { delta: { role: "assistant", content: "", refusal: null } },
    ...pieces.map((content) => ({ delta: { content } })),
    { delta: {}, finish_reason: finishReason },
  ];
}

/** One streamed tool call: its id, name and the fragments its JSON arguments arrive in. */
export interface StreamedToolCall {
  id: string;
  name: string;
  argumentFragments: string[];
}

/**
 * Choice deltas for tool calls as OpenAI streams them: the role, then per call a delta with
 * `index`/`id`/`type`/`function.name` and empty `arguments`, then argument fragments carrying
 * only `index` and `function.arguments`, then `finish_reason: "tool_calls"`.
 */
export function toolCallDeltas(calls: StreamedToolCall[]): ChoiceDelta[] {
  const out: ChoiceDelta[] = [{ delta: { role: "assistant", content: null, refusal: null } }];
  calls.forEach((call, index) => {
    out.push({
      delta: {
        tool_calls: [{
          index,
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: "" },
        }],
      },
    });
    for (const fragment of call.argumentFragments) {
      out.push({ delta: { tool_calls: [{ index, function: { arguments: fragment } }] } });
    }
  });
  out.push({ delta: {}, finish_reason: "tool_calls" });
  return out;
}

/** Options of {@link streamReply}. */
export interface StreamOptions extends Delayed {
  usage?: Record<string, unknown>;
  chunkDelayMs?: number;
  end?: StreamEnd;
  model?: string;
}

/** An SSE reply of `chat.completion.chunk`s built from choice deltas. */
export function streamReply(choices: ChoiceDelta[], options: StreamOptions = {}): StreamReply {
  return {
    kind: "stream",
    choices,
    usage: options.usage ?? DEFAULT_USAGE,
    chunkDelayMs: options.chunkDelayMs,
    delayMs: options.delayMs,
    end: options.end ?? "done",
    model: options.model,
  };
}

/** OpenAI's error `type`/`code`/message per status, as the real API sends them. */
const ERROR_DEFAULTS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: "invalid_request_error", code: null, message: "Invalid request (fake)." },
  401: {
    type: "invalid_request_error",
    code: "invalid_api_key",
    message: "Incorrect API key provided: sk-fa****cret.",
  },
  403: {
    type: "invalid_request_error",
    code: "unsupported_country_region_territory",
    message: "Country, region, or territory not supported",
  },
  404: {
    type: "invalid_request_error",
    code: "model_not_found",
    message: "The model does not exist or you do not have access to it.",
  },
  429: {
    type: "requests",
    code: "rate_limit_exceeded",
    message: "Rate limit reached for requests (fake).",
  },
  500: {
    type: "server_error",
    code: null,
    message: "The server had an error while processing your request.",
  },
  503: {
    type: "server_error",
    code: null,
    message: "The engine is currently overloaded, please try again later.",
  },
};

/** Options of {@link errorReply}. */
export interface ErrorOptions extends Delayed {
  message?: string;
  type?: string;
  code?: string | null;
  param?: string | null;
  /** Sent as the `retry-after` header (seconds). */
  retryAfter?: number;
  headers?: Record<string, string>;
}

/** The `{error:{message,type,param,code}}` body OpenAI uses. */
export function errorBody(status: number, options: ErrorOptions = {}) {
  const d = ERROR_DEFAULTS[status] ?? { type: "server_error", code: null, message: "Error." };
  return {
    error: {
      message: options.message ?? d.message,
      type: options.type ?? d.type,
      param: options.param ?? null,
      code: options.code === undefined ? d.code : options.code,
    },
  };
}

/** An error reply with OpenAI's body shape (and `retry-after` when given). */
export function errorReply(status: number, options: ErrorOptions = {}): JsonReply {
  const headers: Record<string, string> = { ...options.headers };
  if (options.retryAfter !== undefined) headers["retry-after"] = String(options.retryAfter);
  if (status === 429) headers["x-ratelimit-limit-requests"] ??= "500";
  return {
    kind: "json",
    status,
    headers,
    delayMs: options.delayMs,
    body: errorBody(status, options),
  };
}

/** A `GET /models` reply listing `ids`. */
export function modelList(ids: string[]): JsonReply {
  return {
    kind: "json",
    status: 200,
    headers: {},
    body: {
      object: "list",
      data: ids.map((id) => ({ id, object: "model", created: FAKE_CREATED, owned_by: "system" })),
    },
  };
}

/** A reply that never comes: the request hangs until the client aborts it. */
export function hang(): HangReply {
  return { kind: "hang" };
}

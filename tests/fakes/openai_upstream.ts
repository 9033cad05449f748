/**
 * A fake OpenAI Chat Completions upstream for tests: a real HTTP/1.1 server on `127.0.0.1`
 * (port 0, see `http1_server.ts`) that speaks OpenAI's wire format, records every request it
 * receives — including whether the client aborted it — and plays the replies a test scripted,
 * in order.
 *
 * - `POST {base}/chat/completions` plays the next scripted reply (a 500 in OpenAI's error shape
 *   when none is left, so a forgotten script fails loudly).
 * - `POST {base}/responses` plays the next scripted Responses answer (`scriptResponses`) as a
 *   Response object or, with `stream: true`, OpenAI's event stream (`openai_responses_replies.ts`);
 *   a scripted {@link Reply} (e.g. `errorReply`) is played as is.
 * - `GET {base}/models` plays the next scripted models reply, else the default model list.
 * - `POST {base}/embeddings` plays the next scripted embeddings reply, else the deterministic
 *   answer of `openai_embeddings.ts`.
 * - Anything else is a 404 `Invalid URL`, as OpenAI answers.
 *
 * Replies are plain data built with the helpers of `openai_replies.ts` (re-exported here):
 * `completion`, `streamReply` (with `textDeltas` / `toolCallDeltas`), `errorReply`, `modelList`,
 * `hang`. Streams add the final usage chunk only when the request asked for
 * `stream_options.include_usage`, exactly like OpenAI.
 *
 * @example
 * await using fake = await startFakeOpenAI();
 * fake.script(completion({ content: "Hi" }), errorReply(429, { retryAfter: 2 }));
 * // OPENAI_BASE_URL=fake.url … then:
 * fake.chatRequests[0].body; // the JSON body the gateway sent upstream
 */
import { serveHttp1 } from "./http1_server.ts";
import { embeddingsAnswer } from "./openai_embeddings.ts";
import {
  errorBody,
  FAKE_CREATED,
  FAKE_MODEL_IDS,
  modelList,
  type RecordedRequest,
  type Reply,
  requestModel,
  type StreamReply,
} from "./openai_replies.ts";

import { responseBody, responseEvents, type ResponsesAnswer } from "./openai_responses_replies.ts";

export * from "./openai_replies.ts";
export * from "./openai_responses_replies.ts";

/** Options of {@link startFakeOpenAI}. */
export interface FakeOpenAIOptions {
  /** When set, requests without `Authorization: Bearer <requireKey>` get OpenAI's 401. */
  requireKey?: string;
  /**
   * The reply to a `POST /chat/completions` when no scripted one is left (default: a 500, so a
   * forgotten script fails loudly). Fuzz tests use it to answer every request that gets through.
   */
  fallback?: (request: RecordedRequest) => Reply;
  /**
   * Checks a request before it is answered (after it is recorded): a Response refuses it, as an
   * upstream with another URL scheme or credential header would (`azure_openai_upstream.ts`);
   * undefined lets OpenAI's routes answer it.
   */
  gate?: (request: RecordedRequest) => Response | undefined;
}

/** A running fake upstream. */
export interface FakeOpenAI extends AsyncDisposable {
  /** Base URL including `/v1`, for `OPENAI_BASE_URL`. */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Only the `POST …/chat/completions` requests. */
  readonly chatRequests: RecordedRequest[];
  /** Queues replies for `POST /chat/completions`, played in order. */
  script(...replies: Reply[]): void;
  /** Only the `POST …/embeddings` requests. */
  readonly embeddingRequests: RecordedRequest[];
  /** Queues replies for `POST /embeddings`; when none is left the default answer is served. */
  scriptEmbeddings(...replies: Reply[]): void;
  /** Only the `POST …/responses` requests. */
  readonly responsesRequests: RecordedRequest[];
  /** Queues answers (or plain replies) for `POST /responses`, played in order. */
  scriptResponses(...replies: Array<ResponsesAnswer | Reply>): void;
  /** Queues replies for `GET /models`; when none is left the default list is served. */
  scriptModels(...replies: Reply[]): void;
  /**
   * Answers chat requests when the script is empty (a client that sends an unknown number of
   * requests, such as Claude Code); return undefined to fall back to the 500.
   */
  respondWith(responder: ((request: RecordedRequest) => Reply | undefined) | undefined): void;
  /** Answers `POST /responses` when its script is empty (agents such as Codex). */
  respondToResponses(
    responder: ((request: RecordedRequest) => ResponsesAnswer | Reply | undefined) | undefined,
  ): void;
  /** Number of chat replies scripted but not yet played. */
  readonly remaining: number;
  /** Releases hanging requests and stops the server. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();

// ------------------------------------------------------------------ server

function wantsUsage(request: RecordedRequest): boolean {
  const body = request.body as { stream_options?: { include_usage?: unknown } } | undefined;
  return body?.stream_options?.include_usage === true;
}

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "x-request-id": "req_fake", ...headers },
  });
}

/** Resolves after `ms`, or early (false) when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Starts the fake on `127.0.0.1` with a free port. */
export function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const requests: RecordedRequest[] = [];
  const chatQueue: Reply[] = [];
  const modelsQueue: Reply[] = [];
  const embeddingsQueue: Reply[] = [];
  const responsesQueue: Array<ResponsesAnswer | Reply> = [];
  let responder: ((request: RecordedRequest) => Reply | undefined) | undefined;
  let responsesResponder:
    | ((request: RecordedRequest) => ResponsesAnswer | Reply | undefined)
    | undefined;
  let chunkIds = 0;

  function streamResponse(reply: StreamReply, rec: RecordedRequest, signal: AbortSignal) {
    const id = `chatcmpl-fake-stream-${++chunkIds}`;
    const includeUsage = wantsUsage(rec);
    const base = {
      id,
      object: "chat.completion.chunk",
      created: FAKE_CREATED,
      model: reply.model ?? requestModel(rec),
      service_tier: "default",
      system_fingerprint: "fp_fake",
    };
    const events: string[] = reply.choices.map((c) =>
      JSON.stringify({
        ...base,
        choices: [{
          index: c.index ?? 0,
          delta: c.delta,
          logprobs: null,
          finish_reason: c.finish_reason ?? null,
        }],
        ...(includeUsage ? { usage: null } : {}),
      })
    );
    if (reply.end === "usage_then_hang" && includeUsage) {
      events.push(JSON.stringify({ ...base, choices: [], usage: reply.usage }));
    }
    if (reply.end === "done") {
      if (includeUsage) events.push(JSON.stringify({ ...base, choices: [], usage: reply.usage }));
      events.push("[DONE]");
    } else if (reply.end === "error") {
      events.push(JSON.stringify(errorBody(500)));
    }
    let next = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (next > 0 && reply.chunkDelayMs !== undefined) {
          if (!await sleep(reply.chunkDelayMs, signal)) return controller.close();
        }
        if (next < events.length) {
          controller.enqueue(encoder.encode(`data: ${events[next++]}\n\n`));
        } else if (reply.end === "drop") {
          controller.error(new Error("fake upstream dropped the connection"));
        } else if (reply.end === "hang" || reply.end === "usage_then_hang") {
          await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
          controller.close();
        } else {
          controller.close();
        }
      },
    }, { highWaterMark: 0 });
    return new Response(body, {
      status: 200,
      headers: { "content-type": "text/event-stream; charset=utf-8", "x-request-id": "req_fake" },
    });
  }

  async function play(
    reply: Reply | undefined,
    rec: RecordedRequest,
    signal: AbortSignal,
  ): Promise<Response> {
    if (reply === undefined) {
      return jsonResponse(500, errorBody(500, { message: "fake upstream: no scripted reply" }));
    }
    if (reply.kind === "hang") {
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      return jsonResponse(500, errorBody(500, { message: "fake upstream: released" }));
    }
    if (reply.delayMs !== undefined) await sleep(reply.delayMs, signal);
    if (reply.kind === "stream") return streamResponse(reply, rec, signal);
    const body = typeof reply.body === "function" ? reply.body(rec) : reply.body;
    return jsonResponse(reply.status, body, reply.headers);
  }

  const server = serveHttp1(async (request, info) => {
    const url = new URL(request.url);
    const text = await request.text();
    let body: unknown = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const rec: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      headers: request.headers,
      body,
      aborted: false,
      outcome: info.outcome.then((outcome) => {
        rec.aborted = outcome === "aborted";
        return outcome;
      }),
    };
    requests.push(rec);
    const signal = info.signal;
    const refused = options.gate?.(rec);
    if (refused !== undefined) return refused;

    if (
      options.requireKey !== undefined &&
      request.headers.get("authorization") !== `Bearer ${options.requireKey}`
    ) {
      return jsonResponse(401, errorBody(401));
    }
    if (request.method === "POST" && url.pathname.endsWith("/chat/completions")) {
      return await play(
        chatQueue.shift() ?? responder?.(rec) ?? options.fallback?.(rec),
        rec,
        signal,
      );
    }
    if (request.method === "POST" && url.pathname.endsWith("/embeddings")) {
      const scripted = embeddingsQueue.shift();
      if (scripted !== undefined) return await play(scripted, rec, signal);
      const answer = embeddingsAnswer(rec);
      return jsonResponse(answer.status, answer.body);
    }
    if (request.method === "POST" && url.pathname.endsWith("/responses")) {
      const next = responsesQueue.shift() ?? responsesResponder?.(rec);
      if (next === undefined || "kind" in next) return await play(next as Reply, rec, signal);
      const req = (rec.body ?? {}) as Record<string, unknown>;
      if (req.stream !== true) return jsonResponse(200, responseBody(next, req));
      const events = responseEvents(next, req);
      const cut = next.cutAfter !== undefined;
      let i = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (i < events.length) {
            const event = events[i++];
            controller.enqueue(
              encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
            );
          } else if (cut) controller.error(new Error("fake upstream dropped the connection"));
          else controller.close();
        },
      }, { highWaterMark: 0 });
      return new Response(stream, {
        status: 200,
        headers: { "content-type": "text/event-stream; charset=utf-8", "x-request-id": "req_fake" },
      });
    }
    if (request.method === "GET" && url.pathname.endsWith("/models")) {
      return await play(modelsQueue.shift() ?? modelList(FAKE_MODEL_IDS), rec, signal);
    }
    return jsonResponse(
      404,
      errorBody(404, { message: `Invalid URL (${request.method} ${url.pathname})`, code: null }),
    );
  });

  const fake: FakeOpenAI = {
    url: `http://127.0.0.1:${server.port}/v1`,
    requests,
    get chatRequests() {
      return requests.filter((r) => r.path.endsWith("/chat/completions"));
    },
    get embeddingRequests() {
      return requests.filter((r) => r.path.endsWith("/embeddings"));
    },
    scriptEmbeddings: (...replies) => void embeddingsQueue.push(...replies),
    get responsesRequests() {
      return requests.filter((r) => r.path.endsWith("/responses"));
    },
    scriptResponses: (...replies) => void responsesQueue.push(...replies),
    script: (...replies) => void chatQueue.push(...replies),
    scriptModels: (...replies) => void modelsQueue.push(...replies),
    respondWith: (fn) => void (responder = fn),
    respondToResponses: (fn) => void (responsesResponder = fn),
    get remaining() {
      return chatQueue.length;
    },
    close: () => server.close(),
    [Symbol.asyncDispose]: () => fake.close(),
  };
  return Promise.resolve(fake);
}

/**
 * The OpenAI provider: canonical requests go to any OpenAI-compatible upstream through its
 * transport (`transport.ts`: one fetch, the `openai` SDK's error classes). Requests pass through
 * with unknown fields intact; streamed chunks pass through unchanged.
 */
import { cached } from "../../cache.ts";
import { GatewayError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ModelInfo,
} from "../../formats/openai/schema.ts";
import { readBoundedBody } from "../bounded_body.ts";
import type { CallContext, ChatProvider, RelayedStream, RelayTap } from "../provider.ts";
import { type RetryPolicy, type RetryTarget, withRetries } from "../retry.ts";
import { mapOpenAIError } from "./errors.ts";
import type { OpenAITransport } from "./transport.ts";
import { decodeSseJson } from "./sse_decoder.ts";
import { startSseRelay } from "./sse_relay.ts";
import { forOpenAIUpstream } from "./extensions.ts";
import { openaiEmbed } from "./embeddings.ts";
import { estimatePromptTokens } from "../../formats/openai/token_estimate.ts";
import { invokeResponses } from "./responses_native.ts";
import {
  restoreChunkToolNames,
  restoreToolNames,
  shortenToolNames,
} from "../../formats/openai/tool_names.ts";

/** Dependencies of the OpenAI provider. */
export interface OpenAIProviderOptions {
  /** The instance id (logs, metrics, `owned_by` when the upstream names no owner); default
   * `openai`. */
  id?: string;
  /** The upstream's HTTP calls, or undefined when the instance has no API key. */
  transport: OpenAITransport | undefined;
  logger: Logger;
  /** The gateway's retry and timeout policy (`UPSTREAM_MAX_RETRIES`, `UPSTREAM_TIMEOUT_MS`). */
  retry: RetryPolicy;
  /** Bound on a non-streaming answer (`MAX_RESPONSE_BYTES`). */
  maxResponseBytes: number;
  /** How long the upstream model list is reused. */
  modelsTtlMs?: number;
  /** The upstream speaks the Responses API: Responses requests go to it as they are. */
  responsesApi?: boolean;
  /** The model ids the upstream serves: the model list is exactly these, owned by the instance,
   * and the upstream's `GET /models` is never called. */
  models?: readonly string[];
  /** The list when the upstream's `GET /models` fails (OpenAI's known models for api.openai.com);
   * default none. */
  fallbackModels?: readonly string[];
  /** The message of the 503 an instance without credentials answers (naming the fix); default:
   * set OPENAI_API_KEY or the instance's api_key. */
  notConfiguredMessage?: string;
}

/** Fields only the gateway understands, never sent upstream. */
const GATEWAY_FIELDS = ["file_ids"] as const;

function upstreamBody(request: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request };
  for (const field of GATEWAY_FIELDS) delete body[field];
  return body;
}

function notConfiguredError(id: string, message?: string): GatewayError {
  return new GatewayError(
    "unavailable",
    message ??
      `An API key for the OpenAI-compatible provider '${id}' is missing: set OPENAI_API_KEY (and OPENAI_BASE_URL for compatible servers), or the instance's api_key.`,
    { code: "provider_not_configured" },
  );
}

/** Model entries owned by instance `owner`. */
const entriesOf = (ids: readonly string[], owner: string): ModelInfo[] =>
  ids.map((id) => ({ id, object: "model", created: 0, owned_by: owner }));

function checkCompletion(value: unknown): ChatCompletion {
  const candidate = value as ChatCompletion | null;
  if (candidate === null || typeof candidate !== "object" || !Array.isArray(candidate.choices)) {
    throw new GatewayError("upstream", "The OpenAI upstream sent a malformed completion.");
  }
  return candidate;
}

function checkChunk(value: unknown): ChatCompletionChunk {
  const candidate = value as ChatCompletionChunk | null;
  if (candidate === null || typeof candidate !== "object" || !Array.isArray(candidate.choices)) {
    throw new GatewayError("upstream", "The OpenAI upstream sent a malformed stream chunk.");
  }
  return candidate;
}

const LABEL = "The OpenAI upstream";

function truncated(): GatewayError {
  return new GatewayError(
    "upstream",
    "The OpenAI upstream stream was cut: it ended without a finish_reason or its end marker.",
  );
}

const decoder = new TextDecoder();

function parseCompletion(bytes: Uint8Array): ChatCompletion {
  try {
    return checkCompletion(JSON.parse(decoder.decode(bytes)));
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    throw new GatewayError("upstream", "The OpenAI upstream sent a malformed completion.");
  }
}

/** Reads an upstream `GET /models` body leniently; anything but a list of ids is malformed. */
function modelsOf(body: unknown, owner: string): ModelInfo[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new GatewayError("upstream", "The OpenAI upstream sent a malformed model list.");
  }
  return data.filter((m) => typeof m?.id === "string").map((m) => ({
    id: m.id,
    object: "model",
    created: typeof m.created === "number" ? m.created : 0,
    owned_by: typeof m.owned_by === "string" ? m.owned_by : owner,
  }));
}

/** A request converted from another format loses what a strict OpenAI upstream rejects; an
 * OpenAI client's own fields are forwarded as sent. */
const fitForUpstream = (request: ChatRequest, ctx: CallContext) =>
  ctx.sourceFormat === undefined || ctx.sourceFormat === "openai"
    ? request
    : forOpenAIUpstream(request);

/** The upstream body of a stream: usage always asked for, so the gateway can log it. */
function streamBody(request: ChatRequest): Record<string, unknown> {
  return {
    ...upstreamBody(request),
    stream: true,
    stream_options: { ...(request.stream_options ?? {}), include_usage: true },
  };
}

/** Marks a value as used, so the closure that calls it keeps the value alive until then. */
function keepAlive(_value: unknown): void {}

/** Creates the OpenAI provider. */
export function createOpenAIProvider(options: OpenAIProviderOptions): ChatProvider {
  const { transport, logger } = options;
  const id = options.id ?? "openai";
  const notConfigured = (id: string) => notConfiguredError(id, options.notConfiguredMessage);

  const target = (signal: AbortSignal | undefined): RetryTarget => ({
    provider: id,
    label: LABEL,
    logger,
    signal,
    mapError: mapOpenAIError,
  });

  /** Starts a streamed answer: the upstream's response and its SSE body (an attempt's part of
   * `withRetries`). Callers keep the response referenced while they read the body: an aborted
   * fetch errors its body only while its Response object is alive. */
  const openStream = async (body: Record<string, unknown>, signal: AbortSignal) => {
    const response = await transport!.post("/chat/completions", body, signal);
    if (response.body === null) {
      throw new GatewayError("upstream", "The OpenAI upstream sent an empty stream.");
    }
    return { response, body: response.body };
  };

  const loadModels = cached(async (): Promise<ModelInfo[]> => {
    if (transport === undefined) return [];
    if (options.models !== undefined) return entriesOf(options.models, id);
    try {
      return await withRetries(options.retry, target(undefined), async ({ signal, deadline }) => {
        try {
          const response = await transport.get("/models", signal);
          return modelsOf(
            JSON.parse(decoder.decode(
              await readBoundedBody(response, options.maxResponseBytes, deadline, LABEL),
            )),
            id,
          );
        } finally {
          deadline.done();
        }
      });
    } catch (error) {
      const fallback = options.fallbackModels ?? [];
      logger.warn(
        `openai model list unavailable; ${
          fallback.length > 0 ? "using the known list" : "listing no models"
        }`,
        { provider: id, error: mapOpenAIError(error).message },
      );
      return entriesOf(fallback, id);
    }
  }, options.modelsTtlMs ?? 5 * 60_000);

  return {
    name: id,
    // OpenAI-compatible servers have no count-tokens endpoint: the gateway's estimate (about
    // four characters per token), labelled as one. Unconfigured as chat is.
    countTokens(request) {
      if (transport === undefined) return Promise.reject(notConfigured(id));
      return Promise.resolve({
        inputTokens: estimatePromptTokens(request.canonical()),
        exact: false,
      });
    },
    complete(original: ChatRequest, ctx: CallContext): Promise<ChatCompletion> {
      if (transport === undefined) return Promise.reject(notConfigured(id));
      // Tool names over OpenAI's 64 characters are shortened and mapped back.
      const { request, toOriginal } = shortenToolNames(fitForUpstream(original, ctx));
      const body = { ...upstreamBody(request), stream: false };
      return withRetries(options.retry, target(ctx.signal), async ({ signal, deadline }) => {
        try {
          // The body is read here, bounded and under the idle deadline.
          const response = await transport.post("/chat/completions", body, signal);
          const completion = parseCompletion(
            await readBoundedBody(response, options.maxResponseBytes, deadline, LABEL),
          );
          return restoreToolNames(completion, toOriginal);
        } finally {
          deadline.done();
        }
      });
    },
    async *stream(original: ChatRequest, ctx: CallContext): AsyncIterable<ChatCompletionChunk> {
      if (transport === undefined) throw notConfigured(id);
      const { request, toOriginal } = shortenToolNames(fitForUpstream(original, ctx));
      const renamed = Object.keys(toOriginal).length > 0;
      // The chat service hides the usage chunk from clients that did not ask for it.
      const body = streamBody(request);
      // An attempt lasts until the first event: until then nothing reached the client.
      const { deadline, events, first, response } = await withRetries(
        options.retry,
        target(ctx.signal),
        async ({ signal, deadline }) => {
          const opened = await openStream(body, signal);
          const events = decodeSseJson(
            opened.body,
            () => deadline.touch(),
            options.maxResponseBytes,
          );
          return { deadline, events, first: await events.next(), response: opened.response };
        },
      );
      let finished = false;
      let completed = false;
      try {
        let step = first;
        for (; !step.done; step = await events.next()) {
          const chunk = checkChunk(step.value);
          if (!finished) finished = chunk.choices[0]?.finish_reason != null;
          yield renamed ? restoreChunkToolNames(chunk, toOriginal) : chunk;
        }
        // A body that just ends, before any finish_reason and without [DONE], was cut.
        if (!step.value && !finished) throw truncated();
        completed = true;
      } catch (error) {
        throw deadline.fired ? deadline.timeoutError() : mapOpenAIError(error);
      } finally {
        if (completed) deadline.done();
        else deadline.cancel();
        await events.return(false).catch(() => {});
        keepAlive(response);
      }
    },
    async relayStream(
      original: ChatRequest,
      ctx: CallContext,
      tap: RelayTap,
    ): Promise<RelayedStream | undefined> {
      if (transport === undefined) throw notConfigured(id);
      const { request, toOriginal } = shortenToolNames(fitForUpstream(original, ctx));
      // Shortened tool names are restored per chunk: that takes the object path (`stream`).
      if (Object.keys(toOriginal).length > 0) return undefined;
      const body = streamBody(request);
      // As in `stream`, an attempt lasts until the first event.
      return await withRetries(options.retry, target(ctx.signal), async ({ signal, deadline }) => {
        const opened = await openStream(body, signal);
        return await startSseRelay(opened.body, {
          includeUsage: tap.includeUsage,
          onUsage: tap.onUsage,
          touch: () => deadline.touch(),
          maxBytes: options.maxResponseBytes,
          mapError: (error) => (deadline.fired ? deadline.timeoutError() : mapOpenAIError(error)),
          cut: truncated,
          onSettled: (completed) => {
            keepAlive(opened.response);
            completed ? deadline.done() : deadline.cancel();
          },
        });
      });
    },
    embed: openaiEmbed({
      id,
      transport,
      logger,
      retry: options.retry,
      maxResponseBytes: options.maxResponseBytes,
      notConfigured: () => notConfigured(id),
    }),
    acceptsNative: (format) =>
      format === "openai_responses" && options.responsesApi === true && transport !== undefined,
    invokeNative(format, body, call, ctx) {
      if (transport === undefined) return Promise.reject(notConfigured(id));
      if (format !== "openai_responses") {
        return Promise.reject(
          new GatewayError("internal", `The OpenAI provider takes no ${format} bodies.`),
        );
      }
      return invokeResponses(
        { transport, retry: options.retry, target, maxResponseBytes: options.maxResponseBytes },
        body,
        call,
        ctx.signal,
      );
    },
    listModels: () => loadModels(),
  };
}

/**
 * The one chat function both transports call: route the canonical request to a provider, answer
 * or stream, and record what the access log needs.
 */
import { GatewayError, toGatewayError } from "../errors.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ModelInfo,
  ModelList,
  Usage,
} from "../formats/openai.ts";
import type { CallContext, ChatProvider, ProviderName } from "../providers/provider.ts";
import type { RelayedStream } from "../providers/provider.ts";
import { resolveRoute, type RoutingOptions } from "../providers/routing.ts";
import type { AnyRequest, FormatName } from "../formats/detect.ts";
import { withoutExtensions } from "../converters/claude_to_openai.ts";
import { planNative, respondNative } from "./native.ts";
import { encodeStream, responseAs, streamEncoderFor, toCanonical } from "./translate.ts";
import { rejectsReasoningEffort } from "../providers/openai/models.ts";
import { estimatePromptTokens } from "../converters/token_estimate.ts";
import { applyFileContext, type FileContextOptions } from "./file_context.ts";

/** What a request did, filled in by the service for logs and metrics. */
export interface RequestMeta {
  model?: string;
  provider?: ProviderName;
  usage?: Usage;
  /** Upstream time: whole answer for `complete`, time to first chunk for `stream`. */
  upstreamMs?: number;
  /** What the gateway changed for the upstream (fields dropped or translated), for the log. */
  notes?: string[];
}

/** Per-call options. */
export interface ChatCallOptions {
  signal: AbortSignal;
  /** Filled in as the call proceeds. */
  meta?: RequestMeta;
}

/** Dependencies of the chat service. */
export interface ChatServiceDeps {
  providers: Partial<Record<ProviderName, ChatProvider>>;
  routing: RoutingOptions;
  /** The file store and limits for `file_ids` (without it, any `file_ids` is a 404). */
  files?: FileContextOptions;
  now?: () => Date;
  newId?: (prefix: string) => string;
}

/** The answer to a request of any format, in the target format. */
export type ChatOutcome =
  | { stream: false; body: unknown }
  | { stream: true; events: AsyncIterable<unknown> }
  | { stream: true; relay: RelayedStream };

/** The chat service. */
export interface ChatService {
  /**
   * Answers a validated request of any input format in `target` format (JSON body or event
   * stream, as the request's `stream` asks): natively when the provider takes the body as is
   * (see `native.ts`), otherwise through the canonical hub. Converted requests routed to OpenAI
   * lose the gateway extension fields (`withoutExtensions`).
   */
  respond(input: AnyRequest, target: FormatName, options: ChatCallOptions): Promise<ChatOutcome>;
  /** One complete answer. */
  complete(request: ChatRequest, options: ChatCallOptions): Promise<ChatCompletion>;
  /**
   * Starts a stream. Resolves once the upstream has produced its first chunk, so errors before
   * that reject here (and become ordinary HTTP errors); later errors are thrown by the iterator.
   */
  stream(
    request: ChatRequest,
    options: ChatCallOptions,
  ): Promise<AsyncIterable<ChatCompletionChunk>>;
  /** Every model of every provider. */
  listModels(signal?: AbortSignal): Promise<ModelList>;
  /** One model by id; 404 `model_not_found` when unknown. */
  getModel(id: string, signal?: AbortSignal): Promise<ModelInfo>;
}

/** Default id generator: `prefix` + 24 random alphanumerics. */
export function randomId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

const isUsageOnly = (chunk: ChatCompletionChunk) =>
  chunk.choices.length === 0 && chunk.usage !== undefined && chunk.usage !== null;

/** Creates the chat service. */
export function createChatService(deps: ChatServiceDeps): ChatService {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomId;

  function pick(request: ChatRequest, meta: RequestMeta | undefined) {
    const route = resolveRoute(request.model, deps.routing);
    const provider = deps.providers[route.provider];
    if (meta) {
      meta.model = request.model;
      meta.provider = route.provider;
    }
    if (provider === undefined) {
      throw new GatewayError(
        "unavailable",
        `The ${route.provider} provider is not configured on this gateway.`,
        { code: "provider_not_configured" },
      );
    }
    return { provider, request: { ...request, model: route.model } };
  }

  const context = (signal: AbortSignal, meta?: RequestMeta): CallContext => ({
    signal,
    now,
    newId,
    ...(meta ? { note: (text: string) => void (meta.notes ??= []).push(text) } : {}),
  });

  /** Prompt tokens before the answer: the provider's exact count, else an estimate. */
  function promptTokens(request: ChatRequest): number {
    const route = resolveRoute(request.model, deps.routing);
    const exact = deps.providers[route.provider]?.promptTokens?.({
      ...request,
      model: route.model,
    });
    return exact ?? estimatePromptTokens(request);
  }

  async function allModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const lists = await Promise.all(
      Object.values(deps.providers).map((p) => p.listModels(signal).catch(() => [])),
    );
    const seen = new Set<string>();
    return lists.flat().filter((m) => !seen.has(m.id) && seen.add(m.id) !== undefined);
  }

  /** A model by an id chat would route (`openai/…`, `bedrock/…`, profiles, ARNs), as its
   * provider describes it. */
  async function routedModel(id: string, signal?: AbortSignal): Promise<ModelInfo | undefined> {
    let route;
    try {
      route = resolveRoute(id, deps.routing);
    } catch {
      return undefined;
    }
    const provider = deps.providers[route.provider];
    if (provider === undefined) return undefined;
    const model = provider.describeModel
      ? await provider.describeModel(route.model, signal)
      : (await provider.listModels(signal)).find((m) => m.id === route.model);
    return model === undefined ? undefined : { ...model, id };
  }

  /** The provider's byte relay for an OpenAI stream, or undefined (then `stream` answers). */
  async function relayed(request: ChatRequest, { signal, meta }: ChatCallOptions) {
    const { provider, request: routed } = pick(await applyFileContext(request, deps.files), meta);
    if (provider.relayStream === undefined) return undefined;
    const started = performance.now();
    const onUsage = (usage: Usage) => void (meta && (meta.usage = usage));
    const includeUsage = request.stream_options?.include_usage === true;
    try {
      return await provider.relayStream(routed, context(signal, meta), { includeUsage, onUsage });
    } catch (error) {
      throw toGatewayError(error);
    } finally {
      if (meta) meta.upstreamMs = performance.now() - started;
    }
  }

  const service: ChatService = {
    async respond(input, target, options) {
      const plan = planNative(input, deps.providers, deps.routing);
      if (plan !== undefined) {
        return respondNative(plan, target, options, context(options.signal, options.meta));
      }
      let canonical = toCanonical(input);
      const route = resolveRoute(canonical.model, deps.routing);
      if (input.format !== "openai" && route.provider === "openai") {
        // A strict OpenAI upstream rejects the gateway's extension fields; an OpenAI client's own
        // extra fields are its business and are forwarded.
        canonical = withoutExtensions(canonical);
        if (canonical.reasoning_effort != null && rejectsReasoningEffort(route.model)) {
          // Claude `thinking` / `output_config.effort` (Claude Code sends them to every model)
          // mean nothing to a model without reasoning, which would reject the field.
          const { reasoning_effort: _effort, ...rest } = canonical;
          canonical = rest;
        }
      }
      // Other formats report usage at the end of the stream, so always collect it.
      const request = target === "openai" || canonical.stream !== true
        ? canonical
        : { ...canonical, stream_options: { ...canonical.stream_options, include_usage: true } };
      // OpenAI in and out: the provider may relay the upstream's bytes (sse_relay.ts).
      const relay = input.format === "openai" && target === "openai" && request.stream === true
        ? await relayed(request, options)
        : undefined;
      if (relay !== undefined) return { stream: true, relay };
      const ctx = { model: request.model, newId };
      if (request.stream !== true) {
        return {
          stream: false,
          body: responseAs(target, await service.complete(request, options), ctx),
        };
      }
      const chunks = await service.stream(request, options);
      const encoderCtx = target === "bedrock_claude"
        ? { ...ctx, inputTokens: promptTokens(request) }
        : ctx;
      return { stream: true, events: encodeStream(chunks, streamEncoderFor(target, encoderCtx)) };
    },

    async complete(request, { signal, meta }) {
      const { provider, request: routed } = pick(await applyFileContext(request, deps.files), meta);
      const started = performance.now();
      try {
        const response = await provider.complete(routed, context(signal, meta));
        if (meta) meta.usage = response.usage;
        return response;
      } finally {
        if (meta) meta.upstreamMs = performance.now() - started;
      }
    },

    async stream(request, { signal, meta }) {
      const { provider, request: routed } = pick(await applyFileContext(request, deps.files), meta);
      const includeUsage = request.stream_options?.include_usage === true;
      const started = performance.now();
      const iterator = provider.stream(routed, context(signal, meta))[Symbol.asyncIterator]();
      let first: IteratorResult<ChatCompletionChunk>;
      try {
        first = await iterator.next();
      } catch (error) {
        throw toGatewayError(error);
      } finally {
        if (meta) meta.upstreamMs = performance.now() - started;
      }
      return (async function* () {
        try {
          for (let step = first; !step.done; step = await iterator.next()) {
            const chunk = step.value;
            if (chunk.usage && meta) meta.usage = chunk.usage;
            if (includeUsage) yield chunk;
            else if (!isUsageOnly(chunk)) {
              // Usage was requested upstream for the logs only: like OpenAI, send no `usage`
              // field to a client that did not ask for it.
              if (chunk.usage === null) delete chunk.usage;
              yield chunk;
            }
          }
        } catch (error) {
          throw toGatewayError(error);
        } finally {
          await iterator.return?.();
        }
      })();
    },

    async listModels(signal) {
      return { object: "list", data: await allModels(signal) };
    },

    async getModel(id, signal) {
      const found = (await allModels(signal)).find((m) => m.id === id) ??
        await routedModel(id, signal);
      if (found === undefined) {
        throw new GatewayError("not_found", `The model '${id}' does not exist.`, {
          code: "model_not_found",
          param: "model",
        });
      }
      return found;
    },
  };
  return service;
}

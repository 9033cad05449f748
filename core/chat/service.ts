/**
 * The one chat pipeline both transports call. Every request takes the same path: the router
 * picks the deployment (an alias's, in its strategy's order, moving on after a failure before the
 * first byte; `core/deployments/router.ts`) → decode the input into the canonical shape when needed → the provider call (the
 * body as it is when the provider takes the input's format natively, else canonical) → one
 * stream wrapper that primes the first chunk and meters usage → encode the output when needed.
 * The native fast path is the case where both conversions are the identity: the provider's
 * events pass with only the format's usage tap.
 */
import { GatewayError, toGatewayError } from "../errors.ts";
import type { OutputContext, ReadContext } from "../formats/codec.ts";
import { type AnyRequest, codecOf, type FormatName } from "../formats/registry.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ModelInfo,
  ModelList,
  Usage,
} from "../formats/openai/schema.ts";
import { estimatePromptTokens } from "../formats/openai/token_estimate.ts";
import type { CallContext, RelayedStream } from "../providers/provider.ts";
import { applyFileContext, type FileContextOptions } from "./file_context.ts";
import type { RequestMeta } from "./request_meta.ts";
import { applyParams } from "../deployments/params.ts";
import type { AliasInfo, Router, Target } from "../deployments/router.ts";
import { decodeStream } from "../formats/openai/chunks.ts";
import { encodeStream, meterChunks, primed } from "./stream.ts";
import { createTokenCounter, type TokenCounter } from "./count_tokens.ts";

/** Per-call options. */
export interface ChatCallOptions {
  signal: AbortSignal;
  /** Filled in as the call proceeds. */
  meta?: RequestMeta;
}

/** Dependencies of the chat service. */
export interface ChatServiceDeps {
  /** Aliases, deployments and provider instances: where each request goes. */
  router: Router;
  /** The file store and limits for `file_ids` (without it, any `file_ids` is a 404). */
  files?: FileContextOptions;
  now?: () => Date;
  newId?: (prefix: string) => string;
}

/** The answer to a request of any format, in the target format: a JSON body, an event stream,
 * or (same format in and out) the upstream's own event bytes. */
export type ChatOutcome =
  | { stream: false; body: unknown }
  | { stream: true; events: AsyncIterable<unknown> }
  | { stream: true; relay: RelayedStream };

/** The chat service. */
export interface ChatService {
  /**
   * Answers a validated request of any input format in `target` format (JSON body or event
   * stream, as the request's `stream` asks).
   */
  respond(input: AnyRequest, target: FormatName, options: ChatCallOptions): Promise<ChatOutcome>;
  /** One complete answer to an OpenAI request. */
  complete(request: ChatRequest, options: ChatCallOptions): Promise<ChatCompletion>;
  /**
   * Starts a stream for an OpenAI request. Resolves once the upstream has produced its first
   * chunk, so errors before that reject here (and become ordinary HTTP errors); later errors are
   * thrown by the iterator.
   */
  stream(
    request: ChatRequest,
    options: ChatCallOptions,
  ): Promise<AsyncIterable<ChatCompletionChunk>>;
  /** Every routable model: the aliases, then every provider's models. */
  listModels(signal?: AbortSignal): Promise<ModelList>;
  /** The aliases with their deployments and each deployment's state. */
  aliases(): AliasInfo[];
  /** One model by id; 404 `model_not_found` when unknown. */
  getModel(id: string, signal?: AbortSignal): Promise<ModelInfo>;
  /** The input tokens of a count-tokens request (`count_tokens.ts`). */
  countTokens: TokenCounter;
}

/** Default id generator: `prefix` + 24 random alphanumerics. */
export function randomId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/**
 * A stream outcome that keeps its deployment counted in flight (and its rate limits held) until
 * it ends, when the router asks (`hold`, for `least_busy` aliases and gated requests); anything
 * else as it is.
 */
function held(outcome: ChatOutcome, hold: (() => () => void) | undefined): ChatOutcome {
  if (hold === undefined || !outcome.stream) return outcome;
  const release = hold();
  if ("relay" in outcome) {
    const { relay } = outcome;
    return {
      stream: true,
      relay: {
        open: (hooks) =>
          relay.open({
            ...hooks,
            onEnd: (error) => {
              release();
              hooks?.onEnd?.(error);
            },
          }),
      },
    };
  }
  return { stream: true, events: releasing(outcome.events, release) };
}

/**
 * `events` that call `release` once when they end: done, failed, or closed by the consumer —
 * also a consumer that closes them before reading anything (an async generator's `finally`
 * would not run then).
 */
function releasing<T>(events: AsyncIterable<T>, release: () => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const inner = events[Symbol.asyncIterator]();
      let open = true;
      const end = () => {
        if (open) (open = false, release());
      };
      return {
        async next() {
          try {
            const step = await inner.next();
            if (step.done) end();
            return step;
          } catch (error) {
            end();
            throw error;
          }
        },
        async return(value?: unknown) {
          end();
          return await inner.return?.(value) ?? { done: true, value: undefined };
        },
        async throw(error?: unknown) {
          end();
          if (inner.throw === undefined) throw error;
          return await inner.throw(error);
        },
      } as AsyncIterator<T>;
    },
  };
}

/** The request's tokens for a rate limit (`core/limits/gate.ts`): its prompt estimated at four
 * characters a token over the text the model reads (`estimatePromptTokens`), plus the most it
 * may answer (`max_completion_tokens`, else `max_tokens`, as the canonical request has them;
 * nothing when it sets no bound). */
export function chatTokenEstimate(request: ChatRequest): number {
  return estimatePromptTokens(request) + (request.max_completion_tokens ?? request.max_tokens ?? 0);
}

/** Creates the chat service. */
export function createChatService(deps: ChatServiceDeps): ChatService {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomId;

  const context = (
    { signal, meta }: ChatCallOptions,
    sourceFormat: FormatName,
  ): CallContext => ({
    signal,
    now,
    newId,
    sourceFormat,
    ...(meta ? { note: (text: string) => void (meta.notes ??= []).push(text) } : {}),
  });

  /** The output context: the client's own request goes along when it wrote the target format
   * (answers that echo request settings). */
  const outputContext = (
    model: string,
    source: AnyRequest | undefined,
    target: FormatName,
  ): OutputContext => ({
    model,
    newId,
    now,
    ...(source !== undefined && source.format === target ? { request: source.request } : {}),
  });

  /** Times the upstream part of a call into `meta.upstreamMs`. */
  async function timed<T>(meta: RequestMeta | undefined, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } catch (error) {
      throw toGatewayError(error);
    } finally {
      if (meta) meta.upstreamMs = performance.now() - started;
    }
  }

  /** The body sent upstream unchanged, when the routed provider takes the input's format. */
  function nativeBody(input: AnyRequest, routed: Target): Record<string, unknown> | undefined {
    const native = codecOf(input.format).native;
    // A deployment's params apply to the canonical request: its requests take the hub.
    if (native === undefined || routed.provider.invokeNative === undefined) return undefined;
    if (routed.params !== undefined) return undefined;
    if (routed.provider.acceptsNative?.(input.format, routed.model) !== true) return undefined;
    return native.body(input.request);
  }

  /** The native path: the body goes upstream as it is; the answer comes back as it is in the
   * same format, or is read into the canonical shape and encoded in the target format. */
  async function answerNative(
    input: AnyRequest,
    body: Record<string, unknown>,
    routed: Target,
    target: FormatName,
    options: ChatCallOptions,
  ): Promise<ChatOutcome> {
    const { meta } = options;
    const native = codecOf(input.format).native!;
    const output = codecOf(target);
    const same = target === input.format;
    const stream = input.request.stream === true;
    const read: ReadContext = {
      id: newId("chatcmpl-"),
      created: Math.floor(now().getTime() / 1000),
      model: routed.model,
    };
    const out = outputContext(input.request.model, input, target);
    const ctx = context(options, input.format);
    const call = { model: routed.model, stream };
    if (!stream) {
      const result = await timed(
        meta,
        () => routed.provider.invokeNative!(input.format, body, call, ctx),
      );
      if (result.stream) throw new GatewayError("upstream", "The upstream streamed an answer.");
      if (same) {
        if (meta) meta.usage = native.responseUsage(result.body);
        return { stream: false, body: result.body };
      }
      const completion = native.readResponse(result.body, read);
      if (meta) meta.usage = completion.usage;
      return { stream: false, body: output.encodeResponse?.(completion, out) ?? completion };
    }
    const events = await timed(meta, async () => {
      const result = await routed.provider.invokeNative!(input.format, body, call, ctx);
      if (!result.stream) throw new GatewayError("upstream", "The upstream did not stream.");
      if (same) {
        const tap = native.usageTap();
        return primed(result.events, (event) => tap.push(event), () => {
          tap.end();
          if (meta) meta.usage = tap.usage();
        });
      }
      return primed(decodeStream(result.events, native.streamDecoder(read)), meterChunks(meta));
    });
    if (same) return { stream: true, events };
    const encoder = output.streamEncoder?.(out);
    const chunks = events as AsyncIterable<ChatCompletionChunk>;
    return { stream: true, events: encoder ? encodeStream(chunks, encoder) : chunks };
  }

  /** The canonical path: the provider answers the canonical request; the answer is encoded in
   * the target format. Usage is always collected; an OpenAI-format client that did not ask for
   * it (`stream_options.include_usage`) does not see it, as with OpenAI. With `bytes` (both
   * conversions are the identity and the transport writes bytes) a provider that relays its
   * upstream's event bytes does so. */
  async function answerCanonical(
    request: ChatRequest,
    routed: Target,
    sourceFormat: FormatName,
    target: FormatName,
    options: ChatCallOptions,
    bytes = false,
    source?: AnyRequest,
  ): Promise<ChatOutcome> {
    const { meta } = options;
    const output = codecOf(target);
    const withFiles = await applyFileContext(request, deps.files);
    const upstream = routed.params === undefined
      ? { ...withFiles, model: routed.model }
      : applyParams({ ...withFiles, model: routed.model }, routed.params);
    const ctx = context(options, sourceFormat);
    const out = outputContext(request.model, source, target);
    if (request.stream !== true) {
      const completion = await timed(meta, () => routed.provider.complete(upstream, ctx));
      if (meta) meta.usage = completion.usage;
      return { stream: false, body: output.encodeResponse?.(completion, out) ?? completion };
    }
    const relayStream = bytes ? routed.provider.relayStream?.bind(routed.provider) : undefined;
    if (relayStream !== undefined) {
      const tap = {
        includeUsage: request.stream_options?.include_usage === true,
        onUsage: (usage: Usage) => void (meta && (meta.usage = usage)),
      };
      const relay = await timed(meta, () => relayStream(upstream, ctx, tap));
      if (relay !== undefined) return { stream: true, relay };
    }
    const encoder = output.streamEncoder?.(
      output.wantsInputTokens
        ? {
          ...out,
          inputTokens: routed.provider.promptTokens?.(upstream) ?? estimatePromptTokens(withFiles),
        }
        : out,
    );
    const hideUsage = encoder === undefined && request.stream_options?.include_usage !== true;
    const chunks = await timed(
      meta,
      () => primed(routed.provider.stream(upstream, ctx), meterChunks(meta, hideUsage)),
    );
    return { stream: true, events: encoder ? encodeStream(chunks, encoder) : chunks };
  }

  /** One deployment's attempt at a request of any format. */
  function answer(
    input: AnyRequest,
    routed: Target,
    target: FormatName,
    options: ChatCallOptions,
  ): Promise<ChatOutcome> {
    const body = nativeBody(input, routed);
    if (body !== undefined) return answerNative(input, body, routed, target, options);
    const source = codecOf(input.format);
    const ignored = source.ignoredOnHub?.(input.request) ?? [];
    if (ignored.length > 0 && options.meta) {
      options.meta.ignoredTools = ignored;
      (options.meta.notes ??= []).push(
        `tools left out (not supported here): ${ignored.join(", ")}`,
      );
    }
    const canonical = source.toCanonical(input.request);
    // Same format in and out, and that format is the canonical one: both conversions are the
    // identity, so the upstream's bytes may pass.
    const identity = target === input.format && source.streamEncoder === undefined;
    return answerCanonical(canonical, routed, input.format, target, options, identity, input);
  }

  const respond = (input: AnyRequest, target: FormatName, options: ChatCallOptions) => {
    if (options.meta) {
      options.meta.tokenEstimate = () =>
        chatTokenEstimate(codecOf(input.format).toCanonical(input.request));
    }
    return deps.router.run(
      input.request.model,
      options,
      async (routed, hold) => held(await answer(input, routed, target, options), hold),
    );
  };

  const allModels = (signal?: AbortSignal) => deps.router.listModels(signal);
  const providers = deps.router.providers;

  /** A model by an id chat would route (`<instance>/…`, profiles, ARNs), as its provider
   * describes it. */
  async function routedModel(id: string, signal?: AbortSignal): Promise<ModelInfo | undefined> {
    const found = providers.findRoute(id);
    if (found === undefined) return undefined;
    const provider = providers.get(found.provider)?.provider;
    if (provider === undefined) return undefined;
    const model = provider.describeModel
      ? await provider.describeModel(found.model, signal)
      : (await provider.listModels(signal)).find((m) => m.id === found.model);
    return model === undefined ? undefined : { ...model, id };
  }

  /** An OpenAI request answered in OpenAI format as objects (the tRPC transport). */
  const answerOpenAI = (request: ChatRequest, stream: boolean, options: ChatCallOptions) => {
    if (options.meta) options.meta.tokenEstimate = () => chatTokenEstimate(request);
    return deps.router.run(
      request.model,
      options,
      async (routed, hold) =>
        held(
          await answerCanonical({ ...request, stream }, routed, "openai", "openai", options),
          hold,
        ),
    );
  };

  return {
    respond,
    countTokens: createTokenCounter({ router: deps.router, now, newId }),
    aliases: () => deps.router.aliases(),

    async complete(request, options) {
      const outcome = await answerOpenAI(request, false, options);
      return (outcome as { body: ChatCompletion }).body;
    },

    async stream(request, options) {
      const outcome = await answerOpenAI(request, true, options);
      return (outcome as { events: AsyncIterable<ChatCompletionChunk> }).events;
    },

    async listModels(signal) {
      return { object: "list", data: await allModels(signal) };
    },

    async getModel(id, signal) {
      const found = deps.router.aliasModel(id) ??
        (await allModels(signal)).find((m) => m.id === id) ??
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
}

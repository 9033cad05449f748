/**
 * The provider contract: every upstream answers canonical requests with canonical responses and
 * chunk streams ({@link ChatProvider}); a provider **kind** ({@link ProviderKind}) says how an
 * instance of it is configured, which model ids it claims and what `/health` reports for it.
 * Kinds are listed in `registry.ts`; instances (each with an id) are created from config there.
 */
import type { FormatName } from "../formats/registry.ts";
import type { z } from "zod";
import type { GatewayError } from "../errors.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ModelInfo,
  Usage,
} from "../formats/openai/schema.ts";
import type { Logger } from "../logger.ts";
import type { GuardedFetch } from "../net/guarded_fetch.ts";
import type { RetryPolicy } from "./retry.ts";

/**
 * A provider instance id (`openai`, `local`, `aws-us`…): the key of the instance in config, the
 * `<id>/` model prefix that routes to it, and its label in logs, metrics and `owned_by`.
 */
export type ProviderId = string;

/** Per-call context handed to a provider. */
export interface CallContext {
  /** Aborted when the client goes away; providers pass it to their SDK call. */
  signal: AbortSignal;
  /** Current time (injected so outputs are deterministic in tests). */
  now: () => Date;
  /** Generates ids such as `chatcmpl-…`. */
  newId: (prefix: string) => string;
  /** Records what the provider changed for its upstream (e.g. a dropped field); it is logged
   * with the request. */
  note?: (text: string) => void;
  /** The format the client wrote the request in: a canonical request converted from another
   * format carries extension fields (Claude's `top_k`, `cache_control`…) that a provider may
   * have to drop for a strict upstream. Absent means `openai`. */
  sourceFormat?: FormatName;
}

/** Request formats a provider may take natively, body unchanged (the native fast path). */
export type NativeFormat = FormatName;

/** What a native call needs besides the body. */
export interface NativeCall {
  /** The provider-side model id (routing prefixes removed). */
  model: string;
  /** Stream (InvokeModelWithResponseStream) or not (InvokeModel). */
  stream: boolean;
}

/**
 * What a native call answers: the upstream JSON body unchanged, or its stream events (decoded
 * JSON objects, unchanged). A stream's promise resolves once the upstream accepted the request.
 */
export type NativeResult =
  | { stream: false; body: unknown }
  | { stream: true; events: AsyncIterable<unknown> };

/** A stream relayed as the upstream's own event bytes (same format in and out). */
export interface RelayedStream {
  /** The client-bound bytes (call once); `onEnd` gets the error, if any, when the stream ends;
   * when `stop` aborts, an open stream ends with the `server_shutting_down` error event. */
  open(hooks?: {
    onEnd?: (error?: GatewayError) => void;
    stop?: AbortSignal;
  }): ReadableStream<Uint8Array>;
}

/** What a relayed stream reports and hides. */
export interface RelayTap {
  /** The client asked for usage; otherwise the usage-only event and `usage: null` are hidden. */
  includeUsage: boolean;
  /** Called with each usage the stream carries. */
  onUsage: (usage: Usage) => void;
}

/** Cohere's `input_type` values (the `input_type` extension of `POST /v1/embeddings`). */
export type EmbedInputType = "search_document" | "search_query" | "classification" | "clustering";

/** What an embeddings call embeds: texts, or token arrays (OpenAI-compatible upstreams only). */
export type EmbedInput = { texts: string[] } | { tokens: number[][] };

/** An embeddings request as a provider gets it (validated; `model` is the provider-side id). */
export interface EmbedRequest {
  model: string;
  input: EmbedInput;
  dimensions?: number;
  user?: string;
  /** Cohere's `input_type`; absent means `search_document`. */
  inputType?: EmbedInputType;
  /** The encoding the client asked for; a passthrough upstream may do it itself. */
  encodingFormat: "float" | "base64";
  /** Fields of the client's body the gateway does not read (forwarded by passthrough). */
  extra: Record<string, unknown>;
}

/** What an embeddings call answers: one vector per input, in input order. */
export interface EmbedResult {
  /** Floats, or base64 of little-endian float32 when the upstream encoded them. */
  embeddings: Array<number[] | string>;
  /** Input tokens, from the provider's own counts (or an estimate where it gives none). */
  promptTokens: number;
}

/** What a token count is asked for (`POST /v1/messages/count_tokens`). */
export interface TokenCountRequest {
  /** The provider-side model id (routing prefixes removed). */
  model: string;
  /** The request in the canonical shape (`model` the provider-side id), converted on demand:
   * a provider that counts the native body never needs it (and the conversion refuses what
   * only the native path takes, such as Anthropic-defined tools). */
  canonical(): ChatRequest;
  /** The request as a body the provider may take natively (gateway fields removed), when the
   * client's format has one: a Claude body for Bedrock's CountTokens. */
  native?: { format: NativeFormat; body: Record<string, unknown> };
}

/** A token count: `exact` when the upstream (or the provider's own tokenizer) counted, false
 * for an estimate. */
export interface TokenCount {
  inputTokens: number;
  exact: boolean;
}

/** An upstream that answers chat requests. */
export interface ChatProvider {
  /** The instance id, as used in logs, metrics and `owned_by`. */
  readonly name: ProviderId;
  /** One complete answer. `request.model` is the provider-side model id. */
  complete(request: ChatRequest, ctx: CallContext): Promise<ChatCompletion>;
  /**
   * A chunk stream. Implementations emit a final usage chunk (`choices: []`) when they know the
   * usage; the chat service hides it from clients that did not ask for it.
   */
  stream(request: ChatRequest, ctx: CallContext): AsyncIterable<ChatCompletionChunk>;
  /**
   * OpenAI in and out: {@link stream}'s request, answered as the upstream's SSE bytes (resolves
   * once the first event came, as `stream` does); undefined when the request needs per-chunk
   * edits (e.g. shortened tool names), and then the caller takes {@link stream}.
   */
  relayStream?(
    request: ChatRequest,
    ctx: CallContext,
    tap: RelayTap,
  ): Promise<RelayedStream | undefined>;
  /**
   * True when {@link invokeNative} can take a `format` body for `model` as is (e.g. a Claude body
   * for an Anthropic model on Bedrock). Providers without a native path omit both methods.
   */
  acceptsNative?(format: NativeFormat, model: string): boolean;
  /**
   * Sends a native body (gateway-only fields already removed) unchanged and returns the upstream
   * answer unchanged; upstream errors are GatewayErrors, as for {@link complete}.
   */
  invokeNative?(
    format: NativeFormat,
    body: Record<string, unknown>,
    call: NativeCall,
    ctx: CallContext,
  ): Promise<NativeResult>;
  /**
   * The exact prompt tokens of `request` when the provider knows them before answering (the
   * mock); otherwise omitted, and streams that need the count up front use an estimate.
   */
  promptTokens?(request: ChatRequest): number;
  /**
   * Embeddings for `request` (`POST /v1/embeddings`). Input the model cannot take (token arrays,
   * over-long texts, unsupported `dimensions`) is a 400 naming the field, before any upstream
   * call. Providers without embedding models omit it.
   */
  embed?(request: EmbedRequest, ctx: CallContext): Promise<EmbedResult>;
  /**
   * The input tokens `request` would take, exact where the upstream has a counting API (Bedrock
   * CountTokens) or the provider knows its own count, else an estimate. Without it, the
   * count-tokens service uses {@link promptTokens}, then an estimate. Upstream errors are
   * GatewayErrors, as for {@link complete}.
   */
  countTokens?(request: TokenCountRequest, ctx: CallContext): Promise<TokenCount>;
  /** The models this provider serves; never throws for upstream failures (degrades instead). */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  /**
   * One model by the provider-side id a chat request may use, including ids the list does not
   * spell out (e.g. Bedrock's inference-profile prefixes and ARNs); undefined when unknown.
   * Without it, the id is looked up in {@link listModels}.
   */
  describeModel?(model: string, signal?: AbortSignal): Promise<ModelInfo | undefined>;
}

/** What `/health` says of an instance: it has what it needs (`configured`) or not, or, for
 * kinds that need nothing, whether it is switched on (`enabled` / `disabled`). */
export type ProviderState = "configured" | "not_configured" | "enabled" | "disabled";

/** Whether an instance's credentials could be resolved (`configured` only says a credential
 * source is visible). */
export type CredentialState = "not_configured" | "checking" | "resolved" | "unresolved";

/** An instance's entry in `/health`. */
export interface InstanceHealth {
  state: ProviderState;
  /** Reported under `credentials.<id>` by kinds that check their credentials. */
  credentials?: CredentialState;
}

/**
 * What every kind's factory gets from the composition root (`main.ts`) besides the instance
 * settings: shared policies and the few process facts an SDK credential chain looks at.
 */
export interface ProviderRuntime {
  logger: Logger;
  /** The gateway's retry and timeout policy (`UPSTREAM_MAX_RETRIES`, `UPSTREAM_TIMEOUT_MS`). */
  retry: RetryPolicy;
  /** Bound on a non-streaming upstream answer (`MAX_RESPONSE_BYTES`). */
  maxResponseBytes: number;
  /** Guarded fetch for remote images and documents a provider must download. */
  fetchMedia: GuardedFetch;
  /** `fetch` for HTTP upstreams (pooled connections); default: the global one. */
  fetch?: typeof fetch;
  /** The process environment (read-only), for kinds whose SDK reads credentials from it. */
  env: Readonly<Record<string, string | undefined>>;
  /** Whether a file exists (shared credential files). */
  fileExists: (path: string) => boolean;
}

/** What a kind's factory returns for one instance. */
export interface KindInstance {
  provider: ChatProvider;
  /** The instance's `/health` entry, read on every report. */
  health(): InstanceHealth;
  /** False: the instance takes no requests and lists no models (e.g. `MOCK_MODELS=false`). */
  enabled?: boolean;
}

/**
 * A provider kind: one folder under `core/providers/`, registered by one line in `registry.ts`.
 *
 * @example
 * const echoKind = defineProviderKind({
 *   name: "echo",
 *   settings: z.object({}),
 *   patterns: [/^echo-/],
 *   create: (id) => ({ provider: createEchoProvider(id), health: () => ({ state: "enabled" }) }),
 * });
 */
export interface ProviderKind<S extends z.ZodType = z.ZodType> {
  /** The kind's name, as a config file writes it (`kind: openai`). */
  readonly name: string;
  /** The instance settings (snake_case, as in the config file), validated at creation. */
  readonly settings: S;
  /** The model ids (without an instance prefix) this kind's instances claim. Instances are
   * tried in registration order; the first whose kind has a matching pattern gets the id. */
  readonly patterns: readonly RegExp[];
  /** Creates instance `id` from validated settings. */
  create(id: ProviderId, settings: z.output<S>, runtime: ProviderRuntime): KindInstance;
}

/** Types a kind definition (its settings type flows into `create`). */
export function defineProviderKind<S extends z.ZodType>(kind: ProviderKind<S>): ProviderKind<S> {
  return kind;
}

/**
 * The provider contract: every upstream (OpenAI, Bedrock, mock) answers canonical requests with
 * canonical responses and chunk streams.
 */
import type { GatewayError } from "../errors.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ModelInfo,
  Usage,
} from "../formats/openai.ts";

/** Names of the providers the router can pick. */
export type ProviderName = "openai" | "bedrock" | "mock";

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
}

/** Request formats a provider may take natively, body unchanged (the native fast path). */
export type NativeFormat = "bedrock_claude" | "bedrock_titan";

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

/** An upstream that answers chat requests. */
export interface ChatProvider {
  /** Provider name, as used in logs, metrics and `owned_by`. */
  readonly name: ProviderName;
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
  /** The models this provider serves; never throws for upstream failures (degrades instead). */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  /**
   * One model by the provider-side id a chat request may use, including ids the list does not
   * spell out (e.g. Bedrock's inference-profile prefixes and ARNs); undefined when unknown.
   * Without it, the id is looked up in {@link listModels}.
   */
  describeModel?(model: string, signal?: AbortSignal): Promise<ModelInfo | undefined>;
}

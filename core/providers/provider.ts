/**
 * The provider contract: every upstream (OpenAI, Bedrock, mock) answers canonical requests with
 * canonical responses and chunk streams.
 */
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ModelInfo,
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
  /** The models this provider serves; never throws for upstream failures (degrades instead). */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
}

/**
 * Builders shared by the stream decoders (Converse, Claude, Titan → canonical chunks): every
 * decoder emits the same `chat.completion.chunk` envelope and drives the same push/end loop.
 */
import type { ChatCompletionChunk, ChunkDelta, FinishReason, Usage } from "./schema.ts";

/** The fields every chunk of one stream shares. */
export interface ChunkContext {
  id: string;
  created: number;
  model: string;
}

/**
 * A one-choice chunk; `extra` adds fields to the choice (e.g. a vLLM-style `stop_reason`).
 *
 * @example
 * chunkOf({ id: "c", created: 0, model: "m" }, { content: "Hi" });
 */
export function chunkOf(
  ctx: ChunkContext,
  delta: ChunkDelta,
  finish: FinishReason | null = null,
  extra: Record<string, unknown> = {},
): ChatCompletionChunk {
  return {
    id: ctx.id,
    object: "chat.completion.chunk",
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null, ...extra }],
  };
}

/**
 * The final usage-only chunk (`choices: []`).
 *
 * @example
 * usageChunkOf(ctx, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
 */
export function usageChunkOf(ctx: ChunkContext, usage: Usage): ChatCompletionChunk {
  return {
    id: ctx.id,
    object: "chat.completion.chunk",
    created: ctx.created,
    model: ctx.model,
    choices: [],
    usage,
  };
}

/** A stateful decoder: chunks per upstream event, and a check when the upstream ends. */
export interface ChunkDecoder<E> {
  push(event: E): ChatCompletionChunk[];
  /** Throws when the stream ended before its final event. */
  end(): void;
}

/**
 * Runs a decoder over an event stream.
 *
 * @example
 * for await (const chunk of decodeStream(events, new TitanStreamDecoder(ctx))) yield chunk;
 */
export async function* decodeStream<E>(
  events: AsyncIterable<E>,
  decoder: ChunkDecoder<E>,
): AsyncIterable<ChatCompletionChunk> {
  for await (const event of events) yield* decoder.push(event);
  decoder.end();
}

/** What {@link claudeToOpenAIResponse} needs besides the message. */
export interface OpenAIResponseContext {
  /** `chatcmpl-…` id. */
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model reported to the client (default: the message's). */
  model?: string;
}

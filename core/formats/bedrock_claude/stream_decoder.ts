/**
 * Anthropic streaming events (InvokeModelWithResponseStream for Claude, or any Messages API
 * stream) → canonical `chat.completion.chunk` objects: the role first; text, thinking, signature
 * and tool-argument deltas as they arrive; `finish_reason` (with the stop sequence as the
 * choice's `stop_reason`) on `message_delta`, followed by a usage chunk (`choices: []`).
 */
import { GatewayError } from "../../errors.ts";
import { chunkOf, decodeStream, usageChunkOf } from "../openai/chunks.ts";
import type { ClaudeStreamEvent, ClaudeUsage } from "./schema.ts";
import type { ChatCompletionChunk, ChunkDelta, FinishReason } from "../openai/schema.ts";
import type { OpenAIResponseContext } from "../openai/chunks.ts";
import { claudeFinishReason } from "./stop_reason.ts";
import { claudeUsageToOpenAI, mergeDeltaUsage } from "./usage.ts";
import { kindOfAnthropicError } from "./errors.ts";

/**
 * Stateful decoder: {@link push} each event, then {@link end}. Tool calls are numbered from 0 in
 * order of appearance (text and thinking blocks do not count).
 *
 * @example
 * const decoder = new ClaudeStreamDecoder({ id: "chatcmpl-1", created: 0, model: "m" });
 * decoder.push({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } });
 * // [chunk { delta: { content: "Hi" } }]
 */
export class ClaudeStreamDecoder {
  readonly #ctx: OpenAIResponseContext & { model: string };
  readonly #tools = new Map<number, number>();
  #started = false;
  #stopped = false;
  #usage: Partial<ClaudeUsage> = {};

  constructor(ctx: OpenAIResponseContext & { model: string }) {
    this.#ctx = ctx;
  }

  #chunk(delta: ChunkDelta, finish: FinishReason | null = null, extra = {}): ChatCompletionChunk {
    return chunkOf(this.#ctx, delta, finish, extra);
  }

  #start(out: ChatCompletionChunk[]): void {
    if (this.#started) return;
    this.#started = true;
    out.push(this.#chunk({ role: "assistant", content: "" }));
  }

  /** Chunks for one event; an `error` event throws {@link GatewayError}. */
  push(event: ClaudeStreamEvent): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    if (this.#stopped) return out;
    switch (event.type) {
      case "message_start":
        this.#start(out);
        this.#usage = { ...(event.message?.usage ?? {}) };
        return out;
      case "content_block_start": {
        this.#start(out);
        const block = event.content_block;
        if (block.type === "text" && block.text !== "") {
          out.push(this.#chunk({ content: block.text }));
        }
        if (block.type === "thinking" && block.thinking !== "") {
          out.push(this.#chunk({ reasoning_content: block.thinking }));
        }
        if (block.type === "redacted_thinking") {
          out.push(this.#chunk({
            reasoning_details: [{ type: "reasoning.encrypted", data: block.data }],
          }));
        }
        if (block.type === "tool_use") {
          const index = this.#tools.size;
          this.#tools.set(event.index, index);
          const input = block.input ?? {};
          out.push(this.#chunk({
            tool_calls: [{
              index,
              id: block.id,
              type: "function",
              function: {
                name: block.name,
                arguments: Object.keys(input).length > 0 ? JSON.stringify(input) : "",
              },
            }],
          }));
        }
        return out;
      }
      case "content_block_delta":
        this.#start(out);
        this.#delta(event.index, event.delta, out);
        return out;
      case "message_delta": {
        this.#start(out);
        this.#stopped = true;
        const reason = event.delta?.stop_reason ?? null;
        const sequence = event.delta?.stop_sequence;
        out.push(this.#chunk(
          {},
          claudeFinishReason(reason),
          reason === "stop_sequence" && typeof sequence === "string"
            ? { stop_reason: sequence }
            : {},
        ));
        out.push(
          usageChunkOf(this.#ctx, claudeUsageToOpenAI(mergeDeltaUsage(this.#usage, event.usage))),
        );
        return out;
      }
      case "error":
        throw new GatewayError(
          kindOfAnthropicError(event.error?.type),
          `Claude stream error${event.error?.message ? `: ${event.error.message}` : "."}`,
        );
      case "content_block_stop":
      case "message_stop":
      case "ping":
        return out;
      default: {
        const _unknown: never = event;
        return out;
      }
    }
  }

  #delta(index: number, delta: ChunkDeltaOf, out: ChatCompletionChunk[]): void {
    switch (delta.type) {
      case "text_delta":
        if (delta.text !== "") out.push(this.#chunk({ content: delta.text }));
        return;
      case "input_json_delta": {
        const tool = this.#tools.get(index);
        if (tool !== undefined && delta.partial_json !== "") {
          out.push(this.#chunk({
            tool_calls: [{ index: tool, function: { arguments: delta.partial_json } }],
          }));
        }
        return;
      }
      case "thinking_delta":
        if (delta.thinking !== "") out.push(this.#chunk({ reasoning_content: delta.thinking }));
        return;
      case "signature_delta":
        if (delta.signature !== "") {
          out.push(this.#chunk({ reasoning_signature: delta.signature }));
        }
        return;
      case "citations_delta":
        return;
      default: {
        const unknown: never = delta;
        return unknown;
      }
    }
  }

  /** Call when the upstream stream ends; throws when it ended before `message_delta`. */
  end(): void {
    if (!this.#stopped) {
      throw new GatewayError("upstream", "The Claude stream ended early (no message_delta).");
    }
  }
}

type ChunkDeltaOf = Extract<ClaudeStreamEvent, { type: "content_block_delta" }>["delta"];

/**
 * Converts a Claude event stream into canonical chunks (see {@link ClaudeStreamDecoder}).
 *
 * @example
 * for await (const chunk of claudeStreamToChunks(events, { id, created, model })) yield chunk;
 */
export async function* claudeStreamToChunks(
  events: AsyncIterable<ClaudeStreamEvent>,
  ctx: OpenAIResponseContext & { model: string },
): AsyncIterable<ChatCompletionChunk> {
  yield* decodeStream(events, new ClaudeStreamDecoder(ctx));
}

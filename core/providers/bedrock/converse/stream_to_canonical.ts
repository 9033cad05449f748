/**
 * ConverseStream events → OpenAI `chat.completion.chunk` objects.
 */
import { type ErrorKind, GatewayError } from "../../../errors.ts";
import { chunkOf, decodeStream, usageChunkOf } from "../../../formats/openai/chunks.ts";
import type {
  ConverseStreamEvent,
  ConverseStreamException,
  ConverseStreamExceptionName,
} from "./wire.ts";
import type {
  ChatCompletionChunk,
  ChunkDelta,
  FinishReason,
} from "../../../formats/openai/schema.ts";
import { encodeBase64 } from "../../../text/base64.ts";
import { type ConverseResponseContext, finishReasonWithJsonTool } from "./to_canonical.ts";
import { converseUsage } from "./usage.ts";

/** How each in-stream exception is reported. */
const EXCEPTION_KINDS: Record<ConverseStreamExceptionName, ErrorKind> = {
  throttlingException: "rate_limited",
  validationException: "invalid_request",
  serviceUnavailableException: "unavailable",
  modelStreamErrorException: "upstream",
  internalServerException: "upstream",
};

const EXCEPTION_NAMES = Object.keys(EXCEPTION_KINDS) as ConverseStreamExceptionName[];

/** What a content block index of the stream carries. */
type BlockState =
  | { kind: "tool"; toolIndex: number }
  | { kind: "json" };

/**
 * Stateful converter: feed events with {@link push}, then call {@link end}. Tool calls get
 * OpenAI `index` values counting only tool calls (text and reasoning blocks do not count).
 *
 * @example
 * const converter = new ConverseStreamConverter({ id: "chatcmpl-1", created: 0, model: "m", toolNameMap: {} });
 * converter.push({ messageStart: { role: "assistant" } }); // [chunk with delta {role, content: ""}]
 * converter.push({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: "Hi" } } }); // [chunk "Hi"]
 * converter.push({ messageStop: { stopReason: "end_turn" } }); // [chunk with finish_reason "stop"]
 * converter.end(); // throws if messageStop never came
 */
export class ConverseStreamConverter {
  readonly #ctx: ConverseResponseContext;
  readonly #blocks = new Map<number, BlockState>();
  #started = false;
  #stopped = false;
  #toolCalls = 0;
  #jsonToolCalled = false;

  constructor(ctx: ConverseResponseContext) {
    this.#ctx = ctx;
  }

  #chunk(delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk {
    return chunkOf(this.#ctx, delta, finish);
  }

  /** The role chunk, once, before any content. */
  #start(out: ChatCompletionChunk[]): void {
    if (this.#started) return;
    this.#started = true;
    out.push(this.#chunk({ role: "assistant", content: "" }));
  }

  /** Chunks for one event; throws {@link GatewayError} for exception events. */
  push(event: ConverseStreamEvent): ChatCompletionChunk[] {
    for (const name of EXCEPTION_NAMES) {
      const exception = event[name];
      if (exception !== undefined) throw streamError(name, exception);
    }
    const out: ChatCompletionChunk[] = [];
    if (event.metadata !== undefined) {
      if (event.metadata.usage !== undefined) {
        out.push(usageChunkOf(this.#ctx, converseUsage(event.metadata.usage)));
      }
      return out;
    }
    if (this.#stopped) return out;
    if (event.messageStart !== undefined) {
      this.#start(out);
    } else if (event.contentBlockStart !== undefined) {
      this.#start(out);
      const { contentBlockIndex = 0, start } = event.contentBlockStart;
      const use = start?.toolUse;
      if (use !== undefined) this.#startTool(contentBlockIndex, use, out);
    } else if (event.contentBlockDelta !== undefined) {
      this.#start(out);
      const { contentBlockIndex = 0, delta } = event.contentBlockDelta;
      if (delta !== undefined) this.#delta(contentBlockIndex, delta, out);
    } else if (event.messageStop !== undefined) {
      this.#start(out);
      this.#stopped = true;
      const finish = finishReasonWithJsonTool(
        event.messageStop.stopReason,
        this.#jsonToolCalled,
        this.#toolCalls,
      );
      out.push(this.#chunk({}, finish));
    }
    // contentBlockStop and unknown events carry nothing for OpenAI clients.
    return out;
  }

  #startTool(
    blockIndex: number,
    use: { toolUseId?: string; name?: string },
    out: ChatCompletionChunk[],
  ): void {
    const name = use.name ?? "";
    if (this.#ctx.forcedJsonTool !== undefined && name === this.#ctx.forcedJsonTool) {
      this.#blocks.set(blockIndex, { kind: "json" });
      this.#jsonToolCalled = true;
      return;
    }
    const toolIndex = this.#toolCalls++;
    this.#blocks.set(blockIndex, { kind: "tool", toolIndex });
    out.push(this.#chunk({
      tool_calls: [{
        index: toolIndex,
        id: use.toolUseId ?? `${this.#ctx.id}_tool_${toolIndex}`,
        type: "function",
        function: { name: this.#ctx.toolNameMap[name] ?? name, arguments: "" },
      }],
    }));
  }

  #delta(
    blockIndex: number,
    delta: NonNullable<NonNullable<ConverseStreamEvent["contentBlockDelta"]>["delta"]>,
    out: ChatCompletionChunk[],
  ): void {
    // With a forced JSON tool the tool's input is the answer; other text would corrupt it.
    if (delta.text !== undefined && delta.text !== "" && this.#ctx.forcedJsonTool === undefined) {
      out.push(this.#chunk({ content: delta.text }));
    }
    const input = delta.toolUse?.input;
    if (input !== undefined && input !== "") {
      const block = this.#blocks.get(blockIndex);
      if (block?.kind === "json") out.push(this.#chunk({ content: input }));
      else if (block?.kind === "tool") {
        out.push(this.#chunk({
          tool_calls: [{ index: block.toolIndex, function: { arguments: input } }],
        }));
      }
    }
    const reasoning = delta.reasoningContent;
    if (reasoning !== undefined) {
      if (reasoning.text !== undefined && reasoning.text !== "") {
        out.push(this.#chunk({ reasoning_content: reasoning.text }));
      }
      if (reasoning.signature !== undefined && reasoning.signature !== "") {
        out.push(this.#chunk({ reasoning_signature: reasoning.signature }));
      }
      if (reasoning.redactedContent !== undefined) {
        out.push(this.#chunk({
          reasoning_details: [{
            type: "reasoning.encrypted",
            data: encodeBase64(reasoning.redactedContent),
          }],
        }));
      }
    }
  }

  /** Call when the upstream stream ends; throws when it ended without `messageStop`. */
  end(): void {
    if (!this.#stopped) {
      throw new GatewayError("upstream", "The Bedrock stream ended early (no messageStop).");
    }
  }
}

function streamError(name: ConverseStreamExceptionName, exception: ConverseStreamException) {
  const detail = exception.message ?? exception.originalMessage;
  const kind = EXCEPTION_KINDS[name];
  const label = name.charAt(0).toUpperCase() + name.slice(1);
  return new GatewayError(
    kind,
    `Bedrock stream error (${label})${detail !== undefined && detail !== "" ? `: ${detail}` : "."}`,
  );
}

/**
 * Converts a ConverseStream event stream into chunks: the role first, text / reasoning / tool
 * argument deltas as they arrive, `finish_reason` on the last choice chunk, then a usage chunk
 * (`choices: []`). Exception events and a stream ending without `messageStop` throw
 * {@link GatewayError}.
 *
 * @example
 * for await (const chunk of converseStreamToChunks(response.stream, ctx)) yield chunk;
 */
export async function* converseStreamToChunks(
  events: AsyncIterable<ConverseStreamEvent>,
  ctx: ConverseResponseContext,
): AsyncIterable<ChatCompletionChunk> {
  yield* decodeStream(events, new ConverseStreamConverter(ctx));
}

/**
 * Bedrock Titan Text → canonical: the request (`inputText` transcript → messages,
 * `textGenerationConfig` → parameters), the response and the stream chunks.
 *
 * Transcript rule: when `inputText` has a line starting with `User:`, lines starting with `User:`
 * or `Bot:` start user and assistant turns (text trimmed), text before the first label is a system
 * message, and a final empty `Bot:` (the generation cue) is dropped; otherwise the whole
 * `inputText`, unchanged, is one user message.
 */
import { GatewayError } from "../../errors.ts";
import { chunkOf, decodeStream, usageChunkOf } from "../openai/chunks.ts";
import type {
  TitanCompletionReason,
  TitanRequest,
  TitanResponse,
  TitanStreamChunk,
} from "./schema.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  ChatRequest,
  ChunkDelta,
  FinishReason,
  Usage,
} from "../openai/schema.ts";
import type { OpenAIResponseContext } from "../openai/chunks.ts";

const LABEL = /^(User|Bot):[ \t]?/gm;

/**
 * A Titan transcript → messages (see the module comment).
 *
 * @example
 * parseTitanTranscript("Be kind.\n\nUser: Hi\nBot: Hello\nUser: Bye\nBot:");
 * // [{ role: "system", content: "Be kind." }, { role: "user", content: "Hi" },
 * //  { role: "assistant", content: "Hello" }, { role: "user", content: "Bye" }]
 * parseTitanTranscript("Tell me a joke"); // [{ role: "user", content: "Tell me a joke" }]
 */
export function parseTitanTranscript(inputText: string): ChatMessage[] {
  const labels = [...inputText.matchAll(LABEL)];
  if (!labels.some((m) => m[1] === "User")) return [{ role: "user", content: inputText }];
  const messages: ChatMessage[] = [];
  const preamble = inputText.slice(0, labels[0].index).trim();
  if (preamble !== "") messages.push({ role: "system", content: preamble });
  labels.forEach((match, k) => {
    const start = match.index + match[0].length;
    const end = k + 1 < labels.length ? labels[k + 1].index : inputText.length;
    const text = inputText.slice(start, end).trim();
    const last = k === labels.length - 1;
    if (match[1] === "User") messages.push({ role: "user", content: text });
    else if (!(last && text === "")) messages.push({ role: "assistant", content: text });
  });
  return messages;
}

/**
 * Converts a validated Titan request to the canonical request.
 *
 * @example
 * titanToOpenAIRequest({ model: "amazon.titan-text-express-v1", inputText: "Hi",
 *   textGenerationConfig: { maxTokenCount: 50, temperature: 0, stopSequences: ["User:"] } });
 * // { model: "amazon.titan-text-express-v1", messages: [{ role: "user", content: "Hi" }],
 * //   max_tokens: 50, temperature: 0, stop: ["User:"] }
 */
export function titanToOpenAIRequest(request: TitanRequest): ChatRequest {
  const config = request.textGenerationConfig ?? {};
  return {
    model: request.model,
    messages: parseTitanTranscript(request.inputText),
    ...(request.stream !== undefined && request.stream !== null ? { stream: request.stream } : {}),
    ...(request.stream === true ? { stream_options: { include_usage: true } } : {}),
    ...(request.file_ids !== undefined ? { file_ids: request.file_ids } : {}),
    ...(config.maxTokenCount !== undefined ? { max_tokens: config.maxTokenCount } : {}),
    ...(config.temperature !== undefined ? { temperature: config.temperature } : {}),
    ...(config.topP !== undefined ? { top_p: config.topP } : {}),
    ...(config.stopSequences !== undefined ? { stop: config.stopSequences } : {}),
  };
}

const TITAN_REASONS: ReadonlySet<string> = new Set<TitanCompletionReason>([
  "FINISH",
  "LENGTH",
  "CONTENT_FILTERED",
]);

/**
 * A Titan `completionReason` → `finish_reason`; other values (`STOP_CRITERIA_MET`, …) → `stop`.
 *
 * @example
 * titanFinishReason("LENGTH"); // "length"
 */
export function titanFinishReason(reason: string | null | undefined): FinishReason {
  if (typeof reason !== "string" || !TITAN_REASONS.has(reason)) return "stop";
  const known = reason as TitanCompletionReason;
  switch (known) {
    case "FINISH":
      return "stop";
    case "LENGTH":
      return "length";
    case "CONTENT_FILTERED":
      return "content_filter";
    default: {
      const unhandled: never = known;
      return unhandled;
    }
  }
}

const tokens = (n: unknown) => (typeof n === "number" && Number.isFinite(n) ? n : 0);

/**
 * Titan token counts → canonical usage (a missing count is 0).
 *
 * @example
 * titanUsage(3, 2); // { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }
 */
export function titanUsage(prompt: unknown, completion: unknown): Usage {
  return {
    prompt_tokens: tokens(prompt),
    completion_tokens: tokens(completion),
    total_tokens: tokens(prompt) + tokens(completion),
  };
}

/**
 * A Titan response → a canonical completion (first result; usage from the token counts).
 *
 * @example
 * titanToOpenAIResponse({ inputTextTokenCount: 3, results: [{ tokenCount: 2, outputText: "Hi",
 *   completionReason: "FINISH" }] }, { id: "chatcmpl-1", created: 0, model: "m" });
 * // { ..., choices: [{ index: 0, message: { role: "assistant", content: "Hi" },
 * //   finish_reason: "stop", logprobs: null }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }
 */
export function titanToOpenAIResponse(
  response: TitanResponse,
  ctx: OpenAIResponseContext & { model: string },
): ChatCompletion {
  const result = response.results?.[0];
  return {
    id: ctx.id,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: result?.outputText ?? "", refusal: null },
      finish_reason: titanFinishReason(result?.completionReason),
      logprobs: null,
    }],
    usage: titanUsage(response.inputTextTokenCount, result?.tokenCount),
  };
}

/**
 * Stateful Titan stream decoder: {@link push} each chunk, then {@link end}. The chunk with a
 * `completionReason` yields the finish chunk and a usage chunk (`choices: []`).
 *
 * @example
 * const decoder = new TitanStreamDecoder({ id: "chatcmpl-1", created: 0, model: "m" });
 * decoder.push({ outputText: "Hi", index: 0, totalOutputTextTokenCount: null,
 *   completionReason: null, inputTextTokenCount: 3 }); // [role chunk, "Hi" chunk]
 */
export class TitanStreamDecoder {
  readonly #ctx: OpenAIResponseContext & { model: string };
  #started = false;
  #stopped = false;
  #inputTokens: number | null = null;

  constructor(ctx: OpenAIResponseContext & { model: string }) {
    this.#ctx = ctx;
  }

  #chunk(delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk {
    return chunkOf(this.#ctx, delta, finish);
  }

  /** Chunks for one Titan chunk. */
  push(chunk: TitanStreamChunk): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    if (this.#stopped) return out;
    if (!this.#started) {
      this.#started = true;
      out.push(this.#chunk({ role: "assistant", content: "" }));
    }
    if (typeof chunk.inputTextTokenCount === "number") {
      this.#inputTokens = chunk.inputTextTokenCount;
    }
    if (typeof chunk.outputText === "string" && chunk.outputText !== "") {
      out.push(this.#chunk({ content: chunk.outputText }));
    }
    if (chunk.completionReason !== null && chunk.completionReason !== undefined) {
      this.#stopped = true;
      out.push(this.#chunk({}, titanFinishReason(chunk.completionReason)));
      const metrics = chunk["amazon-bedrock-invocationMetrics"];
      out.push(usageChunkOf(
        this.#ctx,
        titanUsage(
          this.#inputTokens ?? metrics?.inputTokenCount,
          chunk.totalOutputTextTokenCount ?? metrics?.outputTokenCount,
        ),
      ));
    }
    return out;
  }

  /** Call when the upstream stream ends; throws when no chunk had a `completionReason`. */
  end(): void {
    if (!this.#stopped) {
      throw new GatewayError("upstream", "The Titan stream ended early (no completionReason).");
    }
  }
}

/**
 * Converts a Titan chunk stream into canonical chunks (see {@link TitanStreamDecoder}).
 *
 * @example
 * for await (const chunk of titanStreamToChunks(chunks, { id, created, model })) yield chunk;
 */
export async function* titanStreamToChunks(
  chunks: AsyncIterable<TitanStreamChunk>,
  ctx: OpenAIResponseContext & { model: string },
): AsyncIterable<ChatCompletionChunk> {
  yield* decodeStream(chunks, new TitanStreamDecoder(ctx));
}

/**
 * The format hub around the canonical (OpenAI) shape: any input format → canonical request, and
 * canonical responses and chunk streams → the target format. Pure: ids and time are passed in.
 */
import {
  claudeToOpenAIRequest,
  openaiToClaudeResponse,
} from "../formats/bedrock_claude/to_canonical.ts";
import {
  ClaudeStreamEncoder,
  openaiToClaudeRequest,
} from "../formats/bedrock_claude/from_canonical.ts";
import {
  openaiToTitanRequest,
  openaiToTitanResponse,
  TitanStreamEncoder,
} from "../formats/bedrock_titan/from_canonical.ts";
import { titanToOpenAIRequest } from "../formats/bedrock_titan/to_canonical.ts";
import type { AnyRequest, FormatName } from "../formats/detect.ts";
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from "../formats/openai/schema.ts";

/** Canonical request of any validated input. */
export function toCanonical(input: AnyRequest): ChatRequest {
  switch (input.format) {
    case "openai":
      return input.request;
    case "bedrock_claude":
      return claudeToOpenAIRequest(input.request);
    case "bedrock_titan":
      return titanToOpenAIRequest(input.request);
    default: {
      const unhandled: never = input;
      return unhandled;
    }
  }
}

/**
 * The canonical request rendered as a request body of another format (tRPC `formats.convert`).
 *
 * @example
 * requestAs("bedrock_titan", { model: "m", messages: [{ role: "user", content: "Hi" }] });
 * // { inputText: "Hi", ... }
 */
export function requestAs(format: FormatName, request: ChatRequest): Record<string, unknown> {
  switch (format) {
    case "openai":
      return request;
    case "bedrock_claude":
      return openaiToClaudeRequest(request);
    case "bedrock_titan":
      return openaiToTitanRequest(request);
    default: {
      const unhandled: never = format;
      return unhandled;
    }
  }
}

/** Ids and names the output converters need. */
export interface OutputContext {
  /** The model id as the client sent it. */
  model: string;
  newId: (prefix: string) => string;
  /** Prompt tokens known (or estimated) before a stream starts, for formats that report them
   * at the start (Anthropic's `message_start`). */
  inputTokens?: number;
}

/**
 * A canonical completion in the target format.
 *
 * @example
 * responseAs("bedrock_titan", completion, ctx); // { inputTextTokenCount, results: [...] }
 */
export function responseAs(
  format: FormatName,
  completion: ChatCompletion,
  ctx: OutputContext,
): unknown {
  switch (format) {
    case "openai":
      return completion;
    case "bedrock_claude":
      return openaiToClaudeResponse(completion, { newId: ctx.newId, model: ctx.model });
    case "bedrock_titan":
      return openaiToTitanResponse(completion);
    default: {
      const unhandled: never = format;
      return unhandled;
    }
  }
}

/** Turns canonical chunks into target-format events, one batch per chunk. */
export interface StreamEncoder {
  push(chunk: ChatCompletionChunk): unknown[];
  end(): unknown[];
}

const passthrough: StreamEncoder = { push: (chunk) => [chunk], end: () => [] };

/** The stream encoder for a target format (`openai` passes chunks through). */
export function streamEncoderFor(format: FormatName, ctx: OutputContext): StreamEncoder {
  switch (format) {
    case "openai":
      return passthrough;
    case "bedrock_claude":
      return new ClaudeStreamEncoder({
        id: ctx.newId("msg_"),
        model: ctx.model,
        inputTokens: ctx.inputTokens,
      });
    case "bedrock_titan":
      return new TitanStreamEncoder();
    default: {
      const unhandled: never = format;
      return unhandled;
    }
  }
}

/**
 * Maps a canonical chunk stream to target-format events.
 *
 * @example
 * for await (const event of encodeStream(chunks, streamEncoderFor("bedrock_claude", ctx))) …
 */
export async function* encodeStream(
  chunks: AsyncIterable<ChatCompletionChunk>,
  encoder: StreamEncoder,
): AsyncGenerator<unknown> {
  for await (const chunk of chunks) yield* encoder.push(chunk);
  yield* encoder.end();
}

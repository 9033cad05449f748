/**
 * Canonical → Bedrock Titan Text: the request (messages → a `User:` / `Bot:` transcript ending
 * with `Bot:`), the response and the stream chunks.
 *
 * Titan has no tools, images or documents: tool calls and tool results in the history are kept as
 * text (`[Called tool NAME (call id ID) with arguments: ARGS]`, `[Result of tool call ID: TEXT]`,
 * the wording of the Converse text fallback), `tools` / `tool_choice` / reasoning are dropped, and
 * image, file or audio parts are a 400 naming the part. In responses, tool calls are appended to
 * `outputText` in the same bracketed form.
 */
import { GatewayError } from "../../errors.ts";
import type {
  TitanCompletionReason,
  TitanGenerationConfig,
  TitanRequest,
  TitanResponse,
  TitanStreamChunk,
} from "./schema.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  ChatRequest,
  FinishReason,
  Usage,
} from "../openai/schema.ts";
import { type OpenAIErrorBody, openaiErrorBody } from "../openai/errors.ts";

type Content = ChatMessage["content"];

/** Text of message content; non-text parts are a 400 naming `messages[i].content[j]`. */
function textOf(content: Content, i: number): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  return content.map((part, j) => {
    switch (part.type) {
      case "text":
        return part.text;
      case "refusal":
        return part.refusal;
      case "image_url":
      case "file":
      case "input_audio": {
        const param = `messages[${i}].content[${j}]`;
        throw new GatewayError(
          "invalid_request",
          `${param}: bedrock_titan cannot represent '${part.type}' parts.`,
          { param },
        );
      }
      default: {
        const unhandled: never = part;
        return unhandled;
      }
    }
  }).join("\n");
}

/**
 * Tool calls as bracketed text (Titan output has no tool calls).
 *
 * @example
 * toolCallsText([{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }]);
 * // "[Called tool f (call id c1) with arguments: {}]"
 */
export function toolCallsText(
  calls: ReadonlyArray<{ id?: string; function: { name?: string; arguments?: string } }>,
): string {
  return calls.map((call) =>
    `[Called tool ${call.function.name ?? ""} (call id ${call.id ?? ""}) with arguments: ${
      call.function.arguments ?? ""
    }]`
  ).join("\n");
}

const join = (...texts: string[]) => texts.filter((t) => t !== "").join("\n");

/**
 * Messages → a Titan `inputText`. One user message with string content is sent unchanged;
 * anything else becomes a transcript: system text first, then `User:` / `Bot:` lines, ending
 * with `Bot:` (or with the final assistant message, a prefill).
 *
 * @example
 * titanTranscript([{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" },
 *   { role: "user", content: "Bye" }]); // "User: Hi\nBot: Hello\nUser: Bye\nBot:"
 */
export function titanTranscript(messages: ChatMessage[]): string {
  if (
    messages.length === 1 && messages[0].role === "user" && typeof messages[0].content === "string"
  ) {
    return messages[0].content;
  }
  const system: string[] = [];
  const lines: string[] = [];
  messages.forEach((message, i) => {
    const role = message.role;
    switch (role) {
      case "system":
      case "developer":
        system.push(textOf(message.content, i));
        return;
      case "user":
        lines.push(`User: ${textOf(message.content, i)}`);
        return;
      case "assistant":
        lines.push(
          `Bot: ${join(textOf(message.content, i), toolCallsText(message.tool_calls ?? []))}`,
        );
        return;
      case "tool":
        lines.push(
          `User: [Result of tool call ${message.tool_call_id}: ${textOf(message.content, i)}]`,
        );
        return;
      default: {
        const unhandled: never = role;
        return unhandled;
      }
    }
  });
  const last = messages.at(-1);
  if (last?.role !== "assistant") lines.push("Bot:");
  const preamble = system.filter((s) => s !== "").join("\n");
  return (preamble !== "" ? `${preamble}\n\n` : "") + lines.join("\n");
}

/**
 * Converts the canonical request to a Titan body (see the module comment).
 *
 * @example
 * openaiToTitanRequest({ model: "amazon.titan-text-express-v1",
 *   messages: [{ role: "user", content: "Hi" }], max_tokens: 50, top_p: 0.9 });
 * // { model: "amazon.titan-text-express-v1", inputText: "Hi",
 * //   textGenerationConfig: { maxTokenCount: 50, topP: 0.9 } }
 */
export function openaiToTitanRequest(request: ChatRequest): TitanRequest {
  const max = request.max_completion_tokens ?? request.max_tokens;
  const stop = typeof request.stop === "string" ? [request.stop] : request.stop;
  const config: TitanGenerationConfig = {
    ...(max !== undefined && max !== null ? { maxTokenCount: max } : {}),
    ...(typeof request.temperature === "number"
      ? { temperature: Math.min(1, request.temperature) }
      : {}),
    ...(typeof request.top_p === "number" ? { topP: request.top_p } : {}),
    ...(stop !== undefined && stop !== null ? { stopSequences: stop } : {}),
  };
  return {
    model: request.model,
    ...(request.stream !== undefined && request.stream !== null ? { stream: request.stream } : {}),
    ...(request.file_ids !== undefined ? { file_ids: request.file_ids as string[] } : {}),
    inputText: titanTranscript(request.messages),
    ...(Object.keys(config).length > 0 ? { textGenerationConfig: config } : {}),
  };
}

/**
 * An OpenAI `finish_reason` → Titan `completionReason` (`tool_calls` and missing → FINISH).
 *
 * @example
 * titanCompletionReason("content_filter"); // "CONTENT_FILTERED"
 */
export function titanCompletionReason(
  finish: FinishReason | null | undefined,
): TitanCompletionReason {
  if (finish === null || finish === undefined) return "FINISH";
  switch (finish) {
    case "stop":
    case "tool_calls":
    case "function_call":
      return "FINISH";
    case "length":
      return "LENGTH";
    case "content_filter":
      return "CONTENT_FILTERED";
    default: {
      const unhandled: never = finish;
      return unhandled;
    }
  }
}

/**
 * A canonical completion → a Titan response (content, or the refusal, plus tool calls as text).
 *
 * @example
 * openaiToTitanResponse({ id: "c", object: "chat.completion", created: 0, model: "m",
 *   choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "length" }],
 *   usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
 * // { inputTextTokenCount: 3, results: [{ tokenCount: 2, outputText: "Hi", completionReason: "LENGTH" }] }
 */
export function openaiToTitanResponse(completion: ChatCompletion): TitanResponse {
  const choice = completion.choices[0];
  const message = choice?.message;
  const text = typeof message?.content === "string"
    ? message.content
    : typeof message?.refusal === "string"
    ? message.refusal
    : "";
  return {
    inputTextTokenCount: completion.usage?.prompt_tokens ?? 0,
    results: [{
      tokenCount: completion.usage?.completion_tokens ?? 0,
      outputText: join(text, toolCallsText(message?.tool_calls ?? [])),
      completionReason: titanCompletionReason(choice?.finish_reason),
    }],
  };
}

/**
 * Canonical chunks → Titan stream chunks: one per text delta, then a last chunk with
 * `completionReason`, `totalOutputTextTokenCount` and `inputTextTokenCount` (0 when the usage is
 * unknown), sent once both the finish reason and the usage chunk have arrived, or at
 * {@link end}. Tool calls are accumulated and sent as text in the last chunk.
 *
 * @example
 * const encoder = new TitanStreamEncoder();
 * encoder.push(chunk({ content: "Hi" })); // [{ outputText: "Hi", index: 0, completionReason: null, … }]
 * encoder.push(chunk({}, "stop")); encoder.push(usageChunk); // [{ outputText: "", completionReason: "FINISH", … }]
 */
export class TitanStreamEncoder {
  #done = false;
  #textSent = false;
  #finish: TitanCompletionReason | undefined;
  #usage: Usage | undefined;
  readonly #calls: Array<{ id?: string; function: { name?: string; arguments?: string } }> = [];

  /** Titan chunks for one canonical chunk. */
  push(chunk: ChatCompletionChunk): TitanStreamChunk[] {
    const out: TitanStreamChunk[] = [];
    if (this.#done) return out;
    const choice = chunk.choices.find((c) => c.index === 0);
    if (choice !== undefined) {
      const delta = choice.delta ?? {};
      for (const text of [delta.content, delta.refusal]) {
        if (typeof text === "string" && text !== "") out.push(this.#chunk(text));
      }
      for (const call of delta.tool_calls ?? []) {
        const entry = this.#calls[call.index] ??= { function: {} };
        if (call.id !== undefined) entry.id = call.id;
        if (call.function?.name !== undefined) entry.function.name = call.function.name;
        entry.function.arguments = (entry.function.arguments ?? "") +
          (call.function?.arguments ?? "");
      }
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        this.#finish = titanCompletionReason(choice.finish_reason);
      }
    }
    if (chunk.usage !== undefined && chunk.usage !== null) this.#usage = chunk.usage;
    if (this.#finish !== undefined && this.#usage !== undefined) out.push(this.#final());
    return out;
  }

  /** The last chunk, unless already sent. */
  end(): TitanStreamChunk[] {
    return this.#done ? [] : [this.#final()];
  }

  /** The error payload for a failure mid-stream (`{"error": {…}}`, SPEC §3.4). */
  error(error: GatewayError): OpenAIErrorBody {
    this.#done = true;
    return openaiErrorBody(error);
  }

  #chunk(outputText: string): TitanStreamChunk {
    this.#textSent = true;
    return {
      outputText,
      index: 0,
      totalOutputTextTokenCount: null,
      completionReason: null,
      inputTextTokenCount: null,
    };
  }

  #final(): TitanStreamChunk {
    this.#done = true;
    const calls = this.#calls.filter((c) => c !== undefined);
    return {
      outputText: calls.length === 0 ? "" : `${this.#textSent ? "\n" : ""}${toolCallsText(calls)}`,
      index: 0,
      totalOutputTextTokenCount: this.#usage?.completion_tokens ?? 0,
      completionReason: this.#finish ?? "FINISH",
      inputTextTokenCount: this.#usage?.prompt_tokens ?? 0,
    };
  }
}

/**
 * One chat answer from the gateway: streamed through `chat.stream` (tokens handed to `onToken`
 * as they arrive, tool-call fragments assembled) or fetched whole with `chat.complete`. Aborting
 * the signal aborts the HTTP request, so the gateway aborts the upstream one.
 */
import type { GatewayClient } from "../routers/client.ts";
import type { ChatAnswer, ChatInput, ChunkLike, ToolCall, ToolCallFragment } from "./chat_types.ts";

/** The result of one answer. */
export interface Answer {
  content: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
  cancelled: boolean;
  /** Token counts, when the gateway reported them. */
  usage?: Usage;
}

/** Token counts of one answer. */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

/** Callbacks while an answer arrives. */
export interface AnswerHandlers {
  /** Each text piece, in order. */
  onToken?(text: string): void;
  signal?: AbortSignal;
}

/**
 * Adds streamed tool-call fragments to the calls assembled so far (fragments of one call share
 * an `index`; the name and id come once, the arguments in pieces).
 *
 * @example
 * addToolCallFragments([], [{ index: 0, id: "c1", function: { name: "f", arguments: "{" } }]);
 * // [{ id: "c1", name: "f", arguments: "{" }]
 */
export function addToolCallFragments(calls: ToolCall[], fragments: ToolCallFragment[]): ToolCall[] {
  const out = calls.map((c) => ({ ...c }));
  for (const f of fragments) {
    const call = out[f.index] ??= { id: "", name: "", arguments: "" };
    if (f.id) call.id = f.id;
    if (f.function?.name) call.name += f.function.name;
    if (f.function?.arguments) call.arguments += f.function.arguments;
  }
  return out.filter((c) => c !== undefined);
}

/** Folds one chunk into an answer in progress; returns the new text piece ("" when none). */
export function applyChunk(answer: Answer, chunk: ChunkLike): string {
  if (chunk.usage) {
    answer.usage = {
      prompt_tokens: chunk.usage.prompt_tokens,
      completion_tokens: chunk.usage.completion_tokens,
    };
  }
  const choice = chunk.choices[0];
  if (choice === undefined) return "";
  const piece = choice.delta.content ?? "";
  answer.content += piece;
  if (choice.delta.tool_calls) {
    answer.toolCalls = addToolCallFragments(answer.toolCalls, choice.delta.tool_calls);
  }
  if (choice.finish_reason !== null) answer.finishReason = choice.finish_reason;
  return piece;
}

/**
 * Streams an answer through `chat.stream` (a POST whose answer is read as it arrives). Aborting
 * `handlers.signal` aborts that request, so the gateway aborts the upstream one; the answer so
 * far comes back with `cancelled: true`. An error before or during the stream is thrown as the
 * tRPC client's `TRPCClientError` (with the gateway's `data.gateway`).
 */
export async function streamAnswer(
  client: GatewayClient,
  input: ChatInput,
  handlers: AnswerHandlers = {},
): Promise<Answer> {
  const answer: Answer = { content: "", toolCalls: [], finishReason: null, cancelled: false };
  const { signal } = handlers;
  // The stream is read until it ends or the signal fires, whichever comes first.
  let onAbort = () => {};
  const cancelled = new Promise<"cancelled">((resolve) => {
    onAbort = () => resolve("cancelled");
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
  const read = async () => {
    const chunks = await client.chat.stream.mutate(input, { signal });
    for await (const chunk of chunks) {
      if (signal?.aborted) break; // nothing is shown after a cancel
      const piece = applyChunk(answer, chunk as unknown as ChunkLike);
      if (piece !== "") handlers.onToken?.(piece);
    }
    return "done" as const;
  };
  const reading = read();
  try {
    const outcome = await Promise.race([reading, cancelled]);
    if (outcome === "cancelled" || signal?.aborted) answer.cancelled = true;
    return answer;
  } catch (error) {
    if (signal?.aborted) {
      answer.cancelled = true;
      return answer;
    }
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    reading.catch(() => {}); // after a cancel it fails with the abort: already reported
  }
}

/** Reads a whole answer with `chat.complete`. */
export async function completeAnswer(
  client: GatewayClient,
  input: ChatInput,
  handlers: AnswerHandlers = {},
): Promise<Answer> {
  let result: ChatAnswer;
  try {
    result = await client.chat.complete.mutate(input, { signal: handlers.signal });
  } catch (error) {
    if (handlers.signal?.aborted) {
      return { content: "", toolCalls: [], finishReason: null, cancelled: true };
    }
    throw error;
  }
  const choice = result.choices[0];
  const content = choice?.message.content ?? "";
  if (content !== "") handlers.onToken?.(content);
  return {
    content,
    toolCalls: (choice?.message.tool_calls ?? []).map((c) => ({
      id: c.id,
      name: c.function.name,
      arguments: c.function.arguments,
    })),
    finishReason: choice?.finish_reason ?? null,
    cancelled: false,
    ...(result.usage
      ? {
        usage: {
          prompt_tokens: result.usage.prompt_tokens,
          completion_tokens: result.usage.completion_tokens,
        },
      }
      : {}),
  };
}

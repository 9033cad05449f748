/**
 * Chat types of the CLI, derived from the typed tRPC client (so they follow the gateway's
 * schema): the request, a message, a streamed chunk and a completion.
 */
import type { GatewayClient } from "../routers/client.ts";

/** The `chat.complete` / `chat.stream` input (an OpenAI chat request). */
export type ChatInput = Parameters<GatewayClient["chat"]["complete"]["mutate"]>[0];
/** One message of a chat request. */
export type ChatMessage = ChatInput["messages"][number];
/** A `chat.completion` answer. */
export type ChatAnswer = Awaited<ReturnType<GatewayClient["chat"]["complete"]["mutate"]>>;
/** A tool definition of a chat request. */
export type ChatTool = NonNullable<ChatInput["tools"]>[number];

/** A tool call the model made (assembled from stream deltas or read from a completion). */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A streamed tool-call fragment. */
export interface ToolCallFragment {
  index: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

/** The part of a `chat.completion.chunk` the CLI reads. */
export interface ChunkLike {
  choices: Array<{
    delta: { content?: string | null; tool_calls?: ToolCallFragment[] };
    finish_reason: string | null;
  }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

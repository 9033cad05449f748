/**
 * A conversation's requests and records: the request for the next answer (system prompt,
 * history, parameters), and how an answer — text and tool calls — is added to the session.
 * Pure.
 */
import type { ChatInput, ChatMessage, ChatTool, ToolCall } from "./chat_types.ts";
import type { ChatSession } from "./history_store.ts";

/** Sampling parameters and tools given on the command line. */
export interface ChatParams {
  temperature?: number;
  maxTokens?: number;
  tools?: ChatTool[];
  /** Ask for token counts in the stream (`stream_options.include_usage`), for `--stats`. */
  includeUsage?: boolean;
}

/** How a cancelled answer ends in the saved conversation. */
export const CANCELLED_MARK = "[cancelled]";

/** What the CLI answers for a tool call it cannot run, so the conversation stays valid. */
export const TOOL_NOT_RUN = "The tool was not run: this chat client cannot run tools.";

/**
 * The request for an answer to `session` (whose last message is the user's turn).
 *
 * @example
 * buildRequest({ model: "m", system: "s", messages: [u] } as ChatSession, {}).messages[0];
 * // { role: "system", content: "s" }
 */
export function buildRequest(session: ChatSession, params: ChatParams): ChatInput {
  const messages: ChatMessage[] = [
    ...(session.system !== undefined ? [{ role: "system" as const, content: session.system }] : []),
    ...session.messages,
  ];
  return {
    model: session.model,
    messages,
    ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
    ...(params.maxTokens !== undefined ? { max_tokens: params.maxTokens } : {}),
    ...(params.tools !== undefined && params.tools.length > 0 ? { tools: params.tools } : {}),
    ...(params.includeUsage ? { stream_options: { include_usage: true } } : {}),
  } as ChatInput;
}

/** The session with the user's message appended. */
export function withUserMessage(session: ChatSession, text: string): ChatSession {
  return { ...session, messages: [...session.messages, { role: "user", content: text }] };
}

/**
 * The session with the assistant's answer appended: its text and tool calls, followed by one
 * "not run" tool result per call (the CLI does not execute tools).
 */
export function withAnswer(
  session: ChatSession,
  answer: { content: string; toolCalls: ToolCall[] },
  now = new Date(),
): ChatSession {
  const calls = answer.toolCalls.map((c, i) => ({ ...c, id: c.id !== "" ? c.id : `call_${i}` }));
  const assistant = {
    role: "assistant" as const,
    content: answer.content === "" && calls.length > 0 ? null : answer.content,
    ...(calls.length > 0
      ? {
        tool_calls: calls.map((c) => ({
          id: c.id,
          type: "function" as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      }
      : {}),
  } as ChatMessage;
  const results = calls.map((c) =>
    ({ role: "tool", tool_call_id: c.id, content: TOOL_NOT_RUN }) as ChatMessage
  );
  return {
    ...session,
    updated_at: now.toISOString(),
    messages: [...session.messages, assistant, ...results],
  };
}

/**
 * The session with a cancelled answer appended: what arrived before the cancel, marked
 * {@link CANCELLED_MARK} (the mark alone when nothing arrived).
 *
 * @example
 * withCancelledAnswer(s, "partial ").messages.at(-1); // { role: "assistant", content: "partial [cancelled]" }
 */
export function withCancelledAnswer(
  session: ChatSession,
  partial: string,
  now = new Date(),
): ChatSession {
  const text = partial.trimEnd();
  return withAnswer(session, {
    content: text === "" ? CANCELLED_MARK : `${text} ${CANCELLED_MARK}`,
    toolCalls: [],
  }, now);
}

/**
 * One tool call as a line: `name(arguments)` with the arguments compacted when they are JSON.
 *
 * @example
 * formatToolCall({ id: "c", name: "f", arguments: '{ "a": 1 }' }); // 'f({"a":1})'
 */
export function formatToolCall(call: ToolCall): string {
  let args = call.arguments;
  try {
    args = JSON.stringify(JSON.parse(call.arguments));
  } catch {
    // shown as sent
  }
  return `${call.name}(${args})`;
}

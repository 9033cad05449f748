/**
 * An estimate of a canonical request's prompt tokens, for streams whose upstream reports usage
 * only at the end (OpenAI, Converse) while the client's format wants it at the start (Anthropic's
 * `message_start.usage.input_tokens`, which LangChain reads). About four characters per token
 * over the text the model reads: message text, tool-call arguments, tool definitions; at least 1.
 * The exact count, once the upstream reports it, is sent in `message_delta.usage`.
 */
import type { ChatRequest } from "./schema.ts";

/** Characters per token of the estimate (the usual rule of thumb for English and code). */
export const CHARS_PER_TOKEN = 4;

function textLength(content: unknown): number {
  if (typeof content === "string") return content.length;
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const part of content) {
    const text = (part as { text?: unknown; refusal?: unknown } | null)?.text ??
      (part as { refusal?: unknown } | null)?.refusal;
    if (typeof text === "string") n += text.length;
  }
  return n;
}

/**
 * Estimated prompt tokens of `request` (see the module comment).
 *
 * @example
 * estimatePromptTokens({ model: "m", messages: [{ role: "user", content: "Hello there!" }] }); // 3
 */
export function estimatePromptTokens(request: ChatRequest): number {
  let chars = 0;
  for (const message of request.messages) {
    chars += textLength(message.content);
    if (message.role === "assistant") {
      for (const call of message.tool_calls ?? []) {
        chars += call.function.name.length + call.function.arguments.length;
      }
    }
  }
  for (const tool of request.tools ?? []) {
    chars += tool.function.name.length + (tool.function.description?.length ?? 0) +
      (tool.function.parameters !== undefined
        ? JSON.stringify(tool.function.parameters).length
        : 0);
  }
  return Math.max(1, Math.ceil(chars / CHARS_PER_TOKEN));
}

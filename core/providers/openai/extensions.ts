/**
 * What the OpenAI provider removes from a request converted from another format: the canonical
 * extension fields a strict OpenAI upstream would reject, and `reasoning_effort` for models
 * without reasoning. An OpenAI client's own extra fields are its business and are forwarded.
 */
import { assertNever } from "../../errors.ts";
import type { ChatMessage, ChatRequest } from "../../formats/openai/schema.ts";
import { rejectsReasoningEffort } from "./models.ts";

/** Canonical fields the Claude conversion may add that are not part of OpenAI's API. */
export const CANONICAL_EXTENSION_FIELDS = {
  request: ["top_k", "reasoning_budget_tokens"],
  toolMessage: ["is_error", "cache_control"],
  /** Claude thinking signatures and blocks mean nothing to another vendor's model. */
  assistantMessage: ["reasoning_signature", "reasoning_details"],
  part: ["cache_control", "tool_call_id", "context", "citations"],
  toolCall: ["cache_control"],
  tool: ["cache_control"],
} as const;

function omit<T extends object>(value: T, fields: readonly string[]): T {
  if (!fields.some((field) => Object.hasOwn(value, field))) return value;
  const copy = { ...value } as Record<string, unknown>;
  for (const field of fields) delete copy[field];
  return copy as T;
}

function withoutPartExtensions<T>(content: T): T {
  return Array.isArray(content)
    ? content.map((part) =>
      typeof part === "object" && part !== null ? omit(part, CANONICAL_EXTENSION_FIELDS.part) : part
    ) as T
    : content;
}

/**
 * The canonical request without the gateway extension fields of
 * {@link CANONICAL_EXTENSION_FIELDS}, for strict OpenAI upstreams. Returns copies; the input is
 * not modified.
 *
 * @example
 * withoutExtensions({ model: "gpt-4o", top_k: 5, messages: [{ role: "tool", tool_call_id: "t",
 *   content: "x", is_error: true }] });
 * // { model: "gpt-4o", messages: [{ role: "tool", tool_call_id: "t", content: "x" }] }
 */
export function withoutExtensions(request: ChatRequest): ChatRequest {
  const fields = CANONICAL_EXTENSION_FIELDS;
  const messages = request.messages.map((message): ChatMessage => {
    const role = message.role;
    switch (role) {
      case "tool":
        return omit(
          { ...message, content: withoutPartExtensions(message.content) },
          fields.toolMessage,
        );
      case "assistant":
        return omit({
          ...message,
          content: withoutPartExtensions(message.content),
          ...(message.tool_calls !== undefined
            ? { tool_calls: message.tool_calls.map((call) => omit(call, fields.toolCall)) }
            : {}),
        }, fields.assistantMessage);
      case "system":
      case "developer":
      case "user":
        return { ...message, content: withoutPartExtensions(message.content) } as ChatMessage;
      default:
        return assertNever(role);
    }
  });
  return {
    ...omit(request, fields.request),
    messages,
    ...(request.tools !== undefined
      ? { tools: request.tools.map((tool) => omit(tool, fields.tool)) }
      : {}),
  };
}

/**
 * A request converted from another format, made fit for a strict OpenAI upstream: extension
 * fields dropped ({@link withoutExtensions}) and `reasoning_effort` removed for a model without
 * reasoning (Claude `thinking` / `output_config.effort`, which Claude Code sends to every model,
 * mean nothing to it, and it would reject the field).
 *
 * @example
 * forOpenAIUpstream({ model: "gpt-4o-mini", reasoning_effort: "low", messages: [] });
 * // { model: "gpt-4o-mini", messages: [] }
 */
export function forOpenAIUpstream(request: ChatRequest): ChatRequest {
  const stripped = withoutExtensions(request);
  if (stripped.reasoning_effort == null || !rejectsReasoningEffort(stripped.model)) return stripped;
  const { reasoning_effort: _effort, ...rest } = stripped;
  return rest;
}

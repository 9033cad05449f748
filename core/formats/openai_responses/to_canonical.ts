/**
 * A Responses request → the canonical (chat) request:
 * - `instructions`, `system` and `developer` messages → system messages, in order;
 * - user content: `input_text` → text, `input_image` URL → image_url, `input_file` data or URL →
 *   file part, `file_id` (image or file) → the gateway's `file_ids` (Files API text context);
 * - assistant `output_text` / `refusal` → content / refusal; the `function_call` and `reasoning`
 *   items around an assistant message join it (tool_calls, reasoning fields with signatures read
 *   from `encrypted_content`, see reasoning.ts); `function_call_output` → a tool message (its
 *   images and files follow as a user message carrying `tool_call_id`);
 * - items of built-in tools are left out; function and namespace tools → function tools
 *   (tools.ts); `text.format` → `response_format`; `reasoning.effort` → `reasoning_effort`;
 *   `max_output_tokens` → `max_completion_tokens`.
 */
import type {
  ChatMessage,
  ChatRequest,
  ChatToolCall,
  ReasoningDetail,
  UserContentPart,
} from "../openai/schema.ts";
import { detailOfItem } from "./reasoning.ts";
import {
  type ContentPart,
  type InputItem,
  inputItems,
  type MessageItem,
  type ResponsesRequest,
} from "./schema.ts";
import { convertTools, toolChoiceToCanonical } from "./tools.ts";

type Assistant = Extract<ChatMessage, { role: "assistant" }>;
type Part = ContentPart | { type: "input_image" | "input_file"; [k: string]: unknown };

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

/** A content part → a canonical user part (file ids go to `fileIds`). */
function userPart(part: Part, fileIds: string[]): UserContentPart | undefined {
  const p = part as Record<string, unknown>;
  switch (part.type) {
    case "input_text":
    case "output_text":
      return { type: "text", text: String(p.text) };
    case "refusal":
      return { type: "text", text: String(p.refusal) };
    case "input_image": {
      if (typeof p.image_url === "string") {
        const detail = p.detail === "low" || p.detail === "high" || p.detail === "auto"
          ? { detail: p.detail as "low" | "high" | "auto" }
          : {};
        return { type: "image_url", image_url: { url: p.image_url, ...detail } };
      }
      if (typeof p.file_id === "string") fileIds.push(p.file_id);
      return undefined;
    }
    case "input_file": {
      const filename = typeof p.filename === "string" ? { filename: p.filename } : {};
      if (typeof p.file_data === "string") {
        return { type: "file", file: { file_data: p.file_data, ...filename } };
      }
      if (typeof p.file_url === "string") {
        return { type: "file", file: { file_url: p.file_url, ...filename } };
      }
      if (typeof p.file_id === "string") fileIds.push(p.file_id);
      return undefined;
    }
    default:
      return undefined;
  }
}

const textOf = (content: MessageItem["content"]): string =>
  typeof content === "string" ? content : content.map((part) => {
    const p = part as Record<string, unknown>;
    return typeof p.text === "string" ? p.text : typeof p.refusal === "string" ? p.refusal : "";
  }).join("");

/** A system or developer message's content: its text, or one text part per part when it has
 * several (kept apart, as the client wrote them). */
function systemContent(
  content: MessageItem["content"],
): string | Array<{ type: "text"; text: string }> {
  if (typeof content === "string" || content.length <= 1) return textOf(content);
  return content.map((part) => ({ type: "text" as const, text: textOf([part]) }));
}

/** Builds the canonical messages while walking the items. */
class Conversation {
  readonly messages: ChatMessage[] = [];
  readonly fileIds: string[] = [];
  #assistant: Assistant | undefined;
  #reasoning: ReasoningDetail[] = [];

  /** The open assistant message (created on demand), with pending reasoning attached. */
  #open(): Assistant {
    if (this.#assistant === undefined) {
      this.#assistant = { role: "assistant", content: null };
      this.messages.push(this.#assistant);
    }
    if (this.#reasoning.length > 0) {
      const details = [...(this.#assistant.reasoning_details ?? []), ...this.#reasoning];
      const texts = details.filter((d) => d.type === "reasoning.text");
      const signed = texts.findLast((d) => given(d.signature));
      this.#assistant.reasoning_details = details;
      if (texts.length > 0) this.#assistant.reasoning_content = texts.map((d) => d.text).join("");
      if (signed?.type === "reasoning.text") this.#assistant.reasoning_signature = signed.signature;
      this.#reasoning = [];
    }
    return this.#assistant;
  }

  #close(): void {
    this.#assistant = undefined;
  }

  message(item: MessageItem): void {
    switch (item.role) {
      case "system":
      case "developer":
        this.#close();
        this.messages.push({ role: "system", content: systemContent(item.content) });
        return;
      case "user": {
        this.#close();
        const parts = typeof item.content === "string"
          ? [{ type: "text" as const, text: item.content }]
          : item.content.map((p) => userPart(p, this.fileIds)).filter(given);
        if (parts.length > 0) this.messages.push({ role: "user", content: parts });
        return;
      }
      case "assistant": {
        const open = this.#open();
        const text = typeof item.content === "string"
          ? item.content
          : item.content.filter((p) => p.type !== "refusal").map((p) =>
            (p as { text?: string }).text ?? ""
          ).join("");
        const refusal = typeof item.content === "string" ? "" : item.content
          .filter((p) => p.type === "refusal").map((p) => (p as { refusal: string }).refusal)
          .join("");
        if (text !== "") {
          open.content = (typeof open.content === "string" ? open.content : "") + text;
        }
        if (refusal !== "") open.refusal = refusal;
        return;
      }
      default:
        return assertNever(item.role);
    }
  }

  functionCall(item: Extract<InputItem, { type: "function_call" }>): void {
    const open = this.#open();
    const call: ChatToolCall = {
      id: item.call_id,
      type: "function",
      function: { name: item.name, arguments: item.arguments },
    };
    open.tool_calls = [...(open.tool_calls ?? []), call];
  }

  functionOutput(item: Extract<InputItem, { type: "function_call_output" }>): void {
    this.#close();
    if (typeof item.output === "string") {
      this.messages.push({ role: "tool", tool_call_id: item.call_id, content: item.output });
      return;
    }
    const text = item.output.filter((p) => p.type === "input_text").map((p) => p.text).join("");
    this.messages.push({ role: "tool", tool_call_id: item.call_id, content: text });
    const media = item.output.filter((p) => p.type !== "input_text")
      .map((p) => userPart(p as Part, this.fileIds)).filter(given)
      .map((p) => ({ ...p, tool_call_id: item.call_id }) as UserContentPart);
    if (media.length > 0) this.messages.push({ role: "user", content: media });
  }

  reasoning(item: Extract<InputItem, { type: "reasoning" }>): void {
    const text = [...item.summary, ...(item.content ?? [])].map((s) => s.text).join("");
    const detail = detailOfItem(text, item.encrypted_content);
    if (detail.type === "reasoning.text" && detail.text === "" && !given(detail.signature)) return;
    this.#reasoning.push(detail);
  }

  other(): void {
    this.#close();
  }
}

function itemsToMessages(items: readonly InputItem[]): Conversation {
  const conversation = new Conversation();
  for (const item of items) {
    switch (item.type) {
      case undefined:
      case "message":
        conversation.message(item as MessageItem);
        break;
      case "function_call":
        conversation.functionCall(item);
        break;
      case "function_call_output":
        conversation.functionOutput(item);
        break;
      case "reasoning":
        conversation.reasoning(item);
        break;
      default:
        conversation.other();
    }
  }
  return conversation;
}

/** `text.format` → canonical `response_format`. */
function responseFormat(request: ResponsesRequest): ChatRequest["response_format"] {
  const format = request.text?.format;
  if (!given(format)) return undefined;
  if (format.type !== "json_schema") return { type: format.type };
  return {
    type: "json_schema",
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(given(format.description) ? { description: format.description } : {}),
      ...(given(format.strict) ? { strict: format.strict } : {}),
    },
  };
}

/**
 * A Responses request → the canonical request (see the module comment).
 *
 * @example
 * responsesToCanonical({ model: "m", input: "Hi", instructions: "Be brief" });
 * // { model: "m", messages: [{ role: "system", content: "Be brief" }, { role: "user", content: [{ type: "text", text: "Hi" }] }] }
 */
export function responsesToCanonical(request: ResponsesRequest): ChatRequest {
  const conversation = itemsToMessages(inputItems(request));
  const messages: ChatMessage[] = [
    ...(given(request.instructions) && request.instructions !== ""
      ? [{ role: "system" as const, content: request.instructions }]
      : []),
    ...conversation.messages,
  ];
  const { tools } = convertTools(request.tools);
  const choice = tools.length > 0 ? toolChoiceToCanonical(request.tool_choice) : undefined;
  const format = responseFormat(request);
  const fileIds = [...new Set([...(request.file_ids ?? []), ...conversation.fileIds])];
  const out: ChatRequest = {
    model: request.model,
    messages,
    ...(tools.length > 0 ? { tools } : {}),
    ...(choice !== undefined ? { tool_choice: choice } : {}),
    ...(given(request.parallel_tool_calls) && tools.length > 0
      ? { parallel_tool_calls: request.parallel_tool_calls }
      : {}),
    ...(format !== undefined ? { response_format: format } : {}),
    ...(given(request.stream) ? { stream: request.stream } : {}),
    ...(given(request.temperature) ? { temperature: request.temperature } : {}),
    ...(given(request.top_p) ? { top_p: request.top_p } : {}),
    ...(given(request.max_output_tokens)
      ? { max_completion_tokens: request.max_output_tokens }
      : {}),
    ...(given(request.reasoning?.effort) ? { reasoning_effort: request.reasoning.effort } : {}),
    ...(given(request.text?.verbosity) ? { verbosity: request.text.verbosity } : {}),
    ...(given(request.user) ? { user: request.user } : {}),
    ...(given(request.safety_identifier) ? { safety_identifier: request.safety_identifier } : {}),
    ...(given(request.metadata) ? { metadata: request.metadata } : {}),
    ...(given(request.prompt_cache_key) ? { prompt_cache_key: request.prompt_cache_key } : {}),
    ...(given(request.service_tier) ? { service_tier: request.service_tier } : {}),
    ...(fileIds.length > 0 ? { file_ids: fileIds } : {}),
  };
  return out;
}

function assertNever(value: never): never {
  throw new Error(`unexpected role ${JSON.stringify(value)}`);
}

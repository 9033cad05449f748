/**
 * A canonical request → a Responses request (tRPC `formats.convert`): system messages →
 * `instructions` (the first) and `developer`-less system messages, user parts → input parts,
 * assistant turns → `reasoning`, `message` and `function_call` items, tool messages →
 * `function_call_output`, tools and options renamed.
 */
import type { ChatMessage, ChatRequest, UserContentPart } from "../openai/schema.ts";
import { reasoningDetailsOf, reasoningItem } from "./response.ts";
import { toolChoiceFromCanonical } from "./tools.ts";

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

const textOf = (content: string | Array<{ text?: string }> | null | undefined): string =>
  typeof content === "string" ? content : (content ?? []).map((p) => p.text ?? "").join("");

function inputPart(part: UserContentPart): Record<string, unknown> {
  switch (part.type) {
    case "text":
      return { type: "input_text", text: part.text };
    case "image_url":
      return {
        type: "input_image",
        image_url: part.image_url.url,
        detail: part.image_url.detail ?? "auto",
      };
    case "file":
      return {
        type: "input_file",
        ...(given(part.file.file_data) ? { file_data: part.file.file_data } : {}),
        ...(given(part.file.file_id) ? { file_id: part.file.file_id } : {}),
        ...(given(part.file.file_url) ? { file_url: part.file.file_url } : {}),
        ...(given(part.file.filename) ? { filename: part.file.filename } : {}),
      };
    case "input_audio":
      return { type: "input_text", text: "[audio omitted]" };
    default:
      return assertNever(part);
  }
}

function itemsOf(message: ChatMessage, n: number): Record<string, unknown>[] {
  switch (message.role) {
    case "system":
    case "developer":
      return [{ role: "developer", content: textOf(message.content) }];
    case "user":
      return [{
        role: "user",
        content: typeof message.content === "string"
          ? message.content
          : message.content.map(inputPart),
      }];
    case "assistant": {
      const out: Record<string, unknown>[] = reasoningDetailsOf(message).map((detail, k) => ({
        ...reasoningItem(detail, `rs_${n}_${k}`),
      }));
      const text = textOf(message.content as string | Array<{ text?: string }> | null);
      if (text !== "") {
        out.push({
          type: "message",
          role: "assistant",
          content: [{ type: "output_text", text, annotations: [] }],
        });
      }
      for (const call of message.tool_calls ?? []) {
        out.push({
          type: "function_call",
          call_id: call.id,
          name: call.function.name,
          arguments: call.function.arguments,
        });
      }
      return out;
    }
    case "tool":
      return [{
        type: "function_call_output",
        call_id: message.tool_call_id,
        output: textOf(message.content),
      }];
    default:
      return assertNever(message);
  }
}

/**
 * A canonical request → a Responses request.
 *
 * @example
 * canonicalToResponses({ model: "m", messages: [{ role: "system", content: "Be brief" }, { role: "user", content: "Hi" }] });
 * // { model: "m", instructions: "Be brief", input: [{ role: "user", content: "Hi" }] }
 */
export function canonicalToResponses(request: ChatRequest): Record<string, unknown> {
  const first = request.messages[0];
  const instructions = first?.role === "system" || first?.role === "developer"
    ? textOf(first.content)
    : undefined;
  const rest = instructions !== undefined ? request.messages.slice(1) : request.messages;
  const format = request.response_format;
  const max = request.max_completion_tokens ?? request.max_tokens;
  return {
    model: request.model,
    ...(instructions !== undefined ? { instructions } : {}),
    input: rest.flatMap(itemsOf),
    ...(request.tools
      ? {
        tools: request.tools.map((tool) => ({
          type: "function",
          name: tool.function.name,
          ...(given(tool.function.description) ? { description: tool.function.description } : {}),
          ...(given(tool.function.parameters) ? { parameters: tool.function.parameters } : {}),
          ...(given(tool.function.strict) ? { strict: tool.function.strict } : {}),
        })),
      }
      : {}),
    ...(request.tool_choice !== undefined
      ? { tool_choice: toolChoiceFromCanonical(request.tool_choice) }
      : {}),
    ...(given(request.parallel_tool_calls)
      ? { parallel_tool_calls: request.parallel_tool_calls }
      : {}),
    ...(given(format)
      ? {
        text: {
          format: format.type === "json_schema"
            ? { type: "json_schema", ...format.json_schema }
            : { type: format.type },
        },
      }
      : {}),
    ...(given(request.reasoning_effort) ? { reasoning: { effort: request.reasoning_effort } } : {}),
    ...(given(max) ? { max_output_tokens: max } : {}),
    ...(given(request.temperature) ? { temperature: request.temperature } : {}),
    ...(given(request.top_p) ? { top_p: request.top_p } : {}),
    ...(given(request.stream) ? { stream: request.stream } : {}),
    ...(given(request.user) ? { user: request.user } : {}),
    ...(given(request.metadata) ? { metadata: request.metadata } : {}),
    ...(given(request.store) ? { store: request.store } : {}),
    ...(request.file_ids ? { file_ids: request.file_ids } : {}),
  };
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}

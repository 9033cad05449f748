/**
 * The canonical OpenAI request → a Bedrock Claude (Anthropic Messages) body, the inverse of
 * `claude_to_openai.ts`:
 *
 * - system and developer messages (wherever they are) → `system`: a string when there is one
 *   string message, text blocks otherwise;
 * - user parts → blocks (text, image, document); `input_audio` is a 400;
 * - assistant messages → thinking / redacted_thinking blocks (from `reasoning_details`, else
 *   `reasoning_content` + `reasoning_signature`; unsigned reasoning is dropped because Claude
 *   rejects it), text blocks, then tool_use blocks (arguments parsed; invalid JSON → `{}`);
 * - consecutive tool messages → one user turn of tool_result blocks, with the user message that
 *   follows merged into it (parts marked with `tool_call_id` go back inside their tool_result);
 * - `max_completion_tokens` / `max_tokens` → `max_tokens` (default 4096), raised above the
 *   thinking budget when the budget comes from `reasoning_effort`; `temperature` capped at 1;
 *   `stop` → `stop_sequences`; `user` → `metadata.user_id`; `reasoning_effort` → `thinking`.
 *
 * What the Messages API cannot express (`n`, `seed`, penalties, `logprobs`, `response_format`,
 * …) is dropped.
 *
 * The response and stream directions live in `claude_response.ts`, `claude_stream_encoder.ts` and
 * `claude_stream_to_openai.ts` and are re-exported here.
 */
import { assertNever, GatewayError } from "../../errors.ts";
import {
  BEDROCK_ANTHROPIC_VERSION,
  type ClaudeContentBlock,
  type ClaudeMessage,
  type ClaudeRequest,
  type ClaudeTextBlock,
  type ClaudeTool,
  type ClaudeToolChoice,
  type ClaudeToolResultBlock,
} from "./schema.ts";
import type { ChatMessage, ChatRequest, ReasoningDetail } from "../openai/schema.ts";
import { cacheControlOf, partToDocument, partToImage } from "./content.ts";
import { CLAUDE_THINKING_BUDGETS } from "./thinking.ts";
import { parseToolArguments } from "../openai/tool_arguments.ts";

/** Options of {@link openaiToClaudeRequest}. */
export interface ClaudeRequestOptions {
  /** `max_tokens` when the request has none (Claude requires it). Default 4096. */
  defaultMaxTokens?: number;
  /** `anthropic_version`; default `bedrock-2023-05-31`. */
  anthropicVersion?: string;
}

type Message<R extends ChatMessage["role"]> = Extract<ChatMessage, { role: R }>;
type ResultBlock = NonNullable<Exclude<ClaudeToolResultBlock["content"], string>>[number];

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

const textBlock = (part: { text: string }): ClaudeTextBlock => ({
  type: "text",
  text: part.text,
  ...cacheControlOf(part),
});

function system(messages: ChatMessage[]): ClaudeRequest["system"] {
  const sys = messages.filter((m): m is Message<"system" | "developer"> =>
    m.role === "system" || m.role === "developer"
  );
  if (sys.length === 0) return undefined;
  if (sys.length === 1 && typeof sys[0].content === "string") return sys[0].content;
  return sys.flatMap((m) =>
    typeof m.content === "string" ? [{ type: "text" as const, text: m.content }] : m.content.map(
      textBlock,
    )
  );
}

/** User content → blocks; parts marked with a `tool_call_id` are returned separately. */
function userBlocks(message: Message<"user">, i: number) {
  const blocks: ClaudeContentBlock[] = [];
  const owned: Array<{ id: string; block: ResultBlock }> = [];
  if (typeof message.content === "string") return { blocks, owned, text: message.content };
  message.content.forEach((part, j) => {
    const param = `messages[${i}].content[${j}]`;
    let block: ClaudeContentBlock;
    switch (part.type) {
      case "text":
        block = textBlock(part);
        break;
      case "image_url":
        block = partToImage(part, `${param}.image_url`);
        break;
      case "file":
        block = partToDocument(part, `${param}.file`);
        break;
      case "input_audio":
        throw new GatewayError("invalid_request", `${param}: Claude does not take audio input.`, {
          param: `${param}.input_audio`,
        });
      default:
        return assertNever(part);
    }
    const owner = part.tool_call_id;
    if (typeof owner === "string" && block.type !== "text") {
      owned.push({ id: owner, block: block as ResultBlock });
    } else blocks.push(block);
  });
  return { blocks, owned, text: undefined };
}

function reasoningBlocks(message: Message<"assistant">): ClaudeContentBlock[] {
  const details: ReasoningDetail[] = message.reasoning_details ??
    (given(message.reasoning_content)
      ? [{
        type: "reasoning.text",
        text: message.reasoning_content,
        signature: message.reasoning_signature,
      }]
      : []);
  const out: ClaudeContentBlock[] = [];
  for (const detail of details) {
    switch (detail.type) {
      case "reasoning.text":
        if (given(detail.signature) && detail.signature !== "") {
          out.push({ type: "thinking", thinking: detail.text, signature: detail.signature });
        }
        break;
      case "reasoning.encrypted":
        out.push({ type: "redacted_thinking", data: detail.data });
        break;
      default:
        assertNever(detail);
    }
  }
  return out;
}

function assistantMessage(message: Message<"assistant">): ClaudeMessage {
  const blocks = reasoningBlocks(message);
  const calls = message.tool_calls ?? [];
  const content = message.content;
  if (typeof content === "string" && blocks.length === 0 && calls.length === 0) {
    return { role: "assistant", content };
  }
  if (typeof content === "string") {
    if (content !== "") blocks.push({ type: "text", text: content });
  } else if (given(content)) {
    for (const part of content) {
      const text = part.type === "text" ? part.text : part.refusal;
      if (text !== "") blocks.push({ type: "text", text, ...cacheControlOf(part) });
    }
  } else if (given(message.refusal) && message.refusal !== "") {
    blocks.push({ type: "text", text: message.refusal });
  }
  for (const call of calls) {
    blocks.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(call.function.arguments),
      ...cacheControlOf(call),
    });
  }
  return { role: "assistant", content: blocks };
}

function toolResultBlock(message: Message<"tool">): ClaudeToolResultBlock {
  const isError = message.is_error;
  return {
    type: "tool_result",
    tool_use_id: message.tool_call_id,
    content: typeof message.content === "string" ? message.content : message.content.map(textBlock),
    ...(typeof isError === "boolean" ? { is_error: isError } : {}),
    ...cacheControlOf(message),
  };
}

/** Puts a media block marked with a tool call id back inside that call's tool_result. */
function attach(turn: ClaudeContentBlock[], id: string, block: ResultBlock): boolean {
  const target = turn.find((b): b is ClaudeToolResultBlock =>
    b.type === "tool_result" && b.tool_use_id === id
  );
  if (target === undefined) return false;
  const inner = target.content;
  const before: ResultBlock[] = typeof inner === "string"
    ? (inner === "" ? [] : [{ type: "text", text: inner }])
    : inner ?? [];
  target.content = [...before, block];
  return true;
}

function messages(request: ChatRequest): ClaudeMessage[] {
  const out: ClaudeMessage[] = [];
  /** The open user turn of tool results, which a following user message joins. */
  let turn: ClaudeContentBlock[] | undefined;
  request.messages.forEach((message, i) => {
    const role = message.role;
    switch (role) {
      case "system":
      case "developer":
        return;
      case "tool":
        if (turn === undefined) {
          turn = [];
          out.push({ role: "user", content: turn });
        }
        turn.push(toolResultBlock(message));
        return;
      case "user": {
        const { blocks, owned, text } = userBlocks(message, i);
        if (turn === undefined) {
          out.push({ role: "user", content: text ?? [...owned.map((o) => o.block), ...blocks] });
          return;
        }
        for (const { id, block } of owned) {
          if (!attach(turn, id, block)) blocks.push(block);
        }
        turn.push(...(text !== undefined ? [{ type: "text" as const, text }] : blocks));
        turn = undefined;
        return;
      }
      case "assistant":
        turn = undefined;
        out.push(assistantMessage(message));
        return;
      default:
        return assertNever(role);
    }
  });
  return out;
}

function tools(request: ChatRequest): ClaudeTool[] | undefined {
  return request.tools?.map((tool) => ({
    name: tool.function.name,
    ...(tool.function.description !== undefined ? { description: tool.function.description } : {}),
    input_schema: tool.function.parameters ?? { type: "object", properties: {} },
    ...cacheControlOf(tool),
  }));
}

function toolChoice(request: ChatRequest): ClaudeToolChoice | undefined {
  const choice = request.tool_choice;
  const disable = request.parallel_tool_calls === false
    ? { disable_parallel_tool_use: true }
    : request.parallel_tool_calls === true && choice !== undefined
    ? { disable_parallel_tool_use: false }
    : {};
  if (choice === undefined) {
    return request.parallel_tool_calls === false ? { type: "auto", ...disable } : undefined;
  }
  if (typeof choice === "object") return { type: "tool", name: choice.function.name, ...disable };
  switch (choice) {
    case "auto":
      return { type: "auto", ...disable };
    case "required":
      return { type: "any", ...disable };
    case "none":
      return { type: "none" };
    default:
      return assertNever(choice);
  }
}

/**
 * Converts the canonical request to a Bedrock Claude body (see the module comment).
 *
 * @example
 * openaiToClaudeRequest({ model: "m", messages: [{ role: "system", content: "Be brief." },
 *   { role: "user", content: "Hi" }], stop: "END" });
 * // { anthropic_version: "bedrock-2023-05-31", model: "m", max_tokens: 4096, system: "Be brief.",
 * //   messages: [{ role: "user", content: "Hi" }], stop_sequences: ["END"] }
 */
export function openaiToClaudeRequest(
  request: ChatRequest,
  options: ClaudeRequestOptions = {},
): ClaudeRequest & { anthropic_version: string } {
  let maxTokens = request.max_completion_tokens ?? request.max_tokens ??
    options.defaultMaxTokens ?? 4096;
  const effort = request.reasoning_effort;
  let thinking: ClaudeRequest["thinking"];
  if (effort === "none") thinking = { type: "disabled" };
  else if (given(effort)) {
    const exact = request.reasoning_budget_tokens;
    const budget = typeof exact === "number" ? exact : CLAUDE_THINKING_BUDGETS[effort];
    if (typeof exact !== "number" && maxTokens <= budget) maxTokens += budget;
    thinking = { type: "enabled", budget_tokens: budget };
  }
  const sys = system(request.messages);
  const convertedTools = tools(request);
  const choice = toolChoice(request);
  const stop = typeof request.stop === "string" ? [request.stop] : request.stop;
  return {
    anthropic_version: options.anthropicVersion ?? BEDROCK_ANTHROPIC_VERSION,
    model: request.model,
    ...(given(request.stream) ? { stream: request.stream } : {}),
    ...(request.file_ids !== undefined ? { file_ids: request.file_ids as string[] } : {}),
    max_tokens: maxTokens,
    ...(sys !== undefined ? { system: sys } : {}),
    messages: messages(request),
    ...(convertedTools !== undefined ? { tools: convertedTools } : {}),
    ...(choice !== undefined ? { tool_choice: choice } : {}),
    ...(given(request.temperature) ? { temperature: Math.min(1, request.temperature) } : {}),
    ...(given(request.top_p) ? { top_p: request.top_p } : {}),
    ...(typeof request.top_k === "number" ? { top_k: request.top_k } : {}),
    ...(given(stop) ? { stop_sequences: stop } : {}),
    ...(request.user !== undefined ? { metadata: { user_id: request.user } } : {}),
    ...(thinking !== undefined ? { thinking } : {}),
  };
}

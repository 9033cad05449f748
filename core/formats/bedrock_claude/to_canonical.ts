/**
 * A Bedrock Claude (Anthropic Messages) request → the canonical OpenAI request, without loss:
 *
 * - `system` → one system message (string, or text parts keeping `cache_control`);
 * - user blocks → parts (text, `image_url`, `file`); `tool_result` blocks → `tool` messages placed
 *   before the rest of their turn, `is_error` kept as the tool message's `is_error` field; images
 *   and documents inside a tool_result move to the user message after the tool messages, each
 *   part marked with the result's `tool_call_id` so the reverse converter puts them back;
 * - assistant blocks → `reasoning_content` (thinking text), `reasoning_signature` (last
 *   signature), `reasoning_details` (every thinking / redacted_thinking block, in order), content
 *   text parts, and `tool_calls` (input → JSON string arguments);
 * - string content stays a string, block content stays an array;
 * - `tools` → function tools (Anthropic-defined tools such as `bash_20250124` are a 400: only the
 *   native path can send them), `tool_choice` auto/any/tool/none → auto/required/named/none,
 *   `disable_parallel_tool_use` → `parallel_tool_calls: false`;
 * - `{role: "system"}` entries of `messages` → system messages at their place;
 * - `output_config.format` → `response_format` json_schema, `output_config.effort` →
 *   `reasoning_effort`;
 * - `max_tokens`, `temperature`, `top_p`, `top_k` (canonical extension field), `stop_sequences` →
 *   `stop`, `metadata.user_id` → `user`; `thinking` enabled → `reasoning_effort` (from the budget)
 *   plus the exact `reasoning_budget_tokens` (extension), disabled → `none`, adaptive → `medium`;
 * - the result is a valid canonical request except that more than 4 stop sequences are kept
 *   (Claude and Converse take more; do not re-validate it with the OpenAI schema);
 * - `stream: true` also asks for usage (`stream_options.include_usage`), which Anthropic streams
 *   always report.
 *
 * Extension fields a strict OpenAI upstream would reject: `top_k`, `reasoning_budget_tokens`,
 * tool messages' `is_error`, parts' `cache_control` / `tool_call_id`, assistant thinking
 * signatures… (typed on the canonical schema; the OpenAI provider drops them from converted
 * requests, see `providers/openai/extensions.ts`).
 */
import { assertNever, GatewayError } from "../../errors.ts";
import type {
  ClaudeContentBlock,
  ClaudeMessage,
  ClaudeRequest,
  ClaudeThinkingConfig,
  ClaudeToolChoice,
  ClaudeToolResultBlock,
} from "./schema.ts";
import type {
  ChatMessage,
  ChatRequest,
  ChatTool,
  ChatToolCall,
  ReasoningDetail,
  ToolChoice,
  UserContentPart,
} from "../openai/schema.ts";
import { cacheControlOf, documentToPart, imageToPart } from "./content.ts";
import { CLAUDE_THINKING_BUDGETS, type Effort } from "./thinking.ts";

type TextPart = Extract<UserContentPart, { type: "text" }>;

const invalid = (param: string, message: string) =>
  new GatewayError("invalid_request", `Invalid value for '${param}': ${message}`, { param });

const textPart = (block: { text: string }): TextPart => ({
  type: "text",
  text: block.text,
  ...cacheControlOf(block),
});

/**
 * The `reasoning_effort` closest to a thinking budget (budgets of `CLAUDE_THINKING_BUDGETS`).
 *
 * @example
 * effortForBudget(5000); // "medium"
 */
export function effortForBudget(budget: number): Effort {
  const order: Effort[] = ["minimal", "low", "medium", "high"];
  return order.find((effort) => budget <= CLAUDE_THINKING_BUDGETS[effort]) ?? "xhigh";
}

function thinkingFields(thinking: ClaudeThinkingConfig | undefined): Partial<ChatRequest> {
  if (thinking === undefined) return {};
  switch (thinking.type) {
    case "enabled":
      return {
        reasoning_effort: effortForBudget(thinking.budget_tokens),
        reasoning_budget_tokens: thinking.budget_tokens,
      };
    case "disabled":
      return { reasoning_effort: "none" };
    case "adaptive":
      return { reasoning_effort: "medium" };
    default:
      return assertNever(thinking);
  }
}

function toolChoiceFields(choice: ClaudeToolChoice | undefined): Partial<ChatRequest> {
  if (choice === undefined) return {};
  let tool_choice: ToolChoice;
  switch (choice.type) {
    case "auto":
      tool_choice = "auto";
      break;
    case "any":
      tool_choice = "required";
      break;
    case "tool":
      tool_choice = { type: "function", function: { name: choice.name } };
      break;
    case "none":
      return { tool_choice: "none" };
    default:
      return assertNever(choice);
  }
  const disable = choice.disable_parallel_tool_use;
  return { tool_choice, ...(disable !== undefined ? { parallel_tool_calls: !disable } : {}) };
}

function tools(request: ClaudeRequest): ChatTool[] | undefined {
  return request.tools?.map((tool, i) => {
    if (tool.type !== undefined && tool.type !== "custom") {
      throw invalid(
        `tools[${i}].type`,
        `the Anthropic-defined tool '${tool.type}' can only be sent to Claude on Bedrock natively.`,
      );
    }
    return {
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.input_schema !== undefined ? { parameters: tool.input_schema } : {}),
      },
      ...cacheControlOf(tool),
    };
  });
}

/** A tool_result block → a tool message, plus its media parts (marked with the call id). */
function toolResult(
  block: ClaudeToolResultBlock,
): { message: ChatMessage; media: UserContentPart[] } {
  const media: UserContentPart[] = [];
  let content: string | TextPart[];
  if (block.content === undefined) content = "";
  else if (typeof block.content === "string") content = block.content;
  else {
    content = [];
    for (const inner of block.content) {
      switch (inner.type) {
        case "text":
          content.push(textPart(inner));
          break;
        case "image":
          media.push({ ...imageToPart(inner), tool_call_id: block.tool_use_id });
          break;
        case "document":
          media.push({ ...documentToPart(inner), tool_call_id: block.tool_use_id });
          break;
        default:
          assertNever(inner);
      }
    }
  }
  const message: ChatMessage = {
    role: "tool",
    tool_call_id: block.tool_use_id,
    content,
    ...(block.is_error !== undefined ? { is_error: block.is_error } : {}),
    ...cacheControlOf(block),
  };
  return { message, media };
}

function userMessages(message: ClaudeMessage, i: number): ChatMessage[] {
  if (typeof message.content === "string") return [{ role: "user", content: message.content }];
  const toolMessages: ChatMessage[] = [];
  const parts: UserContentPart[] = [];
  const media: UserContentPart[] = [];
  message.content.forEach((block, j) => {
    switch (block.type) {
      case "text":
        parts.push(textPart(block));
        return;
      case "image":
        parts.push(imageToPart(block));
        return;
      case "document":
        parts.push(documentToPart(block));
        return;
      case "tool_result": {
        const result = toolResult(block);
        toolMessages.push(result.message);
        media.push(...result.media);
        return;
      }
      case "tool_use":
      case "thinking":
      case "redacted_thinking":
        throw invalid(
          `messages[${i}].content[${j}].type`,
          `'${block.type}' blocks belong in assistant messages.`,
        );
      default:
        return assertNever(block);
    }
  });
  const rest = [...media, ...parts];
  return rest.length > 0 || toolMessages.length === 0
    ? [...toolMessages, { role: "user", content: rest }]
    : toolMessages;
}

function assistantMessage(message: ClaudeMessage, i: number): ChatMessage {
  if (typeof message.content === "string") return { role: "assistant", content: message.content };
  const texts: TextPart[] = [];
  const calls: ChatToolCall[] = [];
  const details: ReasoningDetail[] = [];
  message.content.forEach((block: ClaudeContentBlock, j) => {
    switch (block.type) {
      case "text":
        texts.push(textPart(block));
        return;
      case "tool_use":
        calls.push({
          id: block.id,
          type: "function",
          function: { name: block.name, arguments: JSON.stringify(block.input) },
          ...cacheControlOf(block),
        });
        return;
      case "thinking":
        details.push({ type: "reasoning.text", text: block.thinking, signature: block.signature });
        return;
      case "redacted_thinking":
        details.push({ type: "reasoning.encrypted", data: block.data });
        return;
      case "image":
      case "document":
      case "tool_result":
        throw invalid(
          `messages[${i}].content[${j}].type`,
          `'${block.type}' blocks belong in user messages.`,
        );
      default:
        return assertNever(block);
    }
  });
  const thinking = details.filter((d) => d.type === "reasoning.text");
  const signature = thinking.at(-1)?.signature;
  return {
    role: "assistant",
    content: texts.length > 0 ? texts : null,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
    ...(thinking.length > 0 ? { reasoning_content: thinking.map((d) => d.text).join("") } : {}),
    ...(typeof signature === "string" ? { reasoning_signature: signature } : {}),
    ...(details.length > 0 ? { reasoning_details: details } : {}),
  };
}

/**
 * Converts a validated Claude request to the canonical request (see the module comment for the
 * rules). Throws a 400 naming the Claude field for blocks in the wrong role and
 * Anthropic-defined tools.
 *
 * @example
 * claudeToOpenAIRequest({ model: "m", max_tokens: 100, system: "Be brief.",
 *   messages: [{ role: "user", content: "Hi" }], stop_sequences: ["END"] });
 * // { model: "m", messages: [{ role: "system", content: "Be brief." },
 * //   { role: "user", content: "Hi" }], max_tokens: 100, stop: ["END"] }
 */
export function claudeToOpenAIRequest(request: ClaudeRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  if (request.system !== undefined) {
    messages.push({
      role: "system",
      content: typeof request.system === "string"
        ? request.system
        : request.system.map((block) => textPart(block)),
    });
  }
  request.messages.forEach((message, i) => {
    const role = message.role;
    switch (role) {
      case "user":
        messages.push(...userMessages(message, i));
        return;
      case "assistant":
        messages.push(assistantMessage(message, i));
        return;
      case "system":
        messages.push({
          role: "system",
          content: typeof message.content === "string"
            ? message.content
            : message.content.map((block) => textPart(block)),
        });
        return;
      default:
        return assertNever(role);
    }
  });
  const userId = request.metadata?.user_id;
  const convertedTools = tools(request);
  return {
    model: request.model,
    messages,
    ...(request.stream !== undefined && request.stream !== null ? { stream: request.stream } : {}),
    ...(request.stream === true ? { stream_options: { include_usage: true } } : {}),
    ...(request.file_ids !== undefined ? { file_ids: request.file_ids } : {}),
    max_tokens: request.max_tokens,
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.top_p !== undefined ? { top_p: request.top_p } : {}),
    ...(request.top_k !== undefined ? { top_k: request.top_k } : {}),
    ...(request.stop_sequences !== undefined ? { stop: request.stop_sequences } : {}),
    ...(typeof userId === "string" ? { user: userId } : {}),
    ...(convertedTools !== undefined ? { tools: convertedTools } : {}),
    ...toolChoiceFields(request.tool_choice),
    ...thinkingFields(request.thinking),
    ...outputConfigFields(request.output_config),
  };
}

const EFFORTS: Record<string, Effort> = {
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "xhigh",
  max: "xhigh",
};

/**
 * `output_config`: `format` (json_schema) → `response_format` json_schema named `output`
 * (strict), `effort` → `reasoning_effort` (`max` → `xhigh`; it overrides the effort derived
 * from `thinking`). Unknown efforts are ignored.
 */
function outputConfigFields(config: ClaudeRequest["output_config"]): Partial<ChatRequest> {
  if (config === undefined) return {};
  const effort = config.effort === undefined ? undefined : EFFORTS[config.effort];
  const format = config.format;
  return {
    ...(effort !== undefined ? { reasoning_effort: effort } : {}),
    ...(format !== undefined && format !== null
      ? {
        response_format: {
          type: "json_schema",
          json_schema: { name: "output", schema: format.schema, strict: true },
        },
      }
      : {}),
  };
}

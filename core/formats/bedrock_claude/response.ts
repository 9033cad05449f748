/**
 * Non-streamed responses: canonical `chat.completion` ⇄ Anthropic message.
 *
 * The stop sequence that ended a response travels on the OpenAI choice as `stop_reason` (a
 * string, as vLLM reports it), so `stop_sequence` survives a trip through the canonical shape.
 */
import type { ClaudeResponse, ClaudeResponseBlock, ClaudeResponseTextBlock } from "./schema.ts";
import type {
  ChatCompletion,
  ReasoningDetail,
  ResponseMessage,
  ResponseToolCall,
} from "../openai/schema.ts";
import { claudeFinishReason, claudeStopReason } from "./stop_reason.ts";
import { claudeUsageToOpenAI, openAIUsageToClaude } from "./usage.ts";
import { parseToolArguments } from "../openai/tool_arguments.ts";
import type { OpenAIResponseContext } from "../openai/chunks.ts";

export type { OpenAIResponseContext };

/** What {@link openaiToClaudeResponse} needs besides the completion. */
export interface ClaudeResponseContext {
  /** Id generator; called with the prefix `msg_`. */
  newId: (prefix: string) => string;
  /** The model reported to the client (default: the completion's). */
  model?: string;
}

/** A choice that may carry the matched stop sequence (vLLM-style `stop_reason`). */
export type ChoiceWithStopSequence = ChatCompletion["choices"][number] & {
  stop_reason?: string | number | null;
};

/**
 * The reasoning blocks of a canonical message or delta: `reasoning_details` when present, else
 * `reasoning_content` with `reasoning_signature` (an empty signature when unknown).
 *
 * @example
 * reasoningToBlocks({ reasoning_content: "hmm", reasoning_signature: "sig" });
 * // [{ type: "thinking", thinking: "hmm", signature: "sig" }]
 */
export function reasoningToBlocks(message: {
  reasoning_content?: string | null;
  reasoning_signature?: string | null;
  reasoning_details?: ReasoningDetail[] | null;
}): ClaudeResponseBlock[] {
  const details: ReasoningDetail[] = message.reasoning_details ??
    (typeof message.reasoning_content === "string"
      ? [{
        type: "reasoning.text",
        text: message.reasoning_content,
        signature: message.reasoning_signature,
      }]
      : []);
  return details.map((detail): ClaudeResponseBlock => {
    switch (detail.type) {
      case "reasoning.text":
        return { type: "thinking", thinking: detail.text, signature: detail.signature ?? "" };
      case "reasoning.encrypted":
        return { type: "redacted_thinking", data: detail.data };
      default: {
        const unhandled: never = detail;
        return unhandled;
      }
    }
  });
}

/**
 * A canonical completion → an Anthropic message: thinking blocks from the reasoning, a text block
 * (the refusal when there is no content), tool_use blocks with object `input` (arguments that are
 * not a JSON object → `{}`), `stop_reason` (`content_filter` → `refusal`), `stop_sequence`, usage.
 *
 * @example
 * openaiToClaudeResponse({ id: "chatcmpl-1", object: "chat.completion", created: 0, model: "m",
 *   choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
 *   usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }, { newId: (p) => p + "1" });
 * // { id: "msg_1", type: "message", role: "assistant", content: [{ type: "text", text: "Hi" }],
 * //   model: "m", stop_reason: "end_turn", stop_sequence: null,
 * //   usage: { input_tokens: 3, output_tokens: 1 } }
 */
export function openaiToClaudeResponse(
  completion: ChatCompletion,
  ctx: ClaudeResponseContext,
): ClaudeResponse {
  const choice = completion.choices[0] as ChoiceWithStopSequence | undefined;
  const message: Partial<ResponseMessage> = choice?.message ?? {};
  const content: ClaudeResponseBlock[] = reasoningToBlocks(message);
  const text = typeof message.content === "string" && message.content !== ""
    ? message.content
    : typeof message.refusal === "string" && message.refusal !== ""
    ? message.refusal
    : undefined;
  if (text !== undefined) content.push({ type: "text", text });
  for (const call of message.tool_calls ?? []) {
    content.push({
      type: "tool_use",
      id: call.id,
      name: call.function.name,
      input: parseToolArguments(call.function.arguments),
    });
  }
  const stopSequence = typeof choice?.stop_reason === "string" ? choice.stop_reason : null;
  const stopReason = claudeStopReason(choice?.finish_reason, stopSequence);
  return {
    id: ctx.newId("msg_"),
    type: "message",
    role: "assistant",
    content,
    model: ctx.model ?? completion.model,
    stop_reason: stopReason,
    stop_sequence: stopReason === "stop_sequence" ? stopSequence : null,
    usage: openAIUsageToClaude(completion.usage),
  };
}

/**
 * An Anthropic message (InvokeModel response) → a canonical completion: text blocks joined as
 * `content` (null when there are none), tool_use → `tool_calls`, thinking → reasoning fields,
 * `stop_reason` → `finish_reason` (the stop sequence kept as the choice's `stop_reason`), usage.
 *
 * @example
 * claudeToOpenAIResponse({ id: "msg_1", type: "message", role: "assistant",
 *   content: [{ type: "text", text: "Hi" }], model: "m", stop_reason: "end_turn",
 *   stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } },
 *   { id: "chatcmpl-1", created: 0 });
 * // { id: "chatcmpl-1", object: "chat.completion", created: 0, model: "m", choices: [{ index: 0,
 * //   message: { role: "assistant", content: "Hi" }, finish_reason: "stop", logprobs: null }],
 * //   usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }
 */
export function claudeToOpenAIResponse(
  response: ClaudeResponse,
  ctx: OpenAIResponseContext,
): ChatCompletion {
  const blocks: ClaudeResponseBlock[] = Array.isArray(response.content) ? response.content : [];
  const texts = blocks.filter((b): b is ClaudeResponseTextBlock => b.type === "text");
  const calls: ResponseToolCall[] = [];
  const details: ReasoningDetail[] = [];
  for (const block of blocks) {
    if (block.type === "tool_use") {
      calls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    } else if (block.type === "thinking") {
      details.push({ type: "reasoning.text", text: block.thinking, signature: block.signature });
    } else if (block.type === "redacted_thinking") {
      details.push({ type: "reasoning.encrypted", data: block.data });
    }
  }
  const thinking = details.filter((d) => d.type === "reasoning.text");
  const signature = thinking.at(-1)?.signature;
  const message: ResponseMessage = {
    role: "assistant",
    content: texts.length > 0 ? texts.map((b) => b.text).join("") : null,
    refusal: null,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
    ...(thinking.length > 0 ? { reasoning_content: thinking.map((d) => d.text).join("") } : {}),
    ...(typeof signature === "string" && signature !== ""
      ? { reasoning_signature: signature }
      : {}),
    ...(details.length > 0 ? { reasoning_details: details } : {}),
  };
  const choice: ChoiceWithStopSequence = {
    index: 0,
    message,
    finish_reason: claudeFinishReason(response.stop_reason),
    logprobs: null,
    ...(response.stop_reason === "stop_sequence" && typeof response.stop_sequence === "string"
      ? { stop_reason: response.stop_sequence }
      : {}),
  };
  return {
    id: ctx.id,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model ?? response.model,
    choices: [choice],
    usage: claudeUsageToOpenAI(response.usage ?? { input_tokens: 0, output_tokens: 0 }),
  };
}

/**
 * OpenAI messages → Converse `system` blocks and alternating user/assistant turns.
 *
 * Rules: system and developer messages become system blocks in order (or, for models without a
 * system prompt, text at the start of the first user turn); consecutive same-role turns are
 * merged, so all tool results after an assistant turn share ONE user turn (tool results first;
 * a tool message with the Claude extension `is_error: true` gets `status: "error"`);
 * empty or whitespace-only text is dropped and turns left empty disappear; a final assistant
 * prefill loses its trailing whitespace; `cache_control` adds a `cachePoint` after its item.
 *
 * Tool history without tools (no `tools`, `tool_choice: "none"`, or a model without tool use):
 * Bedrock rejects toolUse/toolResult blocks without a `toolConfig`, so the history is kept as
 * text — an assistant tool call becomes `[Called tool NAME (call id ID) with arguments: ARGS]`
 * and a tool message becomes a user text `[Result of tool NAME (call id ID): CONTENT]`.
 */
import { assertNever, GatewayError } from "../../../errors.ts";
import type { ChatMessage, ChatRequest, ReasoningDetail } from "../../../formats/openai/schema.ts";
import type {
  ConverseContentBlock,
  ConverseMessage,
  ConverseRole,
  ConverseSystemBlock,
} from "./wire.ts";
import type { ModelCapabilities } from "../capabilities.ts";
import { cachePointOf } from "./cache.ts";
import { documentBlock, imageBlock, type ResolvedMedia } from "./media.ts";
import { decodeBase64OrThrow } from "../../../text/base64.ts";
import { parseToolArguments } from "../../../formats/openai/tool_arguments.ts";
import { sanitizeToolUseId, type ToolNames, toolResultContent } from "./tools.ts";

/** Inputs of the message translation besides the request. */
export interface MessageOptions {
  caps: ModelCapabilities;
  resolved: ResolvedMedia;
  names: ToolNames;
  /** A `toolConfig` is sent: tool history stays as toolUse/toolResult blocks. */
  toolsEnabled: boolean;
  /** An instruction appended to the system prompt (e.g. the JSON-output fallback). */
  extraSystem?: string;
}

/** Translated conversation. */
export interface MessagePlan {
  system: ConverseSystemBlock[];
  messages: ConverseMessage[];
}

type Block = ConverseContentBlock;

const isBlank = (text: string) => text.trim() === "";

/** Appends a text block (skipping blank text) followed by its cache point, if any. */
/** Whatever may carry a `cache_control` marker: a part, a message, a tool. */
type Marked = { readonly [k: string]: unknown } | undefined;

function pushText(out: Block[], text: string, marker: Marked, caps: ModelCapabilities): void {
  if (isBlank(text)) return;
  out.push({ text });
  pushCache(out, marker, caps);
}

function pushCache(out: Block[] | ConverseSystemBlock[], marker: Marked, caps: ModelCapabilities) {
  const point = caps.cachePoints && marker !== undefined ? cachePointOf(marker) : undefined;
  if (point !== undefined && out.length > 0 && !("cachePoint" in out[out.length - 1])) {
    out.push({ cachePoint: point });
  }
}

/** Text parts (and refusals) of a message as blocks, each followed by its cache point. */
function textBlocks(
  content:
    | string
    | ReadonlyArray<{ type: string; text?: string; refusal?: string }>
    | null
    | undefined,
  caps: ModelCapabilities,
): Block[] {
  const out: Block[] = [];
  if (content === undefined || content === null) return out;
  if (typeof content === "string") {
    pushText(out, content, undefined, caps);
    return out;
  }
  for (const part of content) pushText(out, part.text ?? part.refusal ?? "", part, caps);
  return out;
}

const contentText = (content: string | ReadonlyArray<{ text: string }>) =>
  typeof content === "string" ? content : content.map((p) => p.text).join("\n");

function userBlocks(
  message: Extract<ChatMessage, { role: "user" }>,
  i: number,
  opts: MessageOptions,
  docNames: Set<string>,
): Block[] {
  if (typeof message.content === "string") return textBlocks(message.content, opts.caps);
  const out: Block[] = [];
  message.content.forEach((part, j) => {
    const param = `messages[${i}].content[${j}]`;
    switch (part.type) {
      case "text":
        pushText(out, part.text, part, opts.caps);
        return;
      case "image_url": {
        if (!opts.caps.images) throw unsupported(`${param}.image_url`, "image input");
        out.push({ image: imageBlock(part.image_url.url, opts.resolved, `${param}.image_url`) });
        pushCache(out, part, opts.caps);
        return;
      }
      case "file": {
        if (!opts.caps.documents) throw unsupported(`${param}.file`, "document input");
        const document = documentBlock(part.file, opts.resolved, `${param}.file`);
        let name = document.name;
        for (let n = 2; docNames.has(name); n++) name = `${document.name} (${n})`;
        docNames.add(name);
        out.push({ document: { ...document, name } });
        pushCache(out, part, opts.caps);
        return;
      }
      case "input_audio":
        throw unsupported(`${param}.input_audio`, "audio input");
      default:
        return assertNever(part);
    }
  });
  return out;
}

function unsupported(param: string, what: string): GatewayError {
  return new GatewayError("invalid_request", `${param}: this model does not support ${what}.`, {
    param,
  });
}

function reasoningBlocks(
  message: Extract<ChatMessage, { role: "assistant" }>,
  i: number,
): Block[] {
  const details: ReasoningDetail[] = message.reasoning_details ??
    (message.reasoning_content !== undefined && message.reasoning_content !== null
      ? [{
        type: "reasoning.text",
        text: message.reasoning_content,
        signature: message.reasoning_signature,
      }]
      : []);
  const out: Block[] = [];
  details.forEach((detail, k) => {
    switch (detail.type) {
      case "reasoning.text":
        // Claude rejects unsigned thinking blocks; reasoning without a signature is not replayed.
        if (
          detail.signature !== undefined && detail.signature !== null && detail.signature !== ""
        ) {
          out.push({
            reasoningContent: { reasoningText: { text: detail.text, signature: detail.signature } },
          });
        }
        return;
      case "reasoning.encrypted":
        out.push({
          reasoningContent: {
            redactedContent: decodeBase64OrThrow(
              detail.data,
              `messages[${i}].reasoning_details[${k}].data`,
            ),
          },
        });
        return;
      default:
        return assertNever(detail);
    }
  });
  return out;
}

function assistantBlocks(
  message: Extract<ChatMessage, { role: "assistant" }>,
  i: number,
  opts: MessageOptions,
): Block[] {
  const out: Block[] = opts.caps.replayReasoning ? reasoningBlocks(message, i) : [];
  out.push(...textBlocks(message.content, opts.caps));
  if (
    message.refusal !== undefined && message.refusal !== null &&
    (message.content === undefined || message.content === null)
  ) {
    pushText(out, message.refusal, undefined, opts.caps);
  }
  for (const call of message.tool_calls ?? []) {
    if (opts.toolsEnabled) {
      out.push({
        toolUse: {
          toolUseId: sanitizeToolUseId(call.id),
          name: opts.names.add(call.function.name),
          input: parseToolArguments(call.function.arguments),
        },
      });
    } else {
      const args = call.function.arguments.trim() === "" ? "{}" : call.function.arguments;
      out.push({
        text: `[Called tool ${call.function.name} (call id ${call.id}) with arguments: ${args}]`,
      });
    }
  }
  pushCache(out, message, opts.caps);
  return out;
}

/** Only cache points left: the turn carries no content. */
const hasContent = (blocks: Block[]) => blocks.some((b) => !("cachePoint" in b));

/** Puts toolResult blocks (with their cache points) before other blocks of a user turn. */
function toolResultsFirst(blocks: Block[]): Block[] {
  const units: Block[][] = [];
  for (const block of blocks) {
    if ("cachePoint" in block && units.length > 0) units[units.length - 1].push(block);
    else units.push([block]);
  }
  const isResult = (unit: Block[]) => "toolResult" in unit[0];
  return [...units.filter(isResult), ...units.filter((u) => !isResult(u))].flat();
}

/** Trailing whitespace of a final assistant prefill is trimmed (Bedrock rejects it). */
function trimPrefill(messages: ConverseMessage[]): void {
  const last = messages[messages.length - 1];
  if (last === undefined || last.role !== "assistant") return;
  const content = last.content.filter((b) => !("cachePoint" in b));
  const tail = content[content.length - 1];
  if (tail === undefined || !("text" in tail)) return;
  const trimmed = tail.text.trimEnd();
  const at = last.content.indexOf(tail);
  if (trimmed !== "") {
    last.content[at] = { text: trimmed };
    return;
  }
  last.content.splice(at);
  if (!hasContent(last.content)) messages.pop();
}

/**
 * Translates the conversation. Throws a 400 naming the part for media the model cannot take.
 *
 * @example
 * toConverseMessages({ model: "m", messages: [{ role: "system", content: "Be brief" },
 *   { role: "user", content: "Hi" }] }, opts);
 * // { system: [{ text: "Be brief" }], messages: [{ role: "user", content: [{ text: "Hi" }] }] }
 */
export function toConverseMessages(request: ChatRequest, opts: MessageOptions): MessagePlan {
  const system: ConverseSystemBlock[] = [];
  const messages: ConverseMessage[] = [];
  const docNames = new Set<string>();
  const callNames = new Map<string, string>();
  const push = (role: ConverseRole, blocks: Block[]) => {
    if (!hasContent(blocks)) return;
    const last = messages[messages.length - 1];
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };

  request.messages.forEach((message, i) => {
    switch (message.role) {
      case "system":
      case "developer": {
        const blocks = textBlocks(message.content, opts.caps) as ConverseSystemBlock[];
        system.push(...blocks);
        if (blocks.length > 0) pushCache(system, message, opts.caps);
        return;
      }
      case "user":
        push("user", userBlocks(message, i, opts, docNames));
        return;
      case "assistant":
        for (const call of message.tool_calls ?? []) callNames.set(call.id, call.function.name);
        push("assistant", assistantBlocks(message, i, opts));
        return;
      case "tool": {
        const text = contentText(message.content);
        if (opts.toolsEnabled) {
          const block: Block[] = [{
            toolResult: {
              toolUseId: sanitizeToolUseId(message.tool_call_id),
              content: toolResultContent(text),
              // A Claude `tool_result` with `is_error` (kept on the canonical tool message).
              ...(message.is_error === true ? { status: "error" as const } : {}),
            },
          }];
          pushCache(block, message, opts.caps);
          push("user", block);
        } else {
          const name = callNames.get(message.tool_call_id) ?? "unknown";
          push("user", [{
            text: `[Result of tool ${name} (call id ${message.tool_call_id}): ${text}]`,
          }]);
        }
        return;
      }
      default:
        return assertNever(message);
    }
  });

  if (opts.extraSystem !== undefined) system.push({ text: opts.extraSystem });
  for (const message of messages) {
    if (message.role === "user") message.content = toolResultsFirst(message.content);
  }
  if (!opts.caps.systemPrompt && system.length > 0) {
    const text = system.flatMap((b) => ("text" in b ? [b.text] : [])).join("\n\n");
    const first = messages[0];
    if (first !== undefined && first.role === "user") first.content.unshift({ text });
    else messages.unshift({ role: "user", content: [{ text }] });
    system.length = 0;
  }
  trimPrefill(messages);
  if (messages.length === 0) {
    throw new GatewayError(
      "invalid_request",
      "messages must contain at least one user or assistant message with non-empty content.",
      { param: "messages" },
    );
  }
  return { system, messages };
}

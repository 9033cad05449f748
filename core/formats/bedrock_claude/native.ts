/**
 * The native side of the Claude format: the body Bedrock InvokeModel takes as it is, and the
 * usage tap that watches native events pass through unchanged.
 */
import { GatewayError } from "../../errors.ts";
import type { UsageTap } from "../codec.ts";
import type { Usage } from "../openai/schema.ts";
import {
  BEDROCK_ANTHROPIC_VERSION,
  type ClaudeRequest,
  type ClaudeStreamEvent,
  type ClaudeUsage,
} from "./schema.ts";
import { claudeUsageToOpenAI, mergeDeltaUsage } from "./usage.ts";

/** Fields only the gateway understands; removed before a body goes to Bedrock natively. */
export const CLAUDE_GATEWAY_FIELDS = ["model", "stream", "file_ids"] as const;

type NativeMessage = { role: string; content: unknown };
type NativeBlock = { type: string };

const blocksOf = (content: unknown): NativeBlock[] =>
  typeof content === "string" ? [{ type: "text", text: content } as NativeBlock] : [
    ...(content as NativeBlock[]),
  ];

/**
 * `messages` with every `{role: "system"}` entry folded into a user turn as text blocks:
 * appended to the user turn before it, else put at the start of the user turn after it (after
 * its leading `tool_result` blocks, which must come first), else sent as a user turn of its own.
 * InvokeModel takes only user and assistant roles. Returns the input when there is none.
 *
 * @example
 * foldSystemMessages([{ role: "user", content: "Hi" }, { role: "system", content: "Be brief" }]);
 * // [{ role: "user", content: [{ type: "text", text: "Hi" }, { type: "text", text: "Be brief" }] }]
 */
export function foldSystemMessages<M extends NativeMessage>(messages: readonly M[]): M[] {
  if (!messages.some((m) => m.role === "system")) return messages as M[];
  const out: NativeMessage[] = [];
  let pending: NativeBlock[] = [];
  for (const message of messages) {
    if (message.role === "system") {
      const previous = out.at(-1);
      if (previous?.role === "user" && pending.length === 0) {
        out[out.length - 1] = {
          ...previous,
          content: [...blocksOf(previous.content), ...blocksOf(message.content)],
        };
      } else pending.push(...blocksOf(message.content));
      continue;
    }
    if (pending.length > 0) {
      if (message.role === "user") {
        const blocks = blocksOf(message.content);
        const results = blocks.findIndex((b) => b.type !== "tool_result");
        const at = results === -1 ? blocks.length : results;
        blocks.splice(at, 0, ...pending);
        out.push({ ...message, content: blocks });
        pending = [];
        continue;
      }
      out.push({ role: "user", content: pending });
      pending = [];
    }
    out.push(message);
  }
  if (pending.length > 0) out.push({ role: "user", content: pending });
  return out as M[];
}

/**
 * The body to send to Bedrock InvokeModel natively: gateway fields removed, `anthropic_version`
 * defaulted to {@link BEDROCK_ANTHROPIC_VERSION} (the Messages API sends it as a header), and
 * `{role: "system"}` entries of `messages` folded into user turns ({@link foldSystemMessages}).
 * Model-specific adjustments (betas, fields a model does not take) are the provider's.
 *
 * @example
 * nativeClaudeBody({ model: "m", stream: true, max_tokens: 5, messages: [] });
 * // { anthropic_version: "bedrock-2023-05-31", max_tokens: 5, messages: [] }
 */
export function nativeClaudeBody(request: ClaudeRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    anthropic_version: request.anthropic_version ?? BEDROCK_ANTHROPIC_VERSION,
    ...request,
  };
  for (const field of CLAUDE_GATEWAY_FIELDS) delete body[field];
  if (body.anthropic_version === undefined) body.anthropic_version = BEDROCK_ANTHROPIC_VERSION;
  const folded = foldSystemMessages(request.messages);
  if (folded !== request.messages) body.messages = folded;
  return body;
}

type Block = { type: string; source?: { type?: unknown }; content?: unknown };

const isUrlMedia = (block: Block) =>
  (block.type === "image" || block.type === "document") && block.source?.type === "url";

/**
 * Whether a Claude request has an image or document block with a `url` source, in a message's
 * content or inside a `tool_result`'s content. Bedrock's Claude Messages API (InvokeModel)
 * accepts base64 sources only, so such a request cannot go upstream unchanged.
 *
 * @example
 * hasUrlSources({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "Hi" }] }); // false
 */
export function hasUrlSources(request: ClaudeRequest): boolean {
  return request.messages.some((message) =>
    typeof message.content !== "string" &&
    (message.content as Block[]).some((block) =>
      isUrlMedia(block) ||
      (block.type === "tool_result" && Array.isArray(block.content) &&
        (block.content as Block[]).some(isUrlMedia))
    )
  );
}

/**
 * The native body for a request, or undefined when it takes the canonical hub: bodies with
 * `file_ids` (file context is added to the canonical request), with `url` image or document
 * sources (fetched by the gateway, sent to Converse as bytes) and asking for structured output
 * (`output_config.format`, carried by the hub as `response_format`).
 *
 * @example
 * nativeClaudeBodyFor({ model: "m", max_tokens: 5, messages: [], file_ids: ["file-1"] }); // undefined
 */
export function nativeClaudeBodyFor(request: ClaudeRequest): Record<string, unknown> | undefined {
  if (request.file_ids !== undefined && request.file_ids.length > 0) return undefined;
  if (hasUrlSources(request) || request.output_config?.format) return undefined;
  return nativeClaudeBody(request);
}

/**
 * Watches Anthropic events for usage (`message_start`, then each `message_delta`) and for the
 * closing `message_stop`; a stream without it was cut.
 *
 * @example
 * const tap = claudeUsageTap();
 * tap.push({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 2 } });
 */
export function claudeUsageTap(): UsageTap {
  let usage: Partial<ClaudeUsage> | undefined;
  let stopped = false;
  return {
    push(value) {
      const event = value as ClaudeStreamEvent;
      switch (event?.type) {
        case "message_start":
          usage = { ...(event.message?.usage ?? {}) };
          return;
        case "message_delta":
          if (event.usage) usage = mergeDeltaUsage(usage ?? {}, event.usage);
          return;
        case "message_stop":
          stopped = true;
          return;
      }
    },
    usage: (): Usage | undefined => usage === undefined ? undefined : claudeUsageToOpenAI(usage),
    end() {
      if (!stopped) {
        throw new GatewayError("upstream", "The Claude stream ended early (no message_stop).");
      }
    },
  };
}

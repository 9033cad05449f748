/**
 * The native side of the Responses format, for OpenAI upstreams that speak the Responses API:
 * the body sent as it is, Responses events → canonical chunks (for answers in another format),
 * and the usage tap that watches events pass through unchanged.
 */
import { GatewayError } from "../../errors.ts";
import type { ReadContext, StreamDecoder, UsageTap } from "../codec.ts";
import { chunkOf, usageChunkOf } from "../openai/chunks.ts";
import type { ChatCompletionChunk, Usage } from "../openai/schema.ts";
import { detailOfItem } from "./reasoning.ts";
import { inputItems, type ResponsesRequest } from "./schema.ts";
import { canonicalUsage } from "./wire.ts";

/** Fields only the gateway understands, removed before a body goes upstream: its Files API's
 * `file_ids`, and `previous_response_id`, which the gateway expands from its own store (the
 * stored conversation is already in `input`). */
export const RESPONSES_GATEWAY_FIELDS = ["file_ids", "previous_response_id"] as const;

/** True when an input part references a file of the gateway's Files API. */
function usesFileIds(request: ResponsesRequest): boolean {
  return inputItems(request).some((item) => {
    const content = (item as { content?: unknown; output?: unknown }).content ??
      (item as { output?: unknown }).output;
    return Array.isArray(content) &&
      content.some((part) => typeof (part as { file_id?: unknown })?.file_id === "string");
  });
}

/**
 * The body an upstream that speaks Responses takes as it is, or undefined when the request must
 * take the canonical hub (`file_ids`, or `file_id` parts: the gateway's Files API).
 *
 * @example
 * nativeResponsesBody({ model: "gpt-4o", input: "Hi", file_ids: [] }); // { model: "gpt-4o", input: "Hi" }
 */
export function nativeResponsesBody(
  request: ResponsesRequest,
): Record<string, unknown> | undefined {
  if (request.file_ids !== undefined && request.file_ids.length > 0) return undefined;
  if (usesFileIds(request)) return undefined;
  const body: Record<string, unknown> = { ...request };
  for (const field of RESPONSES_GATEWAY_FIELDS) delete body[field];
  return body;
}

type Lenient = Record<string, unknown> & { type?: unknown };

const errorOf = (event: Lenient): GatewayError => {
  const response = event.response as { error?: { message?: unknown } } | undefined;
  const message = response?.error?.message ?? event.message;
  return new GatewayError(
    "upstream",
    `The upstream Responses stream failed: ${typeof message === "string" ? message : "no detail"}`,
  );
};

/**
 * Responses events → canonical chunks: text, refusal and reasoning-summary deltas, function
 * calls (by output index), signatures from finished reasoning items, and the finish reason and
 * usage from `response.completed` / `response.incomplete`; `response.failed` and `error` throw.
 *
 * @example
 * const decoder = new ResponsesStreamDecoder({ id: "c", created: 0, model: "m" });
 * decoder.push({ type: "response.output_text.delta", delta: "Hi" }); // [chunk with content "Hi"]
 */
export class ResponsesStreamDecoder implements StreamDecoder {
  readonly #ctx: { id: string; created: number; model: string };
  #tools = new Map<number, number>();
  #ended = false;

  constructor(ctx: ReadContext) {
    this.#ctx = { id: ctx.id, created: ctx.created, model: ctx.model };
  }

  push(value: unknown): ChatCompletionChunk[] {
    const event = (value ?? {}) as Lenient;
    const chunk = (delta: Record<string, unknown>) => [chunkOf(this.#ctx, delta)];
    switch (event.type) {
      case "response.output_text.delta":
        return typeof event.delta === "string" ? chunk({ content: event.delta }) : [];
      case "response.refusal.delta":
        return typeof event.delta === "string" ? chunk({ refusal: event.delta }) : [];
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta":
        return typeof event.delta === "string" ? chunk({ reasoning_content: event.delta }) : [];
      case "response.output_item.added": {
        const item = (event.item ?? {}) as Lenient;
        if (item.type !== "function_call") return [];
        const index = this.#tools.size;
        this.#tools.set(Number(event.output_index), index);
        return chunk({
          tool_calls: [{
            index,
            id: String(item.call_id ?? ""),
            type: "function",
            function: { name: String(item.name ?? ""), arguments: "" },
          }],
        });
      }
      case "response.function_call_arguments.delta": {
        const index = this.#tools.get(Number(event.output_index));
        if (index === undefined || typeof event.delta !== "string") return [];
        return chunk({ tool_calls: [{ index, function: { arguments: event.delta } }] });
      }
      case "response.output_item.done": {
        const item = (event.item ?? {}) as Lenient;
        if (item.type !== "reasoning" || typeof item.encrypted_content !== "string") return [];
        const detail = detailOfItem("", item.encrypted_content);
        if (detail.type === "reasoning.encrypted") return chunk({ reasoning_details: [detail] });
        return typeof detail.signature === "string"
          ? chunk({ reasoning_signature: detail.signature })
          : [];
      }
      case "response.completed":
      case "response.incomplete": {
        this.#ended = true;
        const response = (event.response ?? {}) as Lenient;
        const reason = (response.incomplete_details as { reason?: unknown } | null)?.reason;
        const finish = event.type === "response.incomplete"
          ? (reason === "content_filter" ? "content_filter" : "length")
          : this.#tools.size > 0
          ? "tool_calls"
          : "stop";
        const out = [chunkOf(this.#ctx, {}, finish)];
        const usage = canonicalUsage(response.usage);
        if (usage !== undefined) out.push(usageChunkOf(this.#ctx, usage));
        return out;
      }
      case "response.failed":
      case "error":
        throw errorOf(event);
      default:
        return [];
    }
  }

  end(): void {
    if (!this.#ended) {
      throw new GatewayError(
        "upstream",
        "The Responses stream ended early (no response.completed).",
      );
    }
  }
}

/**
 * Watches Responses events for the usage of `response.completed` / `response.incomplete` and
 * for a terminal event (`response.failed` too); a stream without one was cut.
 *
 * @example
 * const tap = responsesUsageTap();
 * tap.push({ type: "response.completed", response: { usage: { input_tokens: 1, output_tokens: 2 } } });
 */
export function responsesUsageTap(): UsageTap {
  let usage: Usage | undefined;
  let ended = false;
  return {
    push(value) {
      const event = (value ?? {}) as Lenient;
      if (event.type === "response.completed" || event.type === "response.incomplete") {
        ended = true;
        usage = canonicalUsage((event.response as Lenient | undefined)?.usage) ?? usage;
      } else if (event.type === "response.failed" || event.type === "error") ended = true;
    },
    usage: () => usage,
    end() {
      if (!ended) {
        throw new GatewayError(
          "upstream",
          "The Responses stream ended early (no response.completed).",
        );
      }
    },
  };
}

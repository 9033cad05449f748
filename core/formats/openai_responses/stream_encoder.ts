/**
 * Canonical chunks → Responses stream events, in the order OpenAI sends them and the official
 * SDK's `responses.stream()` accumulates: `response.created`, `response.in_progress`, then per
 * output item `response.output_item.added` … `response.output_item.done` (a message's
 * `content_part.added` / `output_text.delta` / `output_text.done` / `content_part.done`, a
 * reasoning item's `reasoning_summary_part.added` / `reasoning_summary_text.delta` / `.done` /
 * `reasoning_summary_part.done`, a function call's `function_call_arguments.delta` / `.done`),
 * then `response.completed` or `response.incomplete` with the whole Response. Every event has
 * an increasing `sequence_number` from 0. A failure after the start is `response.failed`.
 */
import type { GatewayError } from "../../errors.ts";
import type { StreamEncoder } from "../codec.ts";
import type { ChatCompletionChunk, FinishReason, Usage } from "../openai/schema.ts";
import { encryptedContentOf } from "./reasoning.ts";
import { namespacesOf } from "./response.ts";
import {
  type OutputFunctionCall,
  type OutputItem,
  type OutputMessage,
  type OutputReasoning,
  type ResponseContext,
  type ResponseObject,
  responseShell,
  responsesUsage,
  statusOf,
} from "./wire.ts";

type Event = Record<string, unknown> & { type: string };

/** The item being streamed. */
type Open =
  | { kind: "message"; index: number; item: OutputMessage; part: "text" | "refusal"; text: string }
  | { kind: "reasoning"; index: number; item: OutputReasoning; text: string; signed: boolean }
  | { kind: "function"; index: number; item: OutputFunctionCall; tool: number };

const copy = <T>(value: T): T => structuredClone(value);

/**
 * The Responses stream encoder of one answer.
 *
 * @example
 * const encoder = new ResponsesStreamEncoder({ id: "resp_1", createdAt: 0, model: "m", newId });
 * encoder.push(chunk); // [{ type: "response.created", sequence_number: 0, … }, …]
 */
export class ResponsesStreamEncoder implements StreamEncoder {
  readonly #ctx: ResponseContext;
  readonly #namespaces: Record<string, string>;
  #seq = 0;
  #started = false;
  #finished = false;
  #output: OutputItem[] = [];
  #open: Open | undefined;
  #finish: FinishReason | null = null;
  #usage: Usage | undefined;
  /** Function-call items by the canonical tool-call index. */
  #calls = new Map<number, Extract<Open, { kind: "function" }>>();

  constructor(ctx: ResponseContext) {
    this.#ctx = ctx;
    this.#namespaces = namespacesOf(ctx);
  }

  #event(type: string, fields: Record<string, unknown>): Event {
    return { type, sequence_number: this.#seq++, ...fields };
  }

  #start(out: Event[]): void {
    if (this.#started) return;
    this.#started = true;
    const response = responseShell(this.#ctx);
    out.push(this.#event("response.created", { response }));
    out.push(this.#event("response.in_progress", { response: copy(response) }));
  }

  #add(out: Event[], item: OutputItem): number {
    const index = this.#output.length;
    this.#output.push(item);
    out.push(this.#event("response.output_item.added", { output_index: index, item: copy(item) }));
    return index;
  }

  #close(out: Event[]): void {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    const ids = { item_id: open.item.id, output_index: open.index };
    switch (open.kind) {
      case "message":
        this.#endPart(out, open);
        break;
      case "reasoning": {
        if (open.item.summary.length === 0 && open.text !== "") {
          const part = { type: "summary_text" as const, text: open.text };
          out.push(this.#event("response.reasoning_summary_text.done", {
            ...ids,
            summary_index: 0,
            text: open.text,
          }));
          out.push(this.#event("response.reasoning_summary_part.done", {
            ...ids,
            summary_index: 0,
            part,
          }));
          open.item.summary.push(part);
        }
        break;
      }
      case "function":
        out.push(this.#event("response.function_call_arguments.done", {
          ...ids,
          arguments: open.item.arguments,
        }));
        break;
      default:
        return assertNever(open);
    }
    open.item.status = "completed";
    out.push(
      this.#event("response.output_item.done", { output_index: open.index, item: copy(open.item) }),
    );
  }

  /** Continues the message's text (or refusal) part, opening the message and part as needed. */
  #text(out: Event[], part: "text" | "refusal", delta: string): void {
    let open = this.#open;
    if (open?.kind === "message" && open.part !== part) {
      this.#endPart(out, open);
      open.part = part;
      open.text = "";
      this.#addPart(out, open);
    } else if (open?.kind !== "message") {
      this.#close(out);
      const item: OutputMessage = {
        id: this.#ctx.newId("msg_"),
        type: "message",
        role: "assistant",
        status: "in_progress",
        content: [],
      };
      open = { kind: "message", index: this.#add(out, item), item, part, text: "" };
      this.#open = open;
      this.#addPart(out, open);
    }
    open.text += delta;
    const ids = {
      item_id: open.item.id,
      output_index: open.index,
      content_index: open.item.content.length,
    };
    out.push(
      part === "text"
        ? this.#event("response.output_text.delta", { ...ids, delta, logprobs: [] })
        : this.#event("response.refusal.delta", { ...ids, delta }),
    );
  }

  #addPart(out: Event[], open: Extract<Open, { kind: "message" }>): void {
    const part = open.part === "text"
      ? { type: "output_text", text: "", annotations: [], logprobs: [] }
      : { type: "refusal", refusal: "" };
    out.push(this.#event("response.content_part.added", {
      item_id: open.item.id,
      output_index: open.index,
      content_index: open.item.content.length,
      part,
    }));
  }

  /** Ends the message's current part (text or refusal). */
  #endPart(out: Event[], open: Extract<Open, { kind: "message" }>): void {
    const ids = {
      item_id: open.item.id,
      output_index: open.index,
      content_index: open.item.content.length,
    };
    if (open.part === "text") {
      const part = { type: "output_text" as const, text: open.text, annotations: [], logprobs: [] };
      out.push(this.#event("response.output_text.done", { ...ids, text: open.text, logprobs: [] }));
      open.item.content.push(part);
      out.push(this.#event("response.content_part.done", { ...ids, part }));
    } else {
      const part = { type: "refusal" as const, refusal: open.text };
      out.push(this.#event("response.refusal.done", { ...ids, refusal: open.text }));
      open.item.content.push(part);
      out.push(this.#event("response.content_part.done", { ...ids, part }));
    }
  }

  #reasoning(out: Event[], delta: string): void {
    let open = this.#open;
    if (open?.kind !== "reasoning" || open.signed) {
      this.#close(out);
      const item: OutputReasoning = { id: this.#ctx.newId("rs_"), type: "reasoning", summary: [] };
      open = { kind: "reasoning", index: this.#add(out, item), item, text: "", signed: false };
      this.#open = open;
      out.push(this.#event("response.reasoning_summary_part.added", {
        item_id: item.id,
        output_index: open.index,
        summary_index: 0,
        part: { type: "summary_text", text: "" },
      }));
    }
    open.text += delta;
    out.push(this.#event("response.reasoning_summary_text.delta", {
      item_id: open.item.id,
      output_index: open.index,
      summary_index: 0,
      delta,
    }));
  }

  #signature(out: Event[], signature: string): void {
    const open = this.#open;
    if (open?.kind === "reasoning" && !open.signed) {
      open.signed = true;
      open.item.encrypted_content = encryptedContentOf({
        type: "reasoning.text",
        text: open.text,
        signature,
      });
      return;
    }
    this.#close(out);
    const item: OutputReasoning = {
      id: this.#ctx.newId("rs_"),
      type: "reasoning",
      summary: [],
      encrypted_content: encryptedContentOf({ type: "reasoning.text", text: "", signature }),
    };
    this.#open = { kind: "reasoning", index: this.#add(out, item), item, text: "", signed: true };
  }

  #redacted(out: Event[], data: string): void {
    this.#close(out);
    const item: OutputReasoning = {
      id: this.#ctx.newId("rs_"),
      type: "reasoning",
      summary: [],
      encrypted_content: encryptedContentOf({ type: "reasoning.encrypted", data }),
    };
    this.#open = { kind: "reasoning", index: this.#add(out, item), item, text: "", signed: true };
    this.#close(out);
  }

  #toolCall(
    out: Event[],
    delta: { index: number; id?: string; function?: { name?: string; arguments?: string } },
  ): void {
    let call = this.#calls.get(delta.index);
    if (call === undefined) {
      this.#close(out);
      const name = delta.function?.name ?? "";
      const namespace = this.#namespaces[name];
      const item: OutputFunctionCall = {
        id: this.#ctx.newId("fc_"),
        type: "function_call",
        status: "in_progress",
        call_id: delta.id ?? this.#ctx.newId("call_"),
        name,
        arguments: "",
        ...(namespace !== undefined ? { namespace } : {}),
      };
      call = { kind: "function", index: this.#add(out, item), item, tool: delta.index };
      this.#calls.set(delta.index, call);
      this.#open = call;
    }
    const args = delta.function?.arguments;
    if (args !== undefined && args !== "") {
      call.item.arguments += args;
      out.push(this.#event("response.function_call_arguments.delta", {
        item_id: call.item.id,
        output_index: call.index,
        delta: args,
      }));
    }
  }

  push(chunk: ChatCompletionChunk): unknown[] {
    const out: Event[] = [];
    this.#start(out);
    if (chunk.usage) this.#usage = chunk.usage;
    for (const choice of chunk.choices.slice(0, 1)) {
      const delta = choice.delta ?? {};
      for (const detail of delta.reasoning_details ?? []) {
        if (detail.type === "reasoning.encrypted") this.#redacted(out, detail.data);
      }
      if (typeof delta.reasoning_content === "string" && delta.reasoning_content !== "") {
        this.#reasoning(out, delta.reasoning_content);
      }
      if (typeof delta.reasoning_signature === "string" && delta.reasoning_signature !== "") {
        this.#signature(out, delta.reasoning_signature);
      }
      if (typeof delta.content === "string" && delta.content !== "") {
        this.#text(out, "text", delta.content);
      }
      if (typeof delta.refusal === "string" && delta.refusal !== "") {
        this.#text(out, "refusal", delta.refusal);
      }
      for (const call of delta.tool_calls ?? []) this.#toolCall(out, call);
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        this.#finish = choice.finish_reason;
      }
    }
    return out;
  }

  /** The Response as it stands, with `status` and the usage so far. */
  #response(fields: Partial<ResponseObject>): ResponseObject {
    return {
      ...responseShell(this.#ctx),
      output: copy(this.#output),
      usage: responsesUsage(this.#usage),
      ...fields,
    };
  }

  end(): unknown[] {
    const out: Event[] = [];
    if (this.#finished) return out;
    this.#start(out);
    this.#close(out);
    this.#finished = true;
    const status = statusOf(this.#finish);
    const type = status.status === "completed" ? "response.completed" : "response.incomplete";
    out.push(this.#event(type, { response: this.#response(status) }));
    return out;
  }

  /**
   * The events that end a stream the upstream failed after it started: `response.failed` with
   * `error {code, message}` (the open item is left as it was, `in_progress`).
   */
  fail(error: GatewayError): unknown[] {
    const out: Event[] = [];
    if (this.#finished) return out;
    this.#start(out);
    this.#finished = true;
    const code = error.kind === "rate_limited" ? "rate_limit_exceeded" : "server_error";
    out.push(this.#event("response.failed", {
      response: this.#response({
        status: "failed",
        error: { code, message: error.message },
        incomplete_details: null,
      }),
    }));
    return out;
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected item ${JSON.stringify(value)}`);
}

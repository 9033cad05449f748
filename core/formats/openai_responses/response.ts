/**
 * Responses answers ⇄ canonical completions: a canonical completion → a Response object
 * (reasoning items first, then the message, then function calls, as OpenAI orders them), and a
 * Response from an upstream that speaks Responses → a canonical completion (read leniently).
 *
 * Reasoning items always carry `encrypted_content` when the model signed its reasoning (Claude
 * thinking) or redacted it, whether or not `include` asked for `reasoning.encrypted_content`:
 * a client that replays the items without it would lose the signature Claude needs to continue.
 */
import { GatewayError } from "../../errors.ts";
import type { ReadContext } from "../codec.ts";
import type {
  ChatCompletion,
  FinishReason,
  ReasoningDetail,
  ResponseMessage,
  ResponseToolCall,
} from "../openai/schema.ts";
import { detailOfItem, encryptedContentOf } from "./reasoning.ts";
import {
  canonicalUsage,
  type OutputItem,
  type OutputReasoning,
  type ResponseContext,
  type ResponseObject,
  responseShell,
  responsesUsage,
  statusOf,
} from "./wire.ts";

/** The reasoning blocks of a canonical message (exact details, else text and signature). */
export function reasoningDetailsOf(message: {
  reasoning_content?: string | null;
  reasoning_signature?: string | null;
  reasoning_details?: ReasoningDetail[] | null;
}): ReasoningDetail[] {
  if (message.reasoning_details) return message.reasoning_details;
  if (typeof message.reasoning_content === "string" && message.reasoning_content !== "") {
    return [{
      type: "reasoning.text",
      text: message.reasoning_content,
      signature: message.reasoning_signature,
    }];
  }
  return [];
}

/**
 * A reasoning block → a `reasoning` output item (its text as the summary).
 *
 * @example
 * reasoningItem({ type: "reasoning.text", text: "hmm", signature: "s" }, "rs_1");
 * // { id: "rs_1", type: "reasoning", summary: [{ type: "summary_text", text: "hmm" }], encrypted_content: "sig:s" }
 */
export function reasoningItem(detail: ReasoningDetail, id: string): OutputReasoning {
  const encrypted = encryptedContentOf(detail);
  return {
    id,
    type: "reasoning",
    summary: detail.type === "reasoning.text" && detail.text !== ""
      ? [{ type: "summary_text", text: detail.text }]
      : [],
    ...(encrypted !== undefined ? { encrypted_content: encrypted } : {}),
  };
}

/** The namespace a flattened tool name came from (namespace tools of the request). */
export function namespacesOf(ctx: Pick<ResponseContext, "request">): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tool of ctx.request?.tools ?? []) {
    if (tool.type !== "namespace") continue;
    const group = tool as { name: string; tools: Array<{ type: string; name?: unknown }> };
    for (const inner of group.tools) {
      if (typeof inner.name === "string") out[inner.name] = group.name;
    }
  }
  return out;
}

/**
 * A canonical completion → a Response object.
 *
 * @example
 * canonicalToResponse(completion, { id: "resp_1", createdAt: 1, model: "m", newId }).output[0].type; // "message"
 */
export function canonicalToResponse(
  completion: ChatCompletion,
  ctx: ResponseContext,
): ResponseObject {
  const choice = completion.choices[0];
  const message: Partial<ResponseMessage> = choice?.message ?? {};
  const output: OutputItem[] = reasoningDetailsOf(message).map((detail) =>
    reasoningItem(detail, ctx.newId("rs_"))
  );
  const text = typeof message.content === "string" ? message.content : "";
  const refusal = typeof message.refusal === "string" ? message.refusal : "";
  if (text !== "" || refusal !== "" || (message.tool_calls ?? []).length === 0) {
    output.push({
      id: ctx.newId("msg_"),
      type: "message",
      role: "assistant",
      status: "completed",
      content: refusal !== "" && text === ""
        ? [{ type: "refusal", refusal }]
        : [{ type: "output_text", text, annotations: [], logprobs: [] }],
    });
  }
  const namespaces = namespacesOf(ctx);
  for (const call of message.tool_calls ?? []) {
    const namespace = namespaces[call.function.name];
    output.push({
      id: ctx.newId("fc_"),
      type: "function_call",
      status: "completed",
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      ...(namespace !== undefined ? { namespace } : {}),
    });
  }
  return {
    ...responseShell(ctx),
    ...statusOf(choice?.finish_reason),
    output,
    usage: responsesUsage(completion.usage),
  };
}

type Lenient = { type?: unknown; [k: string]: unknown };

/**
 * A Response from an upstream that speaks Responses → a canonical completion: message text and
 * refusals, function calls, reasoning (summary text, gateway-encoded signatures), the finish
 * reason from the status. Built-in tool items are not part of the canonical answer.
 *
 * @example
 * responseToCanonical({ status: "completed", output: [] }, { id: "c", created: 1, model: "m" }).choices[0].finish_reason; // "stop"
 */
export function responseToCanonical(body: unknown, ctx: ReadContext): ChatCompletion {
  const response = body as { output?: unknown; status?: unknown; incomplete_details?: unknown };
  if (typeof body !== "object" || body === null || !Array.isArray(response.output)) {
    throw new GatewayError("upstream", "The upstream sent a malformed Responses answer.");
  }
  let text = "";
  let refusal = "";
  const calls: ResponseToolCall[] = [];
  const details: ReasoningDetail[] = [];
  for (const item of response.output as Lenient[]) {
    if (item?.type === "message" && Array.isArray(item.content)) {
      for (const part of item.content as Lenient[]) {
        if (part?.type === "output_text" && typeof part.text === "string") text += part.text;
        if (part?.type === "refusal" && typeof part.refusal === "string") refusal += part.refusal;
      }
    } else if (item?.type === "function_call") {
      calls.push({
        id: String(item.call_id ?? item.id ?? ""),
        type: "function",
        function: { name: String(item.name ?? ""), arguments: String(item.arguments ?? "") },
      });
    } else if (item?.type === "reasoning") {
      const summary = Array.isArray(item.summary) ? item.summary as Lenient[] : [];
      const joined = summary.map((s) => typeof s?.text === "string" ? s.text : "").join("");
      details.push(detailOfItem(joined, item.encrypted_content as string | undefined));
    }
  }
  const reason = (response.incomplete_details as { reason?: unknown } | null)?.reason;
  const finish: FinishReason = response.status === "incomplete"
    ? (reason === "content_filter" ? "content_filter" : "length")
    : calls.length > 0
    ? "tool_calls"
    : "stop";
  const texts = details.filter((d) => d.type === "reasoning.text");
  const signed = texts.findLast((d) =>
    d.type === "reasoning.text" && typeof d.signature === "string"
  );
  const usage = canonicalUsage((body as { usage?: unknown }).usage);
  return {
    id: ctx.id,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: text === "" && calls.length > 0 ? null : text,
        refusal: refusal === "" ? null : refusal,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
        ...(texts.length > 0 ? { reasoning_content: texts.map((d) => d.text).join("") } : {}),
        ...(signed?.type === "reasoning.text" && typeof signed.signature === "string"
          ? { reasoning_signature: signed.signature }
          : {}),
        ...(details.length > 0 ? { reasoning_details: details } : {}),
      },
      finish_reason: finish,
    }],
    ...(usage !== undefined ? { usage } : {}),
  };
}

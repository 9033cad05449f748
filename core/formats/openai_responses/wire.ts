/**
 * The Responses API objects the gateway writes (OpenAPI `Response`, its output items and usage),
 * and the parts shared by the JSON answer and the stream: the echo of the request's settings, the
 * usage and status mappings.
 */
import type { FinishReason, Usage } from "../openai/schema.ts";
import type { ResponsesRequest } from "./schema.ts";

/** An `output_text` part. */
export interface OutputTextPart {
  type: "output_text";
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

/** A `refusal` part. */
export interface RefusalPart {
  type: "refusal";
  refusal: string;
}

/** An assistant `message` output item. */
export interface OutputMessage {
  id: string;
  type: "message";
  role: "assistant";
  status: "in_progress" | "completed" | "incomplete";
  content: Array<OutputTextPart | RefusalPart>;
}

/** A `function_call` output item. */
export interface OutputFunctionCall {
  id: string;
  type: "function_call";
  status: "in_progress" | "completed" | "incomplete";
  call_id: string;
  name: string;
  arguments: string;
  namespace?: string;
}

/** A `reasoning` output item. */
export interface OutputReasoning {
  id: string;
  type: "reasoning";
  summary: Array<{ type: "summary_text"; text: string }>;
  encrypted_content?: string;
  status?: "in_progress" | "completed" | "incomplete";
}

/** Any output item the gateway writes. */
export type OutputItem = OutputMessage | OutputFunctionCall | OutputReasoning;

/** `usage` of a Response. */
export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The status of a Response. */
export type ResponseStatus = "completed" | "incomplete" | "failed" | "in_progress";

/** A Response object (`object: "response"`). */
export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  model: string;
  output: OutputItem[];
  usage: ResponseUsage | null;
  [k: string]: unknown;
}

/** What a Response is built from besides the answer. */
export interface ResponseContext {
  id: string;
  /** Seconds since the epoch. */
  createdAt: number;
  /** The model id as the client sent it. */
  model: string;
  newId: (prefix: string) => string;
  /** The client's request, whose settings a Response echoes (absent: the defaults). */
  request?: ResponsesRequest;
}

const orNull = <T>(value: T | null | undefined): T | null => value ?? null;

/**
 * A Response with no output yet (`status: in_progress`), echoing the request's settings as the
 * OpenAPI `Response` requires them (defaults where the request left them out).
 *
 * @example
 * responseShell({ id: "resp_1", createdAt: 1, model: "m", newId: (p) => p }).status; // "in_progress"
 */
export function responseShell(ctx: ResponseContext): ResponseObject {
  const r: Partial<ResponsesRequest> = ctx.request ?? {};
  return {
    id: ctx.id,
    object: "response",
    created_at: ctx.createdAt,
    status: "in_progress",
    background: r.background ?? false,
    error: null,
    incomplete_details: null,
    instructions: orNull(r.instructions),
    max_output_tokens: orNull(r.max_output_tokens),
    max_tool_calls: orNull(r.max_tool_calls),
    model: ctx.model,
    output: [],
    parallel_tool_calls: r.parallel_tool_calls ?? true,
    previous_response_id: orNull(r.previous_response_id),
    prompt_cache_key: orNull(r.prompt_cache_key),
    reasoning: { effort: orNull(r.reasoning?.effort), summary: orNull(r.reasoning?.summary) },
    safety_identifier: orNull(r.safety_identifier),
    service_tier: r.service_tier ?? "default",
    store: r.store ?? true,
    temperature: r.temperature ?? 1,
    text: { format: r.text?.format ?? { type: "text" }, verbosity: r.text?.verbosity ?? "medium" },
    tool_choice: r.tool_choice ?? "auto",
    tools: r.tools ?? [],
    top_logprobs: r.top_logprobs ?? 0,
    top_p: r.top_p ?? 1,
    truncation: r.truncation ?? "disabled",
    usage: null,
    user: orNull(r.user),
    metadata: r.metadata ?? {},
  };
}

/**
 * Canonical usage → Responses usage.
 *
 * @example
 * responsesUsage({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }).input_tokens; // 3
 */
export function responsesUsage(usage: Usage | undefined | null): ResponseUsage {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: output,
    output_tokens_details: {
      reasoning_tokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
    },
    total_tokens: usage?.total_tokens ?? input + output,
  };
}

/**
 * A Responses usage object (read leniently) → canonical usage.
 *
 * @example
 * canonicalUsage({ input_tokens: 3, output_tokens: 2 }); // { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }
 */
export function canonicalUsage(value: unknown): Usage | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const u = value as Partial<ResponseUsage>;
  const input = typeof u.input_tokens === "number" ? u.input_tokens : 0;
  const output = typeof u.output_tokens === "number" ? u.output_tokens : 0;
  const cached = u.input_tokens_details?.cached_tokens;
  const reasoning = u.output_tokens_details?.reasoning_tokens;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: typeof u.total_tokens === "number" ? u.total_tokens : input + output,
    ...(typeof cached === "number" ? { prompt_tokens_details: { cached_tokens: cached } } : {}),
    ...(typeof reasoning === "number"
      ? { completion_tokens_details: { reasoning_tokens: reasoning } }
      : {}),
  };
}

/**
 * The status and `incomplete_details` for a finish reason: `length` → incomplete
 * (`max_output_tokens`), `content_filter` → incomplete (`content_filter`), others → completed.
 *
 * @example
 * statusOf("length"); // { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } }
 */
export function statusOf(
  reason: FinishReason | null | undefined,
): Pick<ResponseObject, "status" | "incomplete_details"> {
  if (reason === "length") {
    return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  }
  if (reason === "content_filter") {
    return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  }
  return { status: "completed", incomplete_details: null };
}

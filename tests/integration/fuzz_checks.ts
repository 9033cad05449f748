/**
 * What the fuzz test accepts as an answer: a 2xx, or a 4xx in the route's error envelope
 * (OpenAI's `{error:{message,type,param,code}}`, Anthropic's `{type:"error",error:{…}}`, or
 * tRPC's error shape with a 4xx `httpStatus`); a stream that is well-formed in its target format
 * and ends as that format ends; never a stack trace or a source path.
 *
 * @example
 * judge({ method: "POST", path: "/v1/messages", envelope: "anthropic" }, 500, "application/json", "{}");
 * // "status 500"
 */
import type { WireBody } from "./fuzz_mutations.ts";

type Target = "openai" | "bedrock_claude" | "bedrock_titan" | "openai_responses";

/** The answer format a probe asked for (`/v1/messages` answers as Claude). */
function targetOf(path: string): Target {
  if (path.startsWith("/v1/messages")) return "bedrock_claude";
  if (path.startsWith("/v1/responses")) return "openai_responses";
  const asked = /[?&]target_format=([a-z_]+)/.exec(path)?.[1];
  return asked === "bedrock_claude" || asked === "bedrock_titan" ? asked : "openai";
}

/** Why an SSE body is not a well-formed, cleanly ended stream of `target`, or undefined. */
function sseProblem(text: string, target: Target): string | undefined {
  if (/internal_error|"type":"api_error"|event: error/.test(text)) return "error event in stream";
  const events = text.split("\n\n").filter((e) => e.trim() !== "");
  const data: unknown[] = [];
  for (const event of events) {
    const line = event.split("\n").find((l) => l.startsWith("data: "));
    if (line === undefined) return `an event without data: ${event.slice(0, 80)}`;
    const payload = line.slice("data: ".length);
    if (payload === "[DONE]") {
      data.push("[DONE]");
      continue;
    }
    try {
      data.push(JSON.parse(payload));
    } catch {
      return `an event whose data is not JSON: ${payload.slice(0, 80)}`;
    }
  }
  const last = data[data.length - 1] as Record<string, unknown> | string | undefined;
  switch (target) {
    case "openai":
      return last === "[DONE]" ? undefined : "an OpenAI stream that does not end with [DONE]";
    case "bedrock_claude":
      return isObject(last) && last.type === "message_stop"
        ? undefined
        : "a Claude stream that does not end with message_stop";
    case "openai_responses":
      return isObject(last) &&
          (last.type === "response.completed" || last.type === "response.incomplete")
        ? undefined
        : `a Responses stream that ends with ${isObject(last) ? last.type : "no event"}`;
    case "bedrock_titan":
      return isObject(last) && typeof last.completionReason === "string"
        ? undefined
        : "a Titan stream whose last chunk has no completionReason";
    default: {
      const unreachable: never = target;
      return unreachable;
    }
  }
}

/** Which error shape a route answers with. */
export type Envelope = "chat" | "anthropic" | "trpc" | "trpc-batch" | "trpc-stream";

/** One request of the fuzz run. */
export interface Probe {
  method: "GET" | "POST";
  path: string;
  body?: WireBody;
  /** Extra request headers (e.g. `trpc-accept` for a stream). */
  headers?: Record<string, string>;
  envelope: Envelope;
}

/** A stack frame or a source path in a body: never sent to clients. */
const STACK =
  /\n\s*at \S+.*:\d+|\bat (?:async )?\S+ \((?:file|ext):|file:\/\/\/\S+\.[jt]s\b|\/work\/|\.ts:\d+:\d+/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The OpenAI envelope `{error:{message,type,param,code}}` (SPEC §3.4). */
function openaiEnvelope(body: unknown): string | undefined {
  if (!isObject(body) || !isObject(body.error)) return "no error object";
  const e = body.error;
  if (typeof e.message !== "string" || e.message === "") return "error.message";
  if (typeof e.type !== "string") return "error.type";
  if (!("param" in e) || (e.param !== null && typeof e.param !== "string")) return "error.param";
  if (!("code" in e) || (e.code !== null && typeof e.code !== "string")) return "error.code";
  return undefined;
}

/** Anthropic's envelope `{type:"error", error:{type,message}}`. */
function anthropicEnvelope(body: unknown): string | undefined {
  if (!isObject(body) || body.type !== "error" || !isObject(body.error)) {
    return "not an Anthropic error";
  }
  if (typeof body.error.type !== "string") return "error.type";
  if (typeof body.error.message !== "string" || body.error.message === "") return "error.message";
  return undefined;
}

/** One tRPC response item: a result or an error with a 4xx `httpStatus` and the gateway data. */
function trpcItem(item: unknown): string | undefined {
  if (!isObject(item)) return "item not an object";
  if ("result" in item) return isObject(item.result) ? undefined : "result not an object";
  if (!isObject(item.error)) return "neither result nor error";
  const json = isObject(item.error.json) ? item.error.json : item.error;
  if (typeof json.message !== "string") return "error.message";
  if (typeof json.code !== "number") return "error.code";
  const data = json.data;
  if (!isObject(data)) return "error.data";
  if (typeof data.httpStatus !== "number") return "error.data.httpStatus";
  if (data.httpStatus >= 500 || data.code === "INTERNAL_SERVER_ERROR") {
    return `tRPC ${data.code} (httpStatus ${data.httpStatus}): ${json.message}`;
  }
  if ("stack" in data) return "error.data.stack present";
  return undefined;
}

/** A tRPC error shape (`{message, code, data: {httpStatus}}`) anywhere in `value` with a 5xx
 * `httpStatus`, described; or undefined. */
function serverErrorIn(value: unknown, depth = 0): string | undefined {
  if (depth > 8 || typeof value !== "object" || value === null) return undefined;
  const data = (value as { data?: unknown }).data;
  if (isObject(data) && typeof data.httpStatus === "number" && data.httpStatus >= 500) {
    return `tRPC ${data.code} (httpStatus ${data.httpStatus}) in the stream`;
  }
  for (const item of Object.values(value)) {
    const found = serverErrorIn(item, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Why a 200 JSON-lines answer (`httpBatchStreamLink`'s) is not acceptable, or undefined: a line
 * that is not JSON, or an error with a 5xx status inside. */
function jsonLinesProblem(text: string): string | undefined {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length < 2) return `a stream of ${lines.length} line(s)`;
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return `a stream line that is not JSON: ${line.slice(0, 80)}`;
    }
    const bad = serverErrorIn(value);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/** Why an answer is not acceptable, or undefined. */
export function judge(
  probe: Probe,
  status: number,
  type: string,
  text: string,
): string | undefined {
  if (STACK.test(text)) return "stack trace or source path in the body";
  if (status >= 500) return `status ${status}`;
  if (status < 200 || (status >= 300 && status < 400)) return `status ${status}`;
  if (type.includes("text/event-stream")) {
    if (status !== 200) return `SSE with status ${status}`;
    return sseProblem(text, targetOf(probe.path));
  }
  if (probe.envelope === "trpc-stream" && status === 200) return jsonLinesProblem(text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "body is not JSON";
  }
  switch (probe.envelope) {
    case "chat":
    case "anthropic":
      if (status < 400) return undefined;
      return probe.envelope === "anthropic"
        ? anthropicEnvelope(body)
        : openaiEnvelope(body) && anthropicEnvelope(body);
    case "trpc":
    case "trpc-stream": // refused before the stream: one JSON error
      return trpcItem(body);
    case "trpc-batch":
      if (!Array.isArray(body)) return trpcItem(body); // a whole-batch error
      for (const item of body) {
        const bad = trpcItem(item);
        if (bad !== undefined) return bad;
      }
      return undefined;
    default: {
      const unreachable: never = probe.envelope;
      return unreachable;
    }
  }
}

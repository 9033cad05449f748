/**
 * A fake Anthropic API for tests: a real HTTP/1.1 server on `127.0.0.1` (`http1_server.ts`)
 * speaking the Messages API wire format, recording every request (headers included: `x-api-key`,
 * `anthropic-version`, `anthropic-beta`) and playing the replies a test scripted, in order.
 *
 * - `POST /v1/messages` plays the next scripted reply: a message (as JSON, or — for
 *   `stream: true` — as Anthropic's SSE with its `event:` names: `message_start`, `ping`,
 *   `content_block_start|delta|stop`, `message_delta`, `message_stop`), raw events, or an error in
 *   Anthropic's envelope (`{"type":"error","error":{type,message}}`, e.g. 529
 *   `overloaded_error`). Without a script it echoes the last user text. A model outside
 *   {@link FAKE_ANTHROPIC_MODELS} is Anthropic's 404 `not_found_error`.
 * - `POST /v1/messages/count_tokens` answers `{input_tokens}` (a quarter of the JSON length of
 *   `system`, `messages` and `tools`, at least 1).
 * - `GET /v1/models` lists {@link FAKE_ANTHROPIC_MODELS} in Anthropic's page shape.
 * - With `requireKey`, a request without `x-api-key: <key>` gets Anthropic's 401.
 *
 * @example
 * await using fake = await startFakeAnthropic({ requireKey: "sk-ant-test" });
 * fake.script(anthropicMessage([{ type: "text", text: "Hi" }]));
 * fake.messageRequests[0].body; // the body the gateway sent
 */
import { serveHttp1 } from "./http1_server.ts";

/** The models the fake serves. */
export const FAKE_ANTHROPIC_MODELS = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"];

/** A content block of a scripted message (the response shape). */
export type FakeBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** A scripted reply to `POST /v1/messages`. */
export type AnthropicReply =
  | {
    kind: "message";
    content: FakeBlock[];
    stopReason: string;
    usage: { input_tokens: number; output_tokens: number } & Record<string, number>;
  }
  | { kind: "error"; status: number; type: string; message: string; retryAfter?: number }
  | { kind: "events"; events: Array<Record<string, unknown> & { type: string }> };

/** A message reply (stop reason `tool_use` when it calls a tool, else `end_turn`). */
export function anthropicMessage(
  content: FakeBlock[],
  options: { stopReason?: string; inputTokens?: number; outputTokens?: number } = {},
): AnthropicReply {
  return {
    kind: "message",
    content,
    stopReason: options.stopReason ??
      (content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn"),
    usage: { input_tokens: options.inputTokens ?? 12, output_tokens: options.outputTokens ?? 7 },
  };
}

/** An error reply in Anthropic's envelope. */
export function anthropicError(
  status: number,
  type: string,
  message: string,
  retryAfter?: number,
): AnthropicReply {
  return { kind: "error", status, type, message, retryAfter };
}

/** A request the fake received. */
export interface AnthropicRecorded {
  method: string;
  path: string;
  headers: Headers;
  /** Parsed JSON body (undefined when empty). */
  body: Record<string, unknown> | undefined;
}

/** Options of {@link startFakeAnthropic}. */
export interface FakeAnthropicOptions {
  requireKey?: string;
}

/** A running fake. */
export interface FakeAnthropic extends AsyncDisposable {
  /** Base URL without `/v1` (as the SDK's `baseURL` and `ANTHROPIC_BASE_URL` take it). */
  url: string;
  requests: AnthropicRecorded[];
  /** Only the `POST /v1/messages` requests. */
  readonly messageRequests: AnthropicRecorded[];
  script(...replies: AnthropicReply[]): void;
  close(): Promise<void>;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "request-id": "req_fake", ...headers },
  });

const errorResponse = (status: number, type: string, message: string, headers = {}) =>
  json(status, { type: "error", error: { type, message } }, headers);

function lastUserText(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as Array<{ role: string; content: unknown }>;
  const last = messages.filter((m) => m.role === "user").at(-1);
  if (typeof last?.content === "string") return last.content;
  const blocks = (last?.content ?? []) as Array<{ type: string; text?: string }>;
  return blocks.filter((b) => b.type === "text").map((b) => b.text).join("");
}

function messageBody(reply: Extract<AnthropicReply, { kind: "message" }>, model: string) {
  return {
    id: "msg_fake01",
    type: "message",
    role: "assistant",
    model,
    content: reply.content,
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: reply.usage,
  };
}

/** A message as the events Anthropic streams for it. */
export function messageEvents(
  reply: Extract<AnthropicReply, { kind: "message" }>,
  model: string,
): Array<Record<string, unknown> & { type: string }> {
  const start = { ...messageBody(reply, model), content: [], stop_reason: null };
  start.usage = { ...reply.usage, output_tokens: 1 };
  const events: Array<Record<string, unknown> & { type: string }> = [
    { type: "message_start", message: start },
    { type: "ping" },
  ];
  reply.content.forEach((block, index) => {
    switch (block.type) {
      case "text":
        events.push({
          type: "content_block_start",
          index,
          content_block: { type: "text", text: "" },
        });
        for (const piece of block.text.match(/.{1,5}/gs) ?? []) {
          events.push({
            type: "content_block_delta",
            index,
            delta: { type: "text_delta", text: piece },
          });
        }
        break;
      case "thinking":
        events.push({
          type: "content_block_start",
          index,
          content_block: { type: "thinking", thinking: "", signature: "" },
        });
        events.push({
          type: "content_block_delta",
          index,
          delta: { type: "thinking_delta", thinking: block.thinking },
        });
        events.push({
          type: "content_block_delta",
          index,
          delta: { type: "signature_delta", signature: block.signature },
        });
        break;
      case "redacted_thinking":
        events.push({ type: "content_block_start", index, content_block: block });
        break;
      case "tool_use": {
        events.push({
          type: "content_block_start",
          index,
          content_block: { type: "tool_use", id: block.id, name: block.name, input: {} },
        });
        const args = JSON.stringify(block.input);
        const half = Math.ceil(args.length / 2);
        for (const part of [args.slice(0, half), args.slice(half)]) {
          events.push({
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: part },
          });
        }
        break;
      }
    }
    events.push({ type: "content_block_stop", index });
  });
  events.push({
    type: "message_delta",
    delta: { stop_reason: reply.stopReason, stop_sequence: null },
    usage: { output_tokens: reply.usage.output_tokens },
  });
  events.push({ type: "message_stop" });
  return events;
}

const encoder = new TextEncoder();

function sse(events: Array<{ type: string }>): Response {
  const text = events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
  return new Response(encoder.encode(text), {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

/** Starts the fake on a free port. */
export function startFakeAnthropic(options: FakeAnthropicOptions = {}): FakeAnthropic {
  const requests: AnthropicRecorded[] = [];
  const queue: AnthropicReply[] = [];
  const server = serveHttp1(async (request) => {
    const url = new URL(request.url);
    const text = await request.text();
    let body: Record<string, unknown> | undefined;
    try {
      body = text === "" ? undefined : JSON.parse(text);
    } catch {
      return errorResponse(400, "invalid_request_error", "Request body is not valid JSON.");
    }
    requests.push({ method: request.method, path: url.pathname, headers: request.headers, body });
    if (
      options.requireKey !== undefined && request.headers.get("x-api-key") !== options.requireKey
    ) {
      return errorResponse(401, "authentication_error", "invalid x-api-key");
    }
    if (request.method === "GET" && url.pathname === "/v1/models") {
      const data = FAKE_ANTHROPIC_MODELS.map((id) => ({
        type: "model",
        id,
        display_name: id,
        created_at: "2025-09-29T00:00:00Z",
      }));
      return json(200, { data, has_more: false, first_id: data[0].id, last_id: data.at(-1)!.id });
    }
    if (request.method !== "POST" || body === undefined) {
      return errorResponse(404, "not_found_error", "Not found");
    }
    const model = String(body.model);
    if (!FAKE_ANTHROPIC_MODELS.includes(model)) {
      return errorResponse(404, "not_found_error", `model: ${model}`);
    }
    if (url.pathname === "/v1/messages/count_tokens") {
      const size = JSON.stringify([body.system ?? "", body.messages, body.tools ?? []]).length;
      return json(200, { input_tokens: Math.max(1, Math.ceil(size / 4)) });
    }
    if (url.pathname !== "/v1/messages") return errorResponse(404, "not_found_error", "Not found");
    if (typeof body.max_tokens !== "number") {
      return errorResponse(400, "invalid_request_error", "max_tokens: Field required");
    }
    const reply = queue.shift() ??
      anthropicMessage([{ type: "text", text: `echo: ${lastUserText(body)}` }]);
    if (reply.kind === "error") {
      const headers: Record<string, string> = reply.retryAfter === undefined
        ? {}
        : { "retry-after": String(reply.retryAfter) };
      return errorResponse(reply.status, reply.type, reply.message, headers);
    }
    if (reply.kind === "events") return sse(reply.events);
    if (body.stream === true) return sse(messageEvents(reply, model));
    return json(200, messageBody(reply, model));
  });
  const close = () => server.close();
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    get messageRequests() {
      return requests.filter((r) => r.method === "POST" && r.path === "/v1/messages");
    },
    script: (...replies) => void queue.push(...replies),
    close,
    [Symbol.asyncDispose]: close,
  };
}

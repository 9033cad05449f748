/**
 * `POST /v1/responses`: the OpenAI Responses API (openai_responses in and out) for any routable
 * model, JSON or SSE, through the same chat service as the other chat routes. Built-in tools a
 * provider cannot take are named in the `x-gateway-ignored-tools` header.
 *
 * Stored responses plug in through {@link ResponsesHooks}: `prepare` expands
 * `previous_response_id` before the request is checked and answered, `save` receives the
 * finished Response (the JSON answer, or the final object of a stream).
 */
import { Hono } from "hono";
import type { ChatService } from "../../core/chat/service.ts";
import { GatewayError } from "../../core/errors.ts";
import {
  checkCallIds,
  inputItems,
  type ResponsesRequest,
  responsesRequestSchema,
} from "../../core/formats/openai_responses/schema.ts";
import type { ResponseObject } from "../../core/formats/openai_responses/wire.ts";
import { parseWith } from "../../core/formats/validate.ts";
import { type BodyLimits, readJson } from "../body.ts";
import { respond } from "../respond.ts";
import type { AppEnv } from "../types.ts";

/** The header naming the built-in tools a request's provider left out (comma-separated). */
export const IGNORED_TOOLS_HEADER = "x-gateway-ignored-tools";

/** A request after {@link ResponsesHooks.prepare}: stored history put in front of its input. */
export interface PreparedRequest {
  request: ResponsesRequest;
  /** How many items at the start of `request.input` came from history (for `param` paths). */
  historyItems: number;
}

/** Where stored responses plug in (the state store); both optional. */
export interface ResponsesHooks {
  /** Resolves `previous_response_id`: the request with the stored conversation in front of its
   * input (unknown or expired id → a 404 `previous_response_not_found`). */
  prepare?(request: ResponsesRequest, signal: AbortSignal): Promise<PreparedRequest>;
  /** Keeps a finished Response (completed, incomplete or failed) with the request it answers;
   * called after the answer was sent (JSON) or when its terminal event went out (SSE). */
  save?(response: ResponseObject, request: ResponsesRequest): void | Promise<void>;
}

/** The 404 for a `previous_response_id` the gateway cannot resolve. */
export function previousResponseNotFound(id: string): GatewayError {
  return new GatewayError("not_found", `Previous response with id '${id}' not found.`, {
    code: "previous_response_not_found",
    param: "previous_response_id",
  });
}

/**
 * Validates a Responses body and readies it for the chat service: `prepare` (when given)
 * expands `previous_response_id`, else such an id is a 404; then every `function_call_output`
 * must answer a `function_call` of the (expanded) input.
 *
 * @example
 * await prepareResponsesRequest({ model: "mock-1", input: "Hi" }, {}, signal); // { request, historyItems: 0 }
 */
export async function prepareResponsesRequest(
  body: unknown,
  hooks: ResponsesHooks,
  signal: AbortSignal,
): Promise<PreparedRequest> {
  const request = parseWith(responsesRequestSchema, body);
  let prepared: PreparedRequest = { request, historyItems: 0 };
  const previous = request.previous_response_id;
  if (typeof previous === "string") {
    if (hooks.prepare === undefined) throw previousResponseNotFound(previous);
    prepared = await hooks.prepare(request, signal);
  }
  checkCallIds(inputItems(prepared.request), prepared.historyItems);
  return prepared;
}

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** The finished Response in an answer or stream event, if it is one. */
function finishedResponse(answer: unknown): ResponseObject | undefined {
  const value = answer as { object?: unknown; type?: unknown; response?: unknown } | null;
  if (value?.object === "response") return value as ResponseObject;
  if (typeof value?.type === "string" && TERMINAL.has(value.type)) {
    return value.response as ResponseObject;
  }
  return undefined;
}

/** The responses route, mounted at `/v1/responses`; streams still open when `stop` aborts end
 * with the `server_shutting_down` error event. */
export function responsesRoute(
  chat: ChatService,
  limits: BodyLimits,
  stop?: AbortSignal,
  hooks: ResponsesHooks = {},
): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/", async (c) => {
    c.set("errorFormat", "openai_responses");
    const body = await readJson(c.req.raw, limits);
    const { request } = await prepareResponsesRequest(body, hooks, c.req.raw.signal);
    const save = hooks.save;
    const seen = save === undefined ? undefined : (answer: unknown) => {
      const finished = finishedResponse(answer);
      if (finished !== undefined) {
        Promise.resolve(save(finished, request)).catch(() => {});
      }
    };
    const response = await respond(
      c,
      chat,
      { format: "openai_responses", request },
      "openai_responses",
      stop,
      seen,
    );
    const ignored = c.var.meta?.ignoredTools;
    if (ignored !== undefined && ignored.length > 0) {
      response.headers.set(IGNORED_TOOLS_HEADER, ignored.join(","));
    }
    return response;
  });
}

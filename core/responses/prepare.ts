/**
 * The preparation of a Responses request, shared by `POST /v1/responses` and tRPC
 * `responses.*`: validation, the stored-history seam (`previous_response_id`) and the check that
 * every `function_call_output` answers a `function_call` of the whole conversation.
 */
import { GatewayError } from "../errors.ts";
import {
  checkCallIds,
  inputItems,
  type ResponsesRequest,
  responsesRequestSchema,
} from "../formats/openai_responses/schema.ts";
import type { ResponseObject } from "../formats/openai_responses/wire.ts";
import { parseWith } from "../formats/validate.ts";

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
  /** Keeps a finished Response (completed, incomplete or failed) with the request it answers
   * (as `prepare` returned it); awaited before the JSON answer, or the stream's terminal event,
   * goes out, so a client's next request can continue it at once. */
  save?(response: ResponseObject, request: ResponsesRequest): Promise<void>;
}

/** The 404 for a `previous_response_id` the gateway cannot resolve: unknown, deleted, expired
 * or never stored. */
export function previousResponseNotFound(id: string): GatewayError {
  return new GatewayError(
    "not_found",
    `Previous response with id '${id}' not found. It may have been deleted, have expired ` +
      `(stored responses are kept RESPONSES_TTL_DAYS days) or have been created with store: false.`,
    { code: "previous_response_not_found", param: "previous_response_id" },
  );
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
  const request = parseWith(responsesRequestSchema, body) as ResponsesRequest;
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

/**
 * The finished Response an answer is, or a stream event carries (`response.completed`,
 * `.incomplete`, `.failed`); undefined for anything else.
 *
 * @example
 * finishedResponse({ type: "response.completed", response: r }); // r
 * finishedResponse({ type: "response.output_text.delta", delta: "Hi" }); // undefined
 */
export function finishedResponse(answer: unknown): ResponseObject | undefined {
  const value = answer as { object?: unknown; type?: unknown; response?: unknown } | null;
  if (value?.object === "response") return value as ResponseObject;
  if (typeof value?.type === "string" && TERMINAL.has(value.type)) {
    return value.response as ResponseObject;
  }
  return undefined;
}

/**
 * A watcher of `request`'s answer on its way out that saves it once it is a finished Response
 * (the promise to await before that answer goes out); undefined when nothing is stored.
 */
export function saverOf(
  hooks: ResponsesHooks,
  request: ResponsesRequest,
): ((answer: unknown) => Promise<void> | undefined) | undefined {
  const save = hooks.save;
  if (save === undefined) return undefined;
  return (answer) => {
    const finished = finishedResponse(answer);
    return finished === undefined ? undefined : save(finished, request);
  };
}

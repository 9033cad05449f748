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

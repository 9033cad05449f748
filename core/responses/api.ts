/**
 * The stored-response operations both transports serve (HTTP `GET`/`DELETE /v1/responses/{id}`
 * and `GET /v1/responses/{id}/input_items`, tRPC `responses.get`): OpenAI's shapes, and 404s in
 * OpenAI's terms for ids that are unknown, deleted or expired.
 */
import { GatewayError } from "../errors.ts";
import { type PagingQuery, parsePaging } from "../list_query.ts";
import { fromStore } from "../store/errors.ts";
import type { JsonObject, ResponseRepository } from "../store/store.ts";
import { historyOf } from "./conversation.ts";
import { type ItemList, pageOf } from "./input_items.ts";

/** The largest input-items page (OpenAI's limit) and the default one. */
export const INPUT_ITEMS_PAGE = { max: 100, fallback: 20 } as const;

/** OpenAI's deletion result for a response. */
export interface DeletedResponse {
  id: string;
  object: "response";
  deleted: true;
}

const unix = (now: () => Date) => Math.floor(now().getTime() / 1000);

function missing(id: string): GatewayError {
  return new GatewayError("not_found", `Response with id '${id}' not found.`, {
    code: "response_not_found",
    param: "response_id",
  });
}

/** A stored Response object, as the client first got it. */
export async function getStoredResponse(
  responses: ResponseRepository,
  id: string,
  now: () => Date,
): Promise<JsonObject> {
  const record = await fromStore(responses.get(id, unix(now)));
  if (record === undefined) throw missing(id);
  return record.response;
}

/** Deletes a stored response (later reads and continuations of it are 404s). */
export async function deleteStoredResponse(
  responses: ResponseRepository,
  id: string,
  now: () => Date,
): Promise<DeletedResponse> {
  if (!await fromStore(responses.delete(id, unix(now)))) throw missing(id);
  return { id, object: "response", deleted: true };
}

/**
 * One page of the items used to generate a stored response — the conversation before it and its
 * own input — newest first unless `order=asc`.
 */
export async function listInputItems(
  responses: ResponseRepository,
  id: string,
  query: PagingQuery,
  now: () => Date,
): Promise<ItemList> {
  const paging = parsePaging(query, INPUT_ITEMS_PAGE);
  const record = await fromStore(responses.get(id, unix(now)));
  if (record === undefined) throw missing(id);
  const items = historyOf({ ...record, response: {} });
  const page = pageOf(items, paging);
  if (page === undefined) {
    throw new GatewayError(
      "invalid_request",
      `after: no input item with id '${paging.after}' in response '${id}'.`,
      { param: "after" },
    );
  }
  return page;
}

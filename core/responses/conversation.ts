/**
 * Continuing a stored conversation (`previous_response_id`): the items a stored response stands
 * for, and the record a finished response is stored as. The gateway expands the conversation
 * itself, so a conversation started on one provider continues on any other.
 */
import { expiresAt } from "../store/retention.ts";
import type { JsonObject, StoredResponse } from "../store/store.ts";

/**
 * Every item of a stored conversation up to and including `record`'s answer, oldest first: its
 * context, its own input, its output.
 */
export function historyOf(record: StoredResponse): JsonObject[] {
  const output = Array.isArray(record.response.output)
    ? record.response.output as JsonObject[]
    : [];
  return [...record.context, ...record.inputItems, ...output];
}

/**
 * A stored item as the next request's input: the gateway's ids and item statuses are left out
 * (an upstream would try to look them up), everything the model needs is kept — a reasoning
 * item keeps its id, which the Responses API requires, and its `encrypted_content`.
 */
export function asInput(item: JsonObject): JsonObject {
  const { id, status: _status, ...rest } = item;
  return item.type === "reasoning" ? { id, ...rest } : rest;
}

/** What a finished response is stored with. */
export interface RecordParts {
  /** The Response object as the client got it. */
  response: JsonObject;
  /** This request's input, listed ({@link listedInput}). */
  inputItems: JsonObject[];
  /** The conversation before this request (the previous record's history), if any. */
  previous?: StoredResponse;
  /** Unix seconds. */
  now: number;
  ttlDays: number;
}

/**
 * The record of a finished response.
 *
 * @example
 * recordOf({ response, inputItems, now: 1_700_000_000, ttlDays: 30 }).expiresAt; // 1_702_592_000
 */
export function recordOf(parts: RecordParts): StoredResponse {
  const { response, previous } = parts;
  return {
    id: String(response.id),
    createdAt: typeof response.created_at === "number" ? response.created_at : parts.now,
    expiresAt: expiresAt(parts.now, parts.ttlDays),
    model: String(response.model),
    ...(previous ? { previousResponseId: previous.id } : {}),
    response,
    inputItems: parts.inputItems,
    context: previous ? historyOf(previous) : [],
  };
}

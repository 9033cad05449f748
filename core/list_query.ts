/**
 * The paging query of OpenAI's cursor lists (`limit`, `order`, `after`), validated the same way
 * for every list the gateway serves (files, a stored response's input items).
 */
import { GatewayError } from "./errors.ts";

/** A list query as a client sends it (strings from HTTP, typed values from tRPC). */
export interface PagingQuery {
  limit?: number | string;
  after?: string;
  order?: string;
}

/** A validated paging query. */
export interface Paging {
  limit: number;
  order: "asc" | "desc";
  after?: string;
}

/**
 * Validates `limit` (an integer 1…`max`, default `fallback`), `order` (`asc`|`desc`, default
 * `desc`) and `after` (dropped when empty); errors name the field.
 *
 * @example
 * parsePaging({ limit: "2", order: "asc" }, { max: 100, fallback: 20 }); // { limit: 2, order: "asc" }
 */
export function parsePaging(query: PagingQuery, range: { max: number; fallback: number }): Paging {
  const limit = query.limit === undefined || query.limit === ""
    ? range.fallback
    : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > range.max) {
    throw new GatewayError(
      "invalid_request",
      `limit must be an integer between 1 and ${range.max}.`,
      { param: "limit" },
    );
  }
  const order = query.order === undefined || query.order === "" ? "desc" : query.order;
  if (order !== "asc" && order !== "desc") {
    throw new GatewayError("invalid_request", "order must be 'asc' or 'desc'.", { param: "order" });
  }
  return {
    limit,
    order,
    ...(query.after !== undefined && query.after !== "" ? { after: query.after } : {}),
  };
}

/**
 * A Responses request's `input` as the items OpenAI lists for it (`GET
 * /v1/responses/{id}/input_items`): a string becomes one user message, content strings become
 * parts, and every item gets an id. Pure; works on JSON so it does not depend on the format's
 * schema types.
 */
import type { JsonObject } from "../store/store.ts";

/** The id prefix of each input item type (others: `item_`). */
const ID_PREFIXES: Record<string, string> = {
  message: "msg_",
  function_call: "fc_",
  function_call_output: "fco_",
  reasoning: "rs_",
};

/** A message's string content as the list of parts OpenAI lists it as. */
function contentParts(role: unknown, content: unknown): unknown {
  if (typeof content !== "string") return content;
  return [{ type: role === "assistant" ? "output_text" : "input_text", text: content }];
}

/**
 * The request's input as listed items, each with an id (kept when the client gave one).
 *
 * @example
 * listedInput("Hi", () => "msg_1");
 * // [{ id: "msg_1", type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] }]
 */
export function listedInput(
  input: string | readonly JsonObject[],
  newId: (prefix: string) => string,
): JsonObject[] {
  const items: readonly JsonObject[] = typeof input === "string"
    ? [{ type: "message", role: "user", content: input }]
    : input;
  return items.map((item) => {
    const type = typeof item.type === "string" ? item.type : "message";
    const listed: JsonObject = { ...item, type };
    if (type === "message") listed.content = contentParts(item.role, item.content);
    if (typeof item.id !== "string") listed.id = newId(ID_PREFIXES[type] ?? "item_");
    return { id: listed.id, ...listed };
  });
}

/** The query of an input-items listing, validated. */
export interface ItemsPage {
  after?: string;
  limit: number;
  order: "asc" | "desc";
}

/** An OpenAI list of items. */
export interface ItemList {
  object: "list";
  data: JsonObject[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/**
 * One page of `items` (given oldest first) in OpenAI's list shape; undefined when `after` names
 * no item.
 *
 * @example
 * pageOf([{ id: "a" }, { id: "b" }], { limit: 1, order: "asc" });
 * // { object: "list", data: [{ id: "a" }], first_id: "a", last_id: "a", has_more: true }
 */
export function pageOf(items: readonly JsonObject[], page: ItemsPage): ItemList | undefined {
  const ordered = page.order === "asc" ? items : [...items].reverse();
  let start = 0;
  if (page.after !== undefined) {
    const at = ordered.findIndex((item) => item.id === page.after);
    if (at < 0) return undefined;
    start = at + 1;
  }
  const data = ordered.slice(start, start + page.limit);
  return {
    object: "list",
    data,
    first_id: (data[0]?.id as string | undefined) ?? null,
    last_id: (data.at(-1)?.id as string | undefined) ?? null,
    has_more: start + data.length < ordered.length,
  };
}

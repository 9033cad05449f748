/**
 * The model list in Anthropic's shape, for Anthropic clients (`anthropic-version` header) on
 * `GET /v1/models[/{id}]`: `{type:"model", id, display_name, created_at}` entries, paged with
 * `limit`, `after_id` and `before_id` as Anthropic pages them.
 */
import { GatewayError } from "../../errors.ts";
import type { ModelInfo } from "../openai/schema.ts";

/** One model as Anthropic's Models API describes it. */
export interface AnthropicModel {
  type: "model";
  id: string;
  display_name: string;
  /** RFC 3339 time. */
  created_at: string;
}

/** A page of models as Anthropic's Models API answers it. */
export interface AnthropicModelPage {
  data: AnthropicModel[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** Anthropic's paging parameters (query strings as received). */
export interface AnthropicPaging {
  limit?: string;
  after_id?: string;
  before_id?: string;
}

/**
 * A model entry in Anthropic's shape.
 *
 * @example
 * toAnthropicModel({ id: "mock-echo", object: "model", created: 0, owned_by: "mock" });
 * // { type: "model", id: "mock-echo", display_name: "mock-echo", created_at: "1970-01-01T00:00:00Z" }
 */
export function toAnthropicModel(model: ModelInfo): AnthropicModel {
  const seconds = Number.isFinite(model.created) ? model.created : 0;
  return {
    type: "model",
    id: model.id,
    display_name: model.id,
    created_at: new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"),
  };
}

function limitOf(value: string | undefined): number {
  if (value === undefined || value === "") return 20;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw new GatewayError("invalid_request", "limit: must be an integer from 1 to 1000.", {
      param: "limit",
    });
  }
  return n;
}

/**
 * One page of `models` in Anthropic's shape: the first `limit` (default 20) after `after_id`,
 * or the last `limit` before `before_id`.
 *
 * @example
 * toAnthropicModelPage(models, { limit: "2" }).has_more; // true when there are more than 2
 */
export function toAnthropicModelPage(
  models: ModelInfo[],
  paging: AnthropicPaging = {},
): AnthropicModelPage {
  const limit = limitOf(paging.limit);
  const indexOf = (id: string, param: string) => {
    const i = models.findIndex((m) => m.id === id);
    if (i === -1) {
      throw new GatewayError("invalid_request", `${param}: no model '${id}' in the list.`, {
        param,
      });
    }
    return i;
  };
  let start = 0;
  let end = models.length;
  if (paging.before_id !== undefined && paging.before_id !== "") {
    end = indexOf(paging.before_id, "before_id");
    start = Math.max(0, end - limit);
  } else {
    if (paging.after_id !== undefined && paging.after_id !== "") {
      start = indexOf(paging.after_id, "after_id") + 1;
    }
    end = Math.min(models.length, start + limit);
  }
  const data = models.slice(start, end).map(toAnthropicModel);
  const hasMore = paging.before_id !== undefined && paging.before_id !== ""
    ? start > 0
    : end < models.length;
  return {
    data,
    has_more: hasMore,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  };
}

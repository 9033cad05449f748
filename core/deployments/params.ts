/**
 * A deployment's `params` applied to a canonical request: a field the request leaves out takes
 * the deployment's value; the token limit is also a cap (`max_completion_tokens`, or the
 * deprecated `max_tokens` when the request uses it, is lowered to the deployment's
 * `max_tokens`).
 */
import type { ChatRequest } from "../formats/openai/schema.ts";
import type { DeploymentParams } from "./schema.ts";

const DEFAULTS = [
  "temperature",
  "top_p",
  "presence_penalty",
  "frequency_penalty",
  "seed",
  "stop",
  "reasoning_effort",
] as const;

/**
 * The request with `params` applied (a new object; the request is not changed).
 *
 * @example
 * applyParams({ model: "m", messages, max_tokens: 9000 }, { max_tokens: 1024, temperature: 0 });
 * // { model: "m", messages, max_tokens: 1024, temperature: 0 }
 */
export function applyParams(request: ChatRequest, params: DeploymentParams): ChatRequest {
  const out: ChatRequest = { ...request };
  for (const key of DEFAULTS) {
    if (params[key] !== undefined && out[key] == null) {
      (out as Record<string, unknown>)[key] = params[key];
    }
  }
  const cap = params.max_tokens;
  if (cap !== undefined) {
    if (out.max_completion_tokens != null) {
      out.max_completion_tokens = Math.min(out.max_completion_tokens, cap);
    } else if (out.max_tokens != null) out.max_tokens = Math.min(out.max_tokens, cap);
    else out.max_completion_tokens = cap;
  }
  return out;
}

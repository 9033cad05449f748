/**
 * The body the Anthropic Messages API takes, from a Claude-format body (native or converted
 * from the canonical hub): fields only Bedrock or the gateway read are removed
 * (`anthropic_version` — a header on the Anthropic API —, `model`, `stream`, `file_ids`), and
 * `anthropic_beta` becomes the `anthropic-beta` header. Pure.
 */

/** Fields removed before a Claude body goes to the Anthropic API (the model and the stream
 * flag are set by the call). */
export const NON_ANTHROPIC_FIELDS = [
  "anthropic_version",
  "anthropic_beta",
  "model",
  "stream",
  "file_ids",
] as const;

/** A Messages API call: the body without routing fields, and the headers it needs. */
export interface AnthropicCall {
  body: Record<string, unknown>;
  /** `anthropic-beta` (comma-separated) when the body asked for betas. */
  headers: Record<string, string>;
}

/**
 * Splits a Claude body into the Messages API body and its per-request headers.
 *
 * @example
 * anthropicCall({ anthropic_version: "bedrock-2023-05-31", anthropic_beta: ["a", "b"],
 *   max_tokens: 5, messages: [] });
 * // { body: { max_tokens: 5, messages: [] }, headers: { "anthropic-beta": "a,b" } }
 */
export function anthropicCall(claude: Record<string, unknown>): AnthropicCall {
  const body: Record<string, unknown> = { ...claude };
  for (const field of NON_ANTHROPIC_FIELDS) delete body[field];
  const betas = Array.isArray(claude.anthropic_beta)
    ? claude.anthropic_beta.filter((b): b is string => typeof b === "string" && b !== "")
    : [];
  return { body, headers: betas.length > 0 ? { "anthropic-beta": betas.join(",") } : {} };
}

/** Fields of a Messages body that `POST /v1/messages/count_tokens` takes. */
const COUNT_FIELDS = [
  "messages",
  "system",
  "tools",
  "tool_choice",
  "thinking",
  "mcp_servers",
  "context_management",
  "output_config",
] as const;

/**
 * The count-tokens body of a Messages body (no `max_tokens`, sampling or metadata fields).
 *
 * @example
 * countTokensBody({ max_tokens: 5, temperature: 0, messages: [] }); // { messages: [] }
 */
export function countTokensBody(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of COUNT_FIELDS) if (body[field] !== undefined) out[field] = body[field];
  return out;
}

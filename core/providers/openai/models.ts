/**
 * OpenAI models the gateway lists when the upstream's list is unavailable.
 */
import type { ModelInfo } from "../../formats/openai/schema.ts";

/** Well-known chat and embedding models (ids only; `created` is a fixed placeholder). */
export const KNOWN_OPENAI_MODELS: readonly string[] = [
  "gpt-5",
  "gpt-5-mini",
  "gpt-5-nano",
  "gpt-4.1",
  "gpt-4.1-mini",
  "gpt-4.1-nano",
  "gpt-4o",
  "gpt-4o-mini",
  "o3",
  "o3-mini",
  "o4-mini",
  "text-embedding-3-small",
  "text-embedding-3-large",
  "text-embedding-ada-002",
];

/** The known list as model entries, owned by instance `owner`. */
export function knownOpenAIModels(owner = "openai"): ModelInfo[] {
  return KNOWN_OPENAI_MODELS.map((id) => ({ id, object: "model", created: 0, owned_by: owner }));
}

/** OpenAI model families without reasoning (they reject `reasoning_effort`). */
const NON_REASONING = /^(gpt-4|gpt-3\.5|chatgpt-4o)/;

/**
 * True when `model` is a known OpenAI family that rejects `reasoning_effort` (GPT-4o, GPT-4.1,
 * GPT-3.5…); other ids (o-series, GPT-5, OpenAI-compatible servers) may take it.
 *
 * @example
 * rejectsReasoningEffort("gpt-4o-mini"); // true
 * rejectsReasoningEffort("o3"); // false
 */
export function rejectsReasoningEffort(model: string): boolean {
  return NON_REASONING.test(model);
}

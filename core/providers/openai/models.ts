/**
 * OpenAI models the gateway lists when the upstream's list is unavailable.
 */
import type { ModelInfo } from "../../formats/openai.ts";

/** Well-known chat models (ids only; `created` is a fixed placeholder). */
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
];

/** The known list as model entries. */
export function knownOpenAIModels(): ModelInfo[] {
  return KNOWN_OPENAI_MODELS.map((id) => ({ id, object: "model", created: 0, owned_by: "openai" }));
}

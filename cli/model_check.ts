/**
 * `/model NAME` checks: is NAME among the gateway's models (or a Bedrock inference profile or
 * ARN of one, which the list does not enumerate), and if not, which listed ids are close to it.
 */
import { editDistance } from "../core/text/edit_distance.ts";

/** A regional or global inference-profile prefix (`us.`, `eu.`, `apac.`, `global.` …). */
const PROFILE_PREFIX = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\./;

/**
 * Whether `name` is served: listed, an inference profile of a listed id, or an ARN (which the
 * gateway passes on as it is).
 *
 * @example
 * isKnownModel("us.anthropic.claude-x", ["anthropic.claude-x"]); // true
 */
export function isKnownModel(name: string, ids: readonly string[]): boolean {
  if (ids.includes(name)) return true;
  if (name.startsWith("arn:")) return true;
  const base = name.replace(PROFILE_PREFIX, "");
  return base !== name && ids.includes(base);
}

/**
 * Up to `max` listed ids close to `name`: case-insensitive matches, ids containing it (or
 * contained in it, ignoring punctuation), small edit distances — closest first.
 *
 * @example
 * suggestModels("gpt4o", ["gpt-4o", "gpt-4o-mini", "mock-echo"]); // ["gpt-4o", "gpt-4o-mini"]
 */
export function suggestModels(name: string, ids: readonly string[], max = 3): string[] {
  const wanted = name.toLowerCase();
  const squash = (s: string) => s.replace(/[^a-z0-9]/g, "");
  const wantedSquashed = squash(wanted);
  const scored: Array<{ id: string; score: number }> = [];
  for (const id of ids) {
    const lower = id.toLowerCase();
    const squashed = squash(lower);
    const distance = editDistance(wanted, lower);
    let score: number | undefined;
    if (lower === wanted) score = 0;
    else if (distance <= Math.max(2, Math.floor(wanted.length / 3))) score = distance;
    else if (
      wantedSquashed.length >= 3 &&
      (squashed.includes(wantedSquashed) || wantedSquashed.includes(squashed))
    ) {
      score = 100 + Math.abs(lower.length - wanted.length);
    }
    if (score !== undefined) scored.push({ id, score });
  }
  return scored.sort((a, b) => a.score - b.score || a.id.localeCompare(b.id)).slice(0, max)
    .map((s) => s.id);
}

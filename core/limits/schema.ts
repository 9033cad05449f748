/**
 * The config file's `limits` section: rate limits per model, counted for every caller (static
 * and virtual keys alike), by the model id or alias exactly as clients ask for it.
 *
 * ```yaml
 * limits:
 *   models:
 *     smart: { rpm: 600, tpm: 200000 }
 *     gpt-4o-mini: { rpm: 100, max_parallel: 10 }
 * ```
 */
import { z } from "zod";
import type { Limits } from "./window.ts";

/** A whole number written as a number or as text (an interpolated `${VAR}` is text). */
const positiveInt = (what: string) =>
  z.union([
    z.number(),
    z.string().trim().regex(/^\d+$/, `${what} must be a whole number`).transform(Number),
  ]).pipe(z.number().int(`${what} must be a whole number`).min(1, `${what} must be at least 1`));

const FIELDS = ["rpm", "tpm", "max_parallel"];

/** One model's limits: at least one of `rpm`, `tpm`, `max_parallel` (an entry with an unknown
 * key is refused for that key alone: a typo is one problem, not two). */
const modelLimitsSchema = z.object({
  rpm: positiveInt("rpm").optional(),
  tpm: positiveInt("tpm").optional(),
  max_parallel: positiveInt("max_parallel").optional(),
}).strict().refine(
  (l) => FIELDS.some((field) => (l as Record<string, unknown>)[field] !== undefined),
  {
    message: "set at least one of rpm, tpm, max_parallel",
    when: (payload) => payload.issues.length === 0,
  },
);

/** The `limits` section. */
export const limitsSchema = z.object({
  models: z.record(z.string().trim().min(1), modelLimitsSchema).default({}),
}).strict();

/** Per-model limits as the gate takes them, by model id or alias. */
export type ModelLimits = Record<string, Limits>;

/** The validated section as the gate's per-model limits. */
export function modelLimitsOf(section: z.output<typeof limitsSchema>): ModelLimits {
  return Object.fromEntries(
    Object.entries(section.models).map(([model, l]) => [model, {
      ...(l.rpm === undefined ? {} : { rpm: l.rpm }),
      ...(l.tpm === undefined ? {} : { tpm: l.tpm }),
      ...(l.max_parallel === undefined ? {} : { maxParallel: l.max_parallel }),
    }]),
  );
}

/**
 * The `model` field every request format shares: a non-empty, well-formed Unicode string. A
 * lone surrogate can name no model, and Bedrock model ids travel in the URL path, where they
 * cannot be encoded at all (the SDK throws before sending), so such an id is a 400 naming
 * `model`, never an upstream failure.
 */
import { z } from "zod";

/**
 * The `model` schema of every format.
 *
 * @example
 * modelIdSchema.safeParse("anthropic.\ud83d").success; // false
 */
export const modelIdSchema = z.string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .refine((id) => id.isWellFormed(), {
    error: "must be well-formed Unicode (it contains a lone surrogate)",
  });

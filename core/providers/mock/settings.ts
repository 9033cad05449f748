/**
 * Settings of a `mock` instance (as in the config file): zod only.
 */
import { z } from "zod";

/** Settings of a `mock` instance. */
export const mockSettings = z.object({
  /** `MOCK_MODELS`: when false the instance serves nothing and `/health` says `disabled`. */
  enabled: z.boolean().default(true),
});

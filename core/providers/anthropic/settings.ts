/**
 * Settings of an `anthropic` instance (as in the config file): zod only, no SDK, so the config
 * file's checker loads none.
 */
import { z } from "zod";

/** The default `base_url`. */
export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";

/** The default `anthropic-version` header. */
export const ANTHROPIC_DEFAULT_VERSION = "2023-06-01";

const baseUrl = z.string().trim().refine(
  (url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol),
  { message: "must be an http(s) URL" },
).transform((url) => url.replace(/\/+$/, ""));

/** Settings of an `anthropic` instance. */
export const anthropicSettings = z.object({
  /** Sent as `x-api-key`. Without a key the instance is `not_configured` and answers 503. */
  api_key: z.string().min(1).optional(),
  base_url: baseUrl.default(ANTHROPIC_DEFAULT_BASE_URL),
  /** Extra headers sent with every request. */
  headers: z.record(z.string(), z.string()).default({}),
  /** The `anthropic-version` header. */
  anthropic_version: z.string().trim().min(1).default(ANTHROPIC_DEFAULT_VERSION),
});

/**
 * Settings of an `openai` instance (snake_case, as in the config file): zod only, no SDK, so
 * a config file can be checked (`deno task cli config validate`) without loading providers.
 */
import { z } from "zod";

/** The default `base_url`. */
export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

const baseUrl = z.string().trim().refine(
  (url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol),
  { message: "must be an http(s) URL" },
).transform((url) => url.replace(/\/+$/, ""));

/** Settings of an `openai` instance. */
export const openaiSettings = z.object({
  /** Without a key the instance is `not_configured` and answers 503. */
  api_key: z.string().min(1).optional(),
  base_url: baseUrl.default(OPENAI_DEFAULT_BASE_URL),
  /** Sent as `OpenAI-Organization`. */
  organization: z.string().min(1).optional(),
  /** Sent as `OpenAI-Project`. */
  project: z.string().min(1).optional(),
  /** Whether the upstream speaks the Responses API (`POST /responses`): Responses requests then
   * go to it as they are. `auto`: when the base URL is api.openai.com. */
  responses_api: z.union([z.boolean(), z.enum(["auto", "true", "false"])]).default("auto"),
});

/**
 * Settings of an `openai` instance (snake_case, as in the config file): zod only, no SDK, so
 * a config file can be checked (`deno task cli config validate`) without loading providers.
 */
import { z } from "zod";

/** The default `base_url`. */
export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

/** An http(s) URL, trailing slashes removed. */
export const httpUrl = z.string().trim().refine(
  (url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol),
  { message: "must be an http(s) URL" },
).transform((url) => url.replace(/\/+$/, ""));

/**
 * Extra HTTP headers for every upstream request, names lower-cased. The headers that carry the
 * key are refused (`reserved`, lower-case): the key has its own setting, named in the message.
 *
 * @example
 * extraHeaders({ authorization: "api_key" }).parse({ "X-Team": "a" }); // { "x-team": "a" }
 */
export function extraHeaders(reserved: Record<string, string>) {
  return z.record(z.string().trim().min(1), z.string())
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        const setting = reserved[name.toLowerCase()];
        if (setting !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [name],
            message: `the ${name} header carries the key: put it in ${setting} instead`,
          });
        }
      }
    })
    .transform((headers) =>
      Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
      )
    );
}

/** Settings of an `openai` instance. */
export const openaiSettings = z.object({
  /** Without a key the instance is `not_configured` and answers 503. */
  api_key: z.string().min(1).optional(),
  base_url: httpUrl.default(OPENAI_DEFAULT_BASE_URL),
  /** Sent as `OpenAI-Organization`. */
  organization: z.string().min(1).optional(),
  /** Sent as `OpenAI-Project`. */
  project: z.string().min(1).optional(),
  /** Whether the upstream speaks the Responses API (`POST /responses`): Responses requests then
   * go to it as they are. `auto`: when the base URL is api.openai.com. */
  responses_api: z.union([z.boolean(), z.enum(["auto", "true", "false"])]).default("auto"),
  /** Extra headers sent with every upstream request (chat, Responses, embeddings, models). */
  headers: extraHeaders({ authorization: "api_key" }).default({}),
  /** The model ids the upstream serves: then the model list is exactly these (no upstream
   * call); without it, the upstream's `GET /models`. */
  models: z.array(z.string().trim().min(1)).optional(),
});

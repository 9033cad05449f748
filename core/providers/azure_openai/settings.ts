/**
 * Settings of an `azure_openai` instance (snake_case, as in the config file): zod only, no SDK,
 * so a config file can be checked without loading providers.
 */
import { z } from "zod";
import { extraHeaders, httpUrl } from "../openai/settings.ts";

/** The default `api_version`: the current GA data-plane version of Azure OpenAI. */
export const AZURE_DEFAULT_API_VERSION = "2024-10-21";

/** Azure deployment names: letters, digits, `_`, `.` and `-`. */
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const secret = z.string().min(1).optional();

/** Settings of an `azure_openai` instance. */
export const azureOpenAISettings = z.object({
  /** The resource's endpoint, e.g. `https://my-resource.openai.azure.com`. */
  endpoint: httpUrl,
  /** The `api-version` query parameter of every request. */
  api_version: z.string().trim().regex(/^[A-Za-z0-9._-]+$/, {
    message: "an api-version looks like 2024-10-21 or 2025-04-01-preview",
  }).default(AZURE_DEFAULT_API_VERSION),
  /** Sent as `api-key`. One of `api_key` and `azure_ad_token`; without either the instance is
   * `not_configured` and answers 503. */
  api_key: secret,
  /** A Microsoft Entra ID access token, sent as `Authorization: Bearer …`. */
  azure_ad_token: secret,
  /** Model id → deployment name; a model without an entry goes to the deployment of its own
   * name. The model list is these model ids. */
  deployments: z.record(
    z.string().trim().min(1),
    z.string().trim().regex(DEPLOYMENT_NAME, {
      message: "an Azure deployment name uses only letters, digits, '_', '.' and '-'",
    }),
  ).default({}),
  /** Extra headers sent with every request. */
  headers: extraHeaders({ authorization: "azure_ad_token", "api-key": "api_key" }).default({}),
}).refine((s) => s.api_key === undefined || s.azure_ad_token === undefined, {
  path: ["azure_ad_token"],
  message: "set api_key or azure_ad_token, not both",
});

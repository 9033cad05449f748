/**
 * The Azure OpenAI transport: the OpenAI provider's calls (`transport.ts`'s one fetch and SDK
 * error classes) under Azure's URL scheme, exactly as the `openai` package's `AzureOpenAI` client
 * builds it (a test compares the two against one fake): deployment-scoped calls (chat
 * completions, completions, embeddings) go to `{endpoint}/openai/deployments/{deployment}{path}`,
 * other calls to `{endpoint}/openai{path}`, each with `?api-version=…`; the key is sent as
 * `api-key`, an Entra ID token as `Authorization: Bearer …`. The deployment is the instance's
 * `deployments[model]`, else the model id itself; the body keeps the model id.
 */
import { createTransport, type OpenAITransport } from "../openai/transport.ts";

/** Where and how to call an Azure OpenAI resource. */
export interface AzureTransportOptions {
  /** `https://<resource>.openai.azure.com` (no trailing slash). */
  endpoint: string;
  apiVersion: string;
  /** Exactly one of `apiKey` and `adToken`. */
  credential: { apiKey: string } | { adToken: string };
  /** Model id → deployment name. */
  deployments: Record<string, string>;
  /** Extra headers (names lower-case; the credential header wins). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** The paths the `AzureOpenAI` client scopes to a deployment (those the gateway calls). */
const DEPLOYMENT_PATHS = new Set(["/completions", "/chat/completions", "/embeddings"]);

/** A path segment encoded as the SDK's `encodeURIPath` does; `.` and `..` cannot climb. */
function segment(name: string): string {
  const encoded = name.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@]+/g, encodeURIComponent);
  return /^\.{1,2}$/.test(encoded) ? encoded.replaceAll(".", "%2E") : encoded;
}

/**
 * The URL of a call, as `AzureOpenAI` builds it.
 *
 * @example
 * azureUrl("https://r.openai.azure.com", "2024-10-21", "/chat/completions", "prod-4o");
 * // "https://r.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21"
 */
export function azureUrl(
  endpoint: string,
  apiVersion: string,
  path: string,
  deployment: string | undefined,
): string {
  const scoped = deployment !== undefined && DEPLOYMENT_PATHS.has(path)
    ? `/deployments/${segment(deployment)}${path}`
    : path;
  return `${endpoint}/openai${scoped}?${new URLSearchParams({ "api-version": apiVersion })}`;
}

/**
 * Creates the transport.
 *
 * @example
 * const transport = createAzureTransport({
 *   endpoint: "https://r.openai.azure.com", apiVersion: "2024-10-21",
 *   credential: { apiKey: "…" }, deployments: { "gpt-4o": "prod-4o" },
 * });
 */
export function createAzureTransport(options: AzureTransportOptions): OpenAITransport {
  const { credential, deployments } = options;
  const auth: Record<string, string> = "apiKey" in credential
    ? { "api-key": credential.apiKey }
    : { authorization: `Bearer ${credential.adToken}` };
  const deploymentOf = (body: unknown) => {
    const model = (body as { model?: unknown } | undefined)?.model;
    if (typeof model !== "string") return undefined;
    return Object.hasOwn(deployments, model) ? deployments[model] : model;
  };
  return createTransport({
    urlOf: (path, body) => azureUrl(options.endpoint, options.apiVersion, path, deploymentOf(body)),
    headers: { ...options.headers, ...auth },
    fetch: options.fetch,
  });
}

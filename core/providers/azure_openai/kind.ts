/**
 * The `azure_openai` provider kind: an Azure OpenAI resource, one instance per resource. It is
 * the OpenAI provider (same-format relay, hub conversions, embeddings, errors) over Azure's
 * transport (`transport.ts`): a model id goes to its deployment (`deployments`), authenticated
 * with `api_key` or an Entra ID token. It claims no bare model ids (OpenAI's ids stay with the
 * `openai` kind): `<id>/<model>`, its listed models or an alias reach it. The Responses API is
 * off: Responses requests go through the hub as chat completions.
 */
import { defineProviderKind } from "../provider.ts";
import { createOpenAIProvider } from "../openai/openai_provider.ts";
import { azureOpenAISettings } from "./settings.ts";
import { createAzureTransport } from "./transport.ts";

export { AZURE_DEFAULT_API_VERSION, azureOpenAISettings } from "./settings.ts";

/** The `azure_openai` kind. */
export const azureOpenAIKind = defineProviderKind({
  name: "azure_openai",
  settings: azureOpenAISettings,
  patterns: [],
  create(id, settings, runtime) {
    const credential = settings.api_key !== undefined
      ? { apiKey: settings.api_key }
      : settings.azure_ad_token !== undefined
      ? { adToken: settings.azure_ad_token }
      : undefined;
    const transport = credential === undefined ? undefined : createAzureTransport({
      endpoint: settings.endpoint,
      apiVersion: settings.api_version,
      credential,
      deployments: settings.deployments,
      headers: settings.headers,
      fetch: runtime.fetch,
    });
    const provider = createOpenAIProvider({
      id,
      transport,
      logger: runtime.logger,
      retry: runtime.retry,
      maxResponseBytes: runtime.maxResponseBytes,
      responsesApi: false,
      models: Object.keys(settings.deployments),
      notConfiguredMessage:
        `The Azure OpenAI provider '${id}' has no credentials: set the instance's api_key or azure_ad_token.`,
    });
    const state = transport === undefined ? "not_configured" : "configured";
    return { provider, health: () => ({ state }) };
  },
});

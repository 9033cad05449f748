/**
 * Routing one request (chat, token counting, embeddings): the instance its model id goes to,
 * recorded for the access log, or the 503 for an instance that is not enabled.
 */
import { GatewayError } from "../errors.ts";
import type { ChatProvider, ProviderId } from "../providers/provider.ts";
import type { Providers } from "../providers/registry.ts";
import type { RequestMeta } from "./request_meta.ts";

/** Where a request goes. */
export interface Routed {
  provider: ChatProvider;
  /** The instance id (logs, metrics). */
  id: ProviderId;
  /** The provider-side model id (routing prefixes removed). */
  model: string;
}

/**
 * Routes `model` (404 `model_not_found` when nothing takes it), records the model and instance
 * in `meta`, and returns the enabled instance (503 `provider_not_configured` otherwise).
 *
 * @example
 * routeRequest(providers, "openai/gpt-4o", meta); // { provider, id: "openai", model: "gpt-4o" }
 */
export function routeRequest(
  providers: Providers,
  model: string,
  meta: RequestMeta | undefined,
): Routed {
  const found = providers.route(model);
  if (meta) {
    meta.model = model;
    meta.provider = found.provider;
  }
  const provider = providers.get(found.provider)?.provider;
  if (provider === undefined) {
    throw new GatewayError(
      "unavailable",
      `The provider '${found.provider}' is not enabled on this gateway.`,
      { code: "provider_not_configured" },
    );
  }
  return { provider, id: found.provider, model: found.model };
}

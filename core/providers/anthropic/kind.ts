/**
 * The `anthropic` provider kind: the Anthropic API directly, through the official
 * `@anthropic-ai/sdk`. It claims no model ids by pattern (`claude-…` ids are not taken from
 * other kinds): an instance is reached as `<id>/<model>`, e.g. `anthropic/claude-sonnet-4-5`.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { z } from "zod";
import { defineProviderKind } from "../provider.ts";
import { createAnthropicProvider } from "./anthropic_provider.ts";
import { boundedFetch } from "./bounded_fetch.ts";
import { anthropicSettings } from "./settings.ts";

export {
  ANTHROPIC_DEFAULT_BASE_URL,
  ANTHROPIC_DEFAULT_VERSION,
  anthropicSettings,
} from "./settings.ts";

/** Creates the SDK client of an instance: the key as `x-api-key` (no `Authorization`), the
 * configured version, no SDK retries (the gateway's policy retries), no telemetry or SDK logs. */
export function anthropicClient(
  settings: z.output<typeof anthropicSettings> & { api_key: string },
  timeout: number,
  fetchImpl?: typeof fetch,
): Anthropic {
  return new Anthropic({
    apiKey: settings.api_key,
    baseURL: settings.base_url,
    maxRetries: 0,
    // The gateway's deadline governs; an explicit timeout also keeps the SDK from refusing
    // large non-streamed `max_tokens` ("streaming is required").
    timeout,
    openTelemetry: false,
    logLevel: "off",
    ...(fetchImpl !== undefined ? { fetch: fetchImpl } : {}),
    defaultHeaders: {
      ...settings.headers,
      "x-api-key": settings.api_key,
      authorization: null,
      "anthropic-version": settings.anthropic_version,
    },
  });
}

/** The `anthropic` kind. */
export const anthropicKind = defineProviderKind({
  name: "anthropic",
  settings: anthropicSettings,
  patterns: [],
  create(id, settings, runtime) {
    const apiKey = settings.api_key;
    const client = apiKey === undefined ? undefined : anthropicClient(
      { ...settings, api_key: apiKey },
      runtime.retry.timeoutMs,
      boundedFetch(runtime.fetch ?? fetch, runtime.maxResponseBytes),
    );
    const provider = createAnthropicProvider({
      id,
      client,
      logger: runtime.logger,
      retry: runtime.retry,
    });
    const state = client === undefined ? "not_configured" : "configured";
    return { provider, health: () => ({ state }) };
  },
});

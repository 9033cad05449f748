/**
 * The `openai` provider kind: any OpenAI-compatible upstream (OpenAI, vLLM, Ollama, proxies),
 * one instance per upstream, each with its own `api_key` and `base_url`.
 */
import { defineProviderKind } from "../provider.ts";
import { createOpenAIProvider } from "./openai_provider.ts";
import { openaiSettings } from "./settings.ts";
import { createOpenAITransport } from "./transport.ts";
import { KNOWN_OPENAI_MODELS } from "./models.ts";

/** The model ids OpenAI instances claim (SPEC §3.3). */
export const OPENAI_MODEL_PATTERN = /^(gpt-|chatgpt-|o1|o3|o4|text-|ft:)/;

export { OPENAI_DEFAULT_BASE_URL, openaiSettings } from "./settings.ts";

/**
 * Whether an instance's upstream speaks the Responses API.
 *
 * @example
 * speaksResponses("auto", "https://api.openai.com/v1"); // true
 */
export function speaksResponses(setting: boolean | string, baseUrl: string): boolean {
  if (setting === true || setting === "true") return true;
  if (setting === false || setting === "false") return false;
  return new URL(baseUrl).hostname === "api.openai.com";
}

/**
 * The models listed when the upstream's `GET /models` fails: OpenAI's well-known models for
 * api.openai.com, none for any other server (listing OpenAI's models for a vLLM or Ollama would
 * make them look routable there).
 *
 * @example
 * fallbackModelsFor("http://127.0.0.1:11434/v1"); // []
 */
export function fallbackModelsFor(baseUrl: string): readonly string[] {
  return new URL(baseUrl).hostname === "api.openai.com" ? KNOWN_OPENAI_MODELS : [];
}

/** The `openai` kind. */
export const openaiKind = defineProviderKind({
  name: "openai",
  settings: openaiSettings,
  patterns: [OPENAI_MODEL_PATTERN],
  create(id, settings, runtime) {
    const transport = settings.api_key === undefined ? undefined : createOpenAITransport({
      apiKey: settings.api_key,
      baseURL: settings.base_url,
      organization: settings.organization,
      project: settings.project,
      headers: settings.headers,
      fetch: runtime.fetch,
    });
    const provider = createOpenAIProvider({
      id,
      transport,
      logger: runtime.logger,
      retry: runtime.retry,
      maxResponseBytes: runtime.maxResponseBytes,
      responsesApi: speaksResponses(settings.responses_api, settings.base_url),
      models: settings.models,
      fallbackModels: fallbackModelsFor(settings.base_url),
    });
    const state = transport === undefined ? "not_configured" : "configured";
    return { provider, health: () => ({ state }) };
  },
});

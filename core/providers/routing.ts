/**
 * Model id → provider routing (SPEC §3.3).
 */
import { GatewayError } from "../errors.ts";
import type { ProviderName } from "./provider.ts";

/** Where a request goes and the model id the provider sees. */
export interface Route {
  provider: ProviderName;
  model: string;
}

/** Routing settings from the config. */
export interface RoutingOptions {
  defaultProvider?: "openai" | "bedrock";
  mockModels: boolean;
}

const OPENAI_PATTERN = /^(gpt-|chatgpt-|o1|o3|o4|text-|ft:)/;
const BEDROCK_FAMILIES =
  "anthropic|amazon|meta|mistral|cohere|ai21|deepseek|qwen|writer|twelvelabs|stability";
const BEDROCK_PATTERN = new RegExp(
  `^(?:(?:us|us-gov|eu|apac|au|ca|jp|global)\\.)?(?:(?:${BEDROCK_FAMILIES})\\.|openai\\.gpt-oss)`,
);
const BEDROCK_ARN = /^arn:aws(?:-[a-z]+)*:bedrock:/;

/**
 * Resolves a model id to a provider, stripping `openai/` and `bedrock/` prefixes.
 *
 * @example
 * resolveRoute("us.anthropic.claude-sonnet-4-5", { mockModels: true }); // { provider: "bedrock", ... }
 */
export function resolveRoute(modelId: string, options: RoutingOptions): Route {
  if (modelId.startsWith("openai/")) return { provider: "openai", model: modelId.slice(7) };
  if (modelId.startsWith("bedrock/")) return { provider: "bedrock", model: modelId.slice(8) };
  if (modelId.startsWith("mock-") && options.mockModels) {
    return { provider: "mock", model: modelId };
  }
  if (OPENAI_PATTERN.test(modelId)) return { provider: "openai", model: modelId };
  if (BEDROCK_PATTERN.test(modelId) || BEDROCK_ARN.test(modelId)) {
    return { provider: "bedrock", model: modelId };
  }
  if (options.defaultProvider !== undefined) {
    return { provider: options.defaultProvider, model: modelId };
  }
  throw new GatewayError(
    "not_found",
    `The model '${modelId}' does not exist or is not routable by this gateway.`,
    { code: "model_not_found", param: "model" },
  );
}

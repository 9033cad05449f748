/**
 * Every provider kind's name and settings schema, without the kinds' SDKs: what the config file
 * loader needs to check a file, so `deno task cli config validate` loads no provider SDK. The
 * same kinds, in the same order, as `PROVIDER_KINDS` in registry.ts (a test keeps them equal).
 */
import { anthropicSettings } from "./anthropic/settings.ts";
import { azureOpenAISettings } from "./azure_openai/settings.ts";
import { bedrockSettings } from "./bedrock/settings.ts";
import { mockSettings } from "./mock/settings.ts";
import { openaiSettings } from "./openai/settings.ts";

/** Name and settings schema of every kind, in registration order. */
export const KIND_SETTINGS = [
  { name: "openai", settings: openaiSettings },
  { name: "bedrock", settings: bedrockSettings },
  { name: "anthropic", settings: anthropicSettings },
  { name: "azure_openai", settings: azureOpenAISettings },
  { name: "mock", settings: mockSettings },
] as const;

/**
 * The `mock` provider kind: the built-in deterministic `mock-*` models (no credentials).
 */
import { defineProviderKind } from "../provider.ts";
import { createMockProvider } from "./mock_provider.ts";
import { mockSettings } from "./settings.ts";

export { mockSettings } from "./settings.ts";

/** The `mock` kind. */
export const mockKind = defineProviderKind({
  name: "mock",
  settings: mockSettings,
  patterns: [/^mock-/],
  create(id, settings) {
    const state = settings.enabled ? "enabled" : "disabled";
    return {
      provider: createMockProvider(id),
      enabled: settings.enabled,
      health: () => ({ state }),
    };
  },
});

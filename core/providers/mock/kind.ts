/**
 * The `mock` provider kind: the built-in deterministic `mock-*` models (no credentials).
 */
import { z } from "zod";
import { defineProviderKind } from "../provider.ts";
import { createMockProvider } from "./mock_provider.ts";

/** Settings of a `mock` instance. */
export const mockSettings = z.object({
  /** `MOCK_MODELS`: when false the instance serves nothing and `/health` says `disabled`. */
  enabled: z.boolean().default(true),
});

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

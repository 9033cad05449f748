/**
 * The gateway the `anthropic` integration tests share: one `anthropic` instance on the fake
 * Anthropic API (plus the mock).
 */
import type { FakeAnthropic } from "../fakes/anthropic_upstream.ts";
import { type TestApp, testAppWithInstances } from "../helpers/app.ts";

/** The instance's API key (the fake requires it). */
export const KEY = "sk-ant-fake-secret-1234";

/** A gateway with one `anthropic` instance on the fake (plus the mock). */
export function anthropicGateway(
  fake: FakeAnthropic,
  settings: Record<string, unknown> = {},
  env: Record<string, string> = {},
): TestApp {
  return testAppWithInstances([
    {
      id: "anthropic",
      kind: "anthropic",
      settings: { api_key: KEY, base_url: fake.url, ...settings },
    },
    { id: "mock", kind: "mock" },
  ], env);
}

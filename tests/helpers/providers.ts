/**
 * Provider instances for unit tests: the runtime a kind's factory gets, offline (an empty
 * environment, no shared files, no retries), and the instance set today's environment
 * variables configure.
 *
 * @example
 * const providers = envProviders({ DEFAULT_PROVIDER: "openai" });
 * providers.route("llama3"); // { provider: "openai", model: "llama3" }
 */
import { envInstances } from "../../server/instances.ts";
import { parseConfig } from "../../core/config.ts";
import { createLogger, type Logger } from "../../core/logger.ts";
import { createGuardedFetch } from "../../core/net/guarded_fetch.ts";
import type { ProviderRuntime } from "../../core/providers/provider.ts";
import { createProviders, type Providers } from "../../core/providers/registry.ts";

/** A runtime with no credentials visible; `logger` defaults to a silent one. */
export function testRuntime(logger: Logger = createLogger("error", () => {})): ProviderRuntime {
  return {
    logger,
    retry: { maxRetries: 0, timeoutMs: 10_000 },
    maxResponseBytes: 1 << 20,
    fetchMedia: createGuardedFetch({ allowPrivate: true }),
    env: {},
    fileExists: () => false,
  };
}

/** The instances `main.ts` creates from `env` (over an empty environment). */
export function envProviders(env: Record<string, string> = {}): Providers {
  const config = parseConfig(env);
  return createProviders(envInstances(config), testRuntime(), {
    defaultProvider: config.defaultProvider,
  });
}

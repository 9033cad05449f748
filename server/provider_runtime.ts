/**
 * What every provider kind's factory gets from the process (`ProviderRuntime`): the retry
 * policy, response bounds, guarded media fetch, and the pooled `fetch` for HTTP upstreams — the
 * last created once per isolate, so reloads share its connections.
 */
import type { Config } from "../core/config.ts";
import type { Logger } from "../core/logger.ts";
import { createGuardedFetch } from "../core/net/guarded_fetch.ts";
import type { ProviderRuntime } from "../core/providers/provider.ts";
import { fileExists } from "./instances.ts";

/** `fetch` for OpenAI-compatible upstreams: idle pooled connections are closed after a few
 * seconds instead of Deno's 90, so a burst's connections (and their buffers) do not outlive it. */
export function upstreamFetch(): typeof fetch {
  let client: Deno.HttpClient | undefined;
  return (input, init) =>
    fetch(input, { ...init, client: client ??= Deno.createHttpClient({ poolIdleTimeout: 5_000 }) });
}

/** The gateway's one retry policy (core/providers/retry.ts), from the environment. */
export function retryPolicy(config: Config) {
  return { maxRetries: config.upstreamMaxRetries, timeoutMs: config.upstreamTimeoutMs };
}

/**
 * The runtime for a config's provider instances, with `fetch` for HTTP upstreams (default: a
 * new pooled one).
 */
export function providerRuntime(
  config: Config,
  logger: Logger,
  fetch: typeof globalThis.fetch = upstreamFetch(),
): ProviderRuntime {
  return {
    logger,
    retry: retryPolicy(config),
    maxResponseBytes: config.maxResponseBytes,
    fetchMedia: createGuardedFetch({ allowPrivate: config.allowPrivateImageUrls }),
    fetch,
    env: Deno.env.toObject(),
    fileExists,
  };
}

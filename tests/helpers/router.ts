/**
 * A router over provider instances for in-process tests (no aliases unless given; defaults as
 * the gateway's with `UPSTREAM_MAX_RETRIES=0`).
 */
import { createLogger } from "../../core/logger.ts";
import { createRouter, type Router, type RouterOptions } from "../../core/deployments/router.ts";
import { DEFAULT_ROUTER_CONFIG } from "../../core/deployments/schema.ts";
import { DeploymentStats } from "../../core/deployments/stats.ts";
import type { Providers } from "../../core/providers/registry.ts";

/**
 * The router the chat and embeddings services take, over `providers`.
 *
 * @example
 * const chat = createChatService({ router: testRouter(createProviders(specs)) });
 */
export function testRouter(providers: Providers, options: Partial<RouterOptions> = {}): Router {
  return createRouter({
    providers,
    settings: DEFAULT_ROUTER_CONFIG,
    stats: new DeploymentStats(),
    logger: createLogger("error", () => {}),
    timeoutMs: 600_000,
    retries: 0,
    ...options,
  });
}

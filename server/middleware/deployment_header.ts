/**
 * `x-gateway-deployment`: every answer routed to a provider names the deployment that served it
 * (`<provider>/<model>`; for an alias, the one its strategy picked or failed over to), or that
 * failed last.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../types.ts";

/** The response header naming the deployment. */
export const DEPLOYMENT_HEADER = "x-gateway-deployment";

/** Sets {@link DEPLOYMENT_HEADER} from the request's record once the handler answered. */
export function deploymentHeader(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const deployment = c.var.meta?.deployment;
    if (deployment === undefined) return;
    try {
      c.res.headers.set(DEPLOYMENT_HEADER, deployment);
    } catch {
      // An immutable response (none of the gateway's own): it goes out without the header.
    }
  };
}

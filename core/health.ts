/**
 * The health report shared by `GET /health` and the tRPC `health` procedure.
 */
import type { ProvidersHealth } from "./providers/registry.ts";
import type { CredentialState, ProviderState } from "./providers/provider.ts";
import { VERSION } from "./version.ts";

export type { ProviderState };

/** `{status, version, providers, credentials}` */
export interface HealthReport {
  status: "ok";
  version: string;
  /** Every provider instance's state, by instance id. */
  providers: Record<string, ProviderState>;
  /** Whether the credentials of instances that check them could be resolved (`configured`
   * only says a credential source is visible), by instance id. */
  credentials: Record<string, CredentialState>;
}

/**
 * Builds the report from the instances' health.
 *
 * @example
 * healthReport(providers.health()).status; // "ok"
 */
export function healthReport(
  instances: ProvidersHealth = { providers: {}, credentials: {} },
): HealthReport {
  return {
    status: "ok",
    version: VERSION,
    providers: instances.providers,
    credentials: instances.credentials,
  };
}

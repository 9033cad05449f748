/**
 * The health report shared by `GET /health` and the tRPC `health` procedure.
 */
import type { Config } from "./config.ts";
import type { CredentialState } from "./providers/bedrock/credentials.ts";
import { VERSION } from "./version.ts";

/** Per-provider state. */
export type ProviderState = "configured" | "not_configured" | "enabled" | "disabled";

/** `{status, version, providers}` */
export interface HealthReport {
  status: "ok";
  version: string;
  providers: { openai: ProviderState; bedrock: ProviderState; mock: ProviderState };
  /** Whether the credentials of a configured provider could be resolved (`configured` only
   * says a credential source is visible). */
  credentials: { bedrock: CredentialState };
}

/**
 * Builds the report from the config.
 *
 * @example
 * healthReport(config).status; // "ok"
 */
export function healthReport(
  config: Config,
  bedrockConfigured = false,
  bedrockCredentials: CredentialState = bedrockConfigured ? "checking" : "not_configured",
): HealthReport {
  return {
    status: "ok",
    version: VERSION,
    providers: {
      openai: config.openaiApiKey === undefined ? "not_configured" : "configured",
      bedrock: bedrockConfigured ? "configured" : "not_configured",
      mock: config.mockModels ? "enabled" : "disabled",
    },
    credentials: { bedrock: bedrockCredentials },
  };
}

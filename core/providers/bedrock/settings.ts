/**
 * Settings of a `bedrock` instance (snake_case, as in the config file): zod only, no SDK.
 */
import { z } from "zod";

const optional = z.string().trim().min(1).optional();

/** Settings of a `bedrock` instance. */
export const bedrockSettings = z.object({
  region: z.string().trim().min(1).default("us-east-1"),
  /** Role assumed on top of the default credential chain. */
  role_arn: optional,
  external_id: optional,
  role_session_name: optional,
});

/**
 * Settings of a `bedrock` instance (snake_case, as in the config file): zod only, no SDK.
 *
 * Credentials, first match wins: static keys (`access_key_id` + `secret_access_key`, optional
 * `session_token`) > a shared config/credentials `profile` > the SDK's default chain
 * (environment, `AWS_PROFILE`, SSO, web identity, container and instance roles). `role_arn` is
 * assumed on top of whichever it is.
 */
import { z } from "zod";

const optional = z.string().trim().min(1).optional();
const secret = z.string().min(1).optional();

/** Settings of a `bedrock` instance. */
export const bedrockSettings = z.object({
  region: z.string().trim().min(1).default("us-east-1"),
  /** A profile of the shared config/credentials files (instead of `AWS_PROFILE`). */
  profile: optional,
  /** Static keys, both or neither (then `session_token` may complete them). */
  access_key_id: optional,
  secret_access_key: secret,
  session_token: secret,
  /** A custom Bedrock runtime endpoint (a VPC endpoint, a proxy); default the region's. */
  endpoint: z.string().trim().refine(
    (url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol),
    { message: "must be an http(s) URL" },
  ).transform((url) => url.replace(/\/+$/, "")).optional(),
  /** Role assumed on top of the credentials above. */
  role_arn: optional,
  external_id: optional,
  role_session_name: optional,
}).superRefine((s, ctx) => {
  if ((s.access_key_id === undefined) !== (s.secret_access_key === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [s.access_key_id === undefined ? "access_key_id" : "secret_access_key"],
      message: "access_key_id and secret_access_key go together: set both, or neither",
    });
  }
  if (s.session_token !== undefined && s.access_key_id === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["session_token"],
      message: "session_token completes static keys: set access_key_id and secret_access_key too",
    });
  }
});

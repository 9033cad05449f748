/**
 * AWS credentials for Bedrock: an instance's static keys, else its shared-file profile, else the
 * SDK's default Node chain — plus an optional role assumed on top of whichever it is.
 *
 * - Static keys (`access_key_id`, `secret_access_key`, `session_token` settings) are used as they
 *   are.
 * - A `profile` setting is read with `fromIni({ profile })` from the shared files
 *   (`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`, else `~/.aws/`): that profile only, with
 *   no fallback to other sources (its `role_arn`/`source_profile`, `credential_process` and SSO
 *   entries are the SDK's).
 *
 * How each source of the default chain is honoured (AWS SDK for JavaScript v3, `@aws-sdk/client-bedrock-runtime`
 * 3.1164):
 * - Env keys, `AWS_PROFILE` and the shared files, SSO, web identity (`AWS_ROLE_ARN` +
 *   `AWS_WEB_IDENTITY_TOKEN_FILE`), ECS/EKS container credentials and the EC2 instance role come
 *   from `fromNodeProviderChain()`, which reads the process environment itself.
 * - `AWS_ROLE_ARN` without a web identity token file is assumed here with
 *   `fromTemporaryCredentials` (STS AssumeRole, optional `AWS_EXTERNAL_ID` and
 *   `AWS_ROLE_SESSION_NAME`) using the default chain as the base credentials. The runtime client
 *   memoizes the provider and refreshes it 5 minutes before `Expiration`, so STS is called once
 *   per session, not per request.
 * - `AWS_BEARER_TOKEN_BEDROCK` (Bedrock API keys) needs nothing from us: when it is set the
 *   client's `authSchemePreference` becomes `httpBearerAuth` and its token provider
 *   (`fromEnvSigningName({ signingName: "bedrock" })`) sends `Authorization: Bearer …`, so the
 *   SigV4 credentials below are never resolved.
 */
import {
  fromIni,
  fromNodeProviderChain,
  fromTemporaryCredentials,
} from "@aws-sdk/credential-providers";
import type { BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";

/** A credential provider accepted by the Bedrock clients. */
export type BedrockCredentialProvider = NonNullable<BedrockRuntimeClientConfig["credentials"]>;

/** What the credential provider needs from the environment (read by `main.ts`). */
export interface BedrockCredentialOptions {
  /** Region for STS when a role is assumed. */
  region: string;
  /** `AWS_ROLE_ARN`. */
  roleArn?: string;
  /** `AWS_EXTERNAL_ID`. */
  externalId?: string;
  /** `AWS_ROLE_SESSION_NAME`. */
  roleSessionName?: string;
  /** Whether `AWS_WEB_IDENTITY_TOKEN_FILE` is set (then the default chain assumes the role). */
  webIdentityTokenFile?: boolean;
  /** Static keys: used instead of any other source. */
  staticKeys?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A shared-file profile: used instead of the default chain. */
  profile?: string;
}

/**
 * Whether an instance names its own credential source (static keys or a profile), so it is
 * configured whatever the environment holds.
 *
 * @example
 * hasOwnCredentials({ region: "eu-west-1", profile: "prod" }); // true
 */
export function hasOwnCredentials(options: BedrockCredentialOptions): boolean {
  return options.staticKeys !== undefined || options.profile !== undefined;
}

/** Environment variables that indicate some credential source is present. */
const CREDENTIAL_HINTS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_PROFILE",
  "AWS_BEARER_TOKEN_BEDROCK",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_ROLE_ARN",
] as const;

/**
 * A cheap, synchronous guess at whether Bedrock credentials are available (for `/health`):
 * true when a credential variable is set or a shared credentials/config file exists. Instance
 * roles cannot be seen without a network call, so they are reported as not configured.
 *
 * @example
 * hasCredentialHints({ AWS_ACCESS_KEY_ID: "AKID…" }, () => false); // true
 */
export function hasCredentialHints(
  env: Record<string, string | undefined>,
  fileExists: (path: string) => boolean,
): boolean {
  if (CREDENTIAL_HINTS.some((name) => (env[name] ?? "").trim() !== "")) return true;
  const files = sharedFiles(env);
  return [files.credentials, files.config].some((path) => path !== undefined && fileExists(path));
}

/** The shared config and credentials files the SDK reads, from the environment. */
function sharedFiles(
  env: Record<string, string | undefined>,
): { config?: string; credentials?: string } {
  const home = env.HOME ?? env.USERPROFILE;
  return {
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ??
      (home === undefined ? undefined : `${home}/.aws/credentials`),
    config: env.AWS_CONFIG_FILE ?? (home === undefined ? undefined : `${home}/.aws/config`),
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A one-line problem when `AWS_PROFILE` names a profile that neither shared file defines (the
 * SDK would then fail every Bedrock request); undefined when it is unset or defined.
 * `readFile` answers undefined for a missing file.
 *
 * @example
 * missingProfile({ AWS_PROFILE: "prod", HOME: "/home/me" }, () => "[default]\n"); // "AWS_PROFILE 'prod' is not defined in …"
 */
export function missingProfile(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string | undefined,
): string | undefined {
  const profile = (env.AWS_PROFILE ?? "").trim();
  if (profile === "") return undefined;
  const files = sharedFiles(env);
  const name = escapeRegExp(profile);
  const inConfig = new RegExp(`^\\s*\\[\\s*(?:profile\\s+)?${name}\\s*\\]`, "m");
  const inCredentials = new RegExp(`^\\s*\\[\\s*${name}\\s*\\]`, "m");
  const config = files.config === undefined ? undefined : readFile(files.config);
  const credentials = files.credentials === undefined ? undefined : readFile(files.credentials);
  if (config !== undefined && inConfig.test(config)) return undefined;
  if (credentials !== undefined && inCredentials.test(credentials)) return undefined;
  const where = [files.config, files.credentials].filter((f) => f !== undefined).join(" or ");
  return `AWS_PROFILE '${profile}' is not defined in ${where || "any shared AWS file"}; ` +
    "Bedrock requests will fail until it is (or unset AWS_PROFILE)";
}

/** Whether Bedrock's credentials could be resolved, as `/health` reports it. */
export type { CredentialState } from "../provider.ts";

/**
 * Resolves the credentials once (bounded by `timeoutMs`), for `/health`: `resolved` when the
 * chain yields keys, else `unresolved`.
 *
 * @example
 * await checkCredentials(async () => ({ accessKeyId: "AKID", secretAccessKey: "s" })); // "resolved"
 */
export async function checkCredentials(
  provider: () => Promise<{ accessKeyId?: string }>,
  timeoutMs = 5_000,
): Promise<"resolved" | "unresolved"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const credentials = await Promise.race([
      provider(),
      new Promise<never>((_, reject) =>
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs)
      ),
    ]);
    return (credentials?.accessKeyId ?? "") !== "" ? "resolved" : "unresolved";
  } catch {
    return "unresolved";
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The credential provider handed to the Bedrock clients: static keys > profile > the default
 * chain, with `options.roleArn` assumed on top (unless the default chain's web identity already
 * assumes it).
 *
 * @example
 * const credentials = createBedrockCredentials({ region: "us-east-1" });
 * new BedrockRuntimeClient({ region: "us-east-1", credentials });
 */
export function createBedrockCredentials(
  options: BedrockCredentialOptions,
): BedrockCredentialProvider {
  const keys = options.staticKeys;
  const base: BedrockCredentialProvider = keys !== undefined
    ? () => Promise.resolve({ ...keys })
    : options.profile !== undefined
    ? fromIni({ profile: options.profile })
    : fromNodeProviderChain();
  if (options.roleArn === undefined) return base;
  if (options.webIdentityTokenFile === true && !hasOwnCredentials(options)) return base;
  return fromTemporaryCredentials({
    masterCredentials: base,
    params: {
      RoleArn: options.roleArn,
      RoleSessionName: options.roleSessionName ?? "llm-gateway",
      ...(options.externalId === undefined ? {} : { ExternalId: options.externalId }),
    },
    clientConfig: { region: options.region },
  });
}

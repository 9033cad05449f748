/**
 * Shared setup of the Bedrock integration tests: the local fake Bedrock, the AWS environment the
 * real SDK reads (endpoint overrides, static test keys, no instance metadata, no developer
 * profile), and the gateway built in process exactly as `main.ts` builds it. Disposing restores
 * the environment and closes the fake.
 *
 * @example
 * await using h = await bedrockGateway();
 * const res = await h.gw.post("/v1/chat/completions", chatBody("amazon.nova-pro-v1:0"));
 */
import type { Store } from "../../core/store/store.ts";
import { type TestApp, testApp } from "../helpers/app.ts";
import {
  type FakeBedrock,
  type FakeBedrockOptions,
  startFakeBedrock,
} from "../fakes/bedrock_runtime.ts";

/** The AWS environment every Bedrock test starts from (`undefined` removes a variable). */
export const AWS_TEST_ENV: Record<string, string | undefined> = {
  AWS_ACCESS_KEY_ID: "AKIDTEST",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_BEARER_TOKEN_BEDROCK: undefined,
  AWS_ROLE_ARN: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONFIG_FILE: "/nonexistent/aws/config",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws/credentials",
  AWS_REGION: "us-east-1",
};

/** Sets process environment variables (`undefined` deletes); returns a function restoring them. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.entries(vars).map(([key]) => [key, Deno.env.get(key)] as const);
  for (const [key, value] of Object.entries(vars)) {
    if (value === undefined) Deno.env.delete(key);
    else Deno.env.set(key, value);
  }
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) Deno.env.delete(key);
      else Deno.env.set(key, value);
    }
  };
}

/** A gateway wired to a fake Bedrock. */
export interface BedrockHarness extends AsyncDisposable {
  gw: TestApp;
  fake: FakeBedrock;
}

/**
 * Starts the fake, points the SDK at it and builds the gateway. `aws` overrides
 * {@link AWS_TEST_ENV} (process environment, read by the SDK); `env` is the gateway config.
 */
export function bedrockGateway(
  options: {
    aws?: Record<string, string | undefined>;
    env?: Record<string, string | undefined>;
    /** Options of the fake (e.g. a fallback reply). */
    fake?: FakeBedrockOptions;
    /** The gateway's state store (the test closes it). */
    store?: Store;
  } = {},
): BedrockHarness {
  const fake = startFakeBedrock(options.fake);
  const restore = setEnv({
    ...AWS_TEST_ENV,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
    AWS_ENDPOINT_URL_BEDROCK: fake.url,
    ...options.aws,
  });
  try {
    const gw = testApp(options.env, { store: options.store });
    return {
      gw,
      fake,
      async [Symbol.asyncDispose]() {
        restore();
        await fake.close();
      },
    };
  } catch (error) {
    restore();
    void fake.close();
    throw error;
  }
}

/** The Converse bodies the fake received for runtime operations. */
export function runtimeRequests(fake: FakeBedrock) {
  return fake.requests.filter((r) =>
    r.operation.startsWith("converse") || r.operation.startsWith("invoke")
  );
}

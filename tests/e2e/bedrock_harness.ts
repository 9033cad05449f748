/**
 * Shared setup of the Bedrock e2e tests: the spawned gateway (as `deno task start` runs it) whose
 * real `BedrockRuntimeClient` / `BedrockClient` talk to the local fake Bedrock
 * (`AWS_ENDPOINT_URL_BEDROCK_RUNTIME`, `AWS_ENDPOINT_URL_BEDROCK`) with static fake keys, a second
 * gateway allowing private image URLs, a local image server, the official `openai` client, and
 * the step-group runner each test file uses (its teardown checks no secret was logged).
 *
 * @example
 * const { group, run } = stepGroups();
 * group("JSON and streamed text", async (t) => {
 *   const { fake, client, take } = await setup();
 *   // t.step(...)
 * });
 * Deno.test("bedrock via openai SDK (spawned gateway, fake Bedrock)", run);
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import {
  type FakeBedrock,
  type RecordedRequest,
  type Reply,
  startFakeBedrock,
} from "../fakes/bedrock_runtime.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";
import { AWS_TEST_ENV } from "../integration/bedrock_harness.ts";

/** A Claude inference profile id and a Nova model id. */
export const CLAUDE = "us.anthropic.claude-sonnet-4-20250514-v1:0";
export const NOVA = "amazon.nova-pro-v1:0";
/** The secret key the gateways get; it must never appear in their output. */
export const SECRET = "fake-aws-secret-e2e";
export const USER = [{ role: "user" as const, content: "Say hello" }];
/** The bytes the image server returns: a PNG signature and the start of a header. */
export const PNG = new Uint8Array(
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 7, 7],
);

/** Converse request bodies as the fake received them (the fields the tests read). */
export interface ConverseBody {
  messages: Array<{ role: string; content: Array<Record<string, unknown>> }>;
  system?: Array<Record<string, unknown>>;
  inferenceConfig?: Record<string, unknown>;
  toolConfig?: {
    tools: Array<{ toolSpec: { name: string; description?: string; inputSchema: unknown } }>;
    toolChoice?: unknown;
  };
  additionalModelRequestFields?: Record<string, unknown>;
}

/** The chunk delta fields the gateway adds next to OpenAI's. */
export type ReasoningDelta = { reasoning_content?: string; reasoning_signature?: string };

/** A non-stream Converse reply the fake sends once. */
export function converseReply(
  content: unknown[],
  stopReason = "end_turn",
  usage: Record<string, number> = { inputTokens: 5, outputTokens: 3, totalTokens: 8 },
): Reply {
  return {
    kind: "json",
    body: { output: { message: { role: "assistant", content } }, stopReason, usage },
  };
}

function imageServer() {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    hits.push(new URL(req.url).pathname);
    return new Response(PNG, { headers: { "content-type": "image/png" } });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, hits, close: () => server.shutdown() };
}

export interface Setup {
  fake: FakeBedrock;
  gw: SpawnedGateway;
  /** A second gateway with `ALLOW_PRIVATE_IMAGE_URLS=true`. */
  gwPrivate: SpawnedGateway;
  images: ReturnType<typeof imageServer>;
  client: OpenAI;
  /** Runtime requests received since the last call. */
  take(): RecordedRequest[];
}

let setupPromise: Promise<Setup> | undefined;

/** One fake, one image server and two gateways per test file, started on first use. */
export function setup(): Promise<Setup> {
  return setupPromise ??= (async () => {
    const fake = startFakeBedrock();
    fake.foundationModels = [
      {
        modelId: "anthropic.claude-sonnet-4-20250514-v1:0",
        inputModalities: ["TEXT", "IMAGE"],
        outputModalities: ["TEXT"],
        responseStreamingSupported: true,
        modelLifecycle: { status: "ACTIVE" },
      },
      {
        modelId: "amazon.nova-pro-v1:0",
        inputModalities: ["TEXT", "IMAGE"],
        outputModalities: ["TEXT"],
        responseStreamingSupported: true,
        modelLifecycle: { status: "ACTIVE" },
      },
      {
        modelId: "amazon.titan-embed-text-v2:0",
        inputModalities: ["TEXT"],
        outputModalities: ["EMBEDDING"],
        modelLifecycle: { status: "ACTIVE" },
      },
      {
        modelId: "anthropic.claude-v2",
        inputModalities: ["TEXT"],
        outputModalities: ["TEXT"],
        modelLifecycle: { status: "LEGACY" },
      },
    ];
    fake.inferenceProfiles = [
      { inferenceProfileId: CLAUDE, type: "SYSTEM_DEFINED", status: "ACTIVE" },
      {
        inferenceProfileId: "abc123",
        inferenceProfileArn:
          "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
        type: "APPLICATION",
        status: "ACTIVE",
      },
    ];
    const images = imageServer();
    const env = {
      ...AWS_TEST_ENV,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url,
      AWS_ENDPOINT_URL_BEDROCK: fake.url,
      UPSTREAM_MAX_RETRIES: "0",
    };
    const [gw, gwPrivate] = await Promise.all([
      spawnGateway(env),
      spawnGateway({ ...env, ALLOW_PRIVATE_IMAGE_URLS: "true" }),
    ]);
    const client = new OpenAI({ apiKey: "unused", baseURL: `${gw.url}/v1`, maxRetries: 0 });
    let seen = 0;
    const take = () => {
      const runtime = fake.requests.filter((r) =>
        r.operation.startsWith("converse") || r.operation.startsWith("invoke")
      );
      const fresh = runtime.slice(seen);
      seen = runtime.length;
      return fresh;
    };
    return { fake, gw, gwPrivate, images, client, take };
  })();
}

/** Stops the gateways, the image server and the fake; checks no secret was logged. */
async function teardown(): Promise<void> {
  if (setupPromise === undefined) return;
  const s = await setupPromise;
  setupPromise = undefined;
  await Promise.all([s.gw.stop(), s.gwPrivate.stop()]);
  await s.images.close();
  await s.fake.close();
  for (const gw of [s.gw, s.gwPrivate]) {
    assert.ok(!gw.stdout().includes(SECRET) && !gw.stderr().includes(SECRET), "secret logged");
  }
}

/** The Converse body the fake received. */
export const bodyOf = (r: RecordedRequest) => r.body as ConverseBody;

/** Groups of steps, each run as one step, in order, by the file's single `Deno.test`. */
export function stepGroups() {
  const groups: Array<[string, (t: Deno.TestContext) => Promise<void>]> = [];
  return {
    group: (name: string, fn: (t: Deno.TestContext) => Promise<void>) =>
      void groups.push([name, fn]),
    /** The test body: runs the groups, then tears everything down (also on failure). */
    run: async (t: Deno.TestContext) => {
      try {
        for (const [name, fn] of groups) await t.step(name, fn);
      } finally {
        await teardown();
      }
    },
  };
}

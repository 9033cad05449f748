/**
 * The Bedrock model lister: the real `@aws-sdk/client-bedrock` client against the local fake's
 * `GET /foundation-models` and `GET /inference-profiles`, caching, and the catalog fallback.
 */
import assert from "node:assert/strict";
import { BedrockClient } from "@aws-sdk/client-bedrock";
import { silentLogger } from "../../../core/logger.ts";
import { BEDROCK_CATALOG } from "../../../core/providers/bedrock/capabilities.ts";
import {
  catalogModels,
  createBedrockModelLister,
  describeBedrockModel,
} from "../../../core/providers/bedrock/models.ts";
import { startFakeBedrock } from "../../fakes/bedrock_runtime.ts";

const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };

function controlClient(endpoint: string): BedrockClient {
  return new BedrockClient({ region: "us-east-1", endpoint, credentials, maxAttempts: 1 });
}

Deno.test("lists chat foundation models and inference profiles, cached", async () => {
  const fake = startFakeBedrock();
  const client = controlClient(fake.url);
  try {
    fake.foundationModels = [
      {
        modelId: "anthropic.claude-3-haiku-20240307-v1:0",
        modelArn:
          "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        inputModalities: ["TEXT", "IMAGE"],
        outputModalities: ["TEXT"],
        responseStreamingSupported: true,
        modelLifecycle: { status: "ACTIVE" },
      },
      {
        modelId: "amazon.titan-embed-text-v2:0",
        modelArn: "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0",
        inputModalities: ["TEXT"],
        outputModalities: ["EMBEDDING"],
        modelLifecycle: { status: "ACTIVE" },
      },
      {
        modelId: "meta.llama2-13b-chat-v1",
        modelArn: "arn:aws:bedrock:us-east-1::foundation-model/meta.llama2-13b-chat-v1",
        inputModalities: ["TEXT"],
        outputModalities: ["TEXT"],
        responseStreamingSupported: true,
        modelLifecycle: { status: "LEGACY" },
      },
    ];
    fake.inferenceProfiles = [
      {
        inferenceProfileId: "us.anthropic.claude-sonnet-4-20250514-v1:0",
        inferenceProfileArn:
          "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0",
        inferenceProfileName: "US Claude Sonnet 4",
        models: [],
        status: "ACTIVE",
        type: "SYSTEM_DEFINED",
        createdAt: "2025-05-14T00:00:00Z",
      },
      {
        inferenceProfileId: "abc123",
        inferenceProfileArn:
          "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
        inferenceProfileName: "team-a",
        models: [],
        status: "ACTIVE",
        type: "APPLICATION",
      },
    ];
    let clock = 0;
    const list = createBedrockModelLister({
      client,
      logger: silentLogger,
      ttlMs: 1000,
      now: () => clock,
    });
    const models = await list();
    assert.deepEqual(models.map((m) => m.id), [
      "anthropic.claude-3-haiku-20240307-v1:0",
      "us.anthropic.claude-sonnet-4-20250514-v1:0",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
    ]);
    assert.ok(models.every((m) => m.owned_by === "bedrock" && m.object === "model"));
    assert.equal(models[1].created, Date.parse("2025-05-14T00:00:00Z") / 1000);

    const listing = fake.requests.find((r) => r.operation === "list-foundation-models");
    assert.ok(listing !== undefined);
    assert.match(listing.path, /^\/foundation-models$/);
    assert.equal(listing.accessKeyId, "AKIDTEST");

    await list();
    assert.equal(fake.requests.length, 2, "the second call is served from the cache");
    clock = 5000;
    await list();
    assert.equal(fake.requests.length, 4, "an expired cache lists again");
  } finally {
    client.destroy();
    await fake.close();
  }
});

Deno.test("falls back to the catalog when listing fails, and never throws", async () => {
  const fake = startFakeBedrock();
  await fake.close();
  const client = controlClient(fake.url); // nothing listens there any more
  try {
    const warnings: string[] = [];
    const list = createBedrockModelLister({
      client,
      logger: { ...silentLogger, warn: (msg) => warnings.push(msg) },
    });
    const models = await list();
    assert.deepEqual(models.map((m) => m.id), [...BEDROCK_CATALOG]);
    assert.equal(warnings.length, 1);
  } finally {
    client.destroy();
  }
});

Deno.test("without a control client the catalog is served", async () => {
  const models = await createBedrockModelLister({ client: undefined, logger: silentLogger })();
  assert.deepEqual(models, catalogModels());
  assert.ok(models.some((m) => m.id === "anthropic.claude-sonnet-4-5-20250929-v1:0"));
  assert.ok(models.every((m) => m.owned_by === "bedrock"));
});

Deno.test("describeBedrockModel: listed ids, profiles of listed models, ARNs", async (t) => {
  const listed = catalogModels();
  const base = "anthropic.claude-sonnet-4-5-20250929-v1:0";
  const rows: Array<[string, string, boolean]> = [
    ["a listed id", base, true],
    ["a system profile of a listed model", `us.${base}`, true],
    ["a global profile", `global.${base}`, true],
    ["a foundation-model ARN", `arn:aws:bedrock:us-east-1::foundation-model/${base}`, true],
    ["a profile ARN", `arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.${base}`, true],
    [
      "an application profile ARN",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc",
      true,
    ],
    ["a profile of an unknown model", "us.anthropic.claude-99", false],
    ["an unknown id", "anthropic.claude-99", false],
  ];
  for (const [name, id, known] of rows) {
    await t.step(name, () => {
      const model = describeBedrockModel(id, listed);
      if (!known) return assert.equal(model, undefined);
      assert.equal(model?.id, id);
      assert.equal(model?.owned_by, "bedrock");
    });
  }
});

/**
 * Routing of every Bedrock model family and id form (region / inference-profile prefixes, ARNs,
 * `bedrock/<id>`) through the gateway to the real `BedrockRuntimeClient` and the fake Converse
 * endpoint: the fake sees the provider-side model id, URL-encoded and SigV4-signed like the real
 * service expects; the client gets an OpenAI `chat.completion`.
 */
import assert from "node:assert/strict";
import { chatBody } from "../helpers/app.ts";
import { bedrockGateway, runtimeRequests } from "./bedrock_harness.ts";

/** [model id sent by the client, model id Bedrock must see] */
const ROUTES: Array<[string, string]> = [
  ["anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"],
  ["amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0"],
  ["amazon.titan-text-express-v1", "amazon.titan-text-express-v1"],
  ["meta.llama3-1-70b-instruct-v1:0", "meta.llama3-1-70b-instruct-v1:0"],
  ["mistral.mistral-large-2407-v1:0", "mistral.mistral-large-2407-v1:0"],
  ["cohere.command-r-plus-v1:0", "cohere.command-r-plus-v1:0"],
  ["ai21.jamba-1-5-large-v1:0", "ai21.jamba-1-5-large-v1:0"],
  ["deepseek.r1-v1:0", "deepseek.r1-v1:0"],
  ["qwen.qwen3-32b-v1:0", "qwen.qwen3-32b-v1:0"],
  ["writer.palmyra-x5-v1:0", "writer.palmyra-x5-v1:0"],
  ["openai.gpt-oss-120b-1:0", "openai.gpt-oss-120b-1:0"],
  ["us.anthropic.claude-sonnet-4-20250514-v1:0", "us.anthropic.claude-sonnet-4-20250514-v1:0"],
  [
    "us-gov.anthropic.claude-3-haiku-20240307-v1:0",
    "us-gov.anthropic.claude-3-haiku-20240307-v1:0",
  ],
  ["eu.amazon.nova-lite-v1:0", "eu.amazon.nova-lite-v1:0"],
  [
    "apac.anthropic.claude-3-5-sonnet-20241022-v2:0",
    "apac.anthropic.claude-3-5-sonnet-20241022-v2:0",
  ],
  ["au.anthropic.claude-sonnet-4-5-20250929-v1:0", "au.anthropic.claude-sonnet-4-5-20250929-v1:0"],
  ["ca.amazon.nova-micro-v1:0", "ca.amazon.nova-micro-v1:0"],
  ["jp.anthropic.claude-haiku-4-5-20251001-v1:0", "jp.anthropic.claude-haiku-4-5-20251001-v1:0"],
  [
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
  ],
  ["us.meta.llama4-scout-17b-instruct-v1:0", "us.meta.llama4-scout-17b-instruct-v1:0"],
  [
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5",
    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5",
  ],
  [
    "arn:aws:bedrock:eu-west-1::foundation-model/mistral.mistral-large-2407-v1:0",
    "arn:aws:bedrock:eu-west-1::foundation-model/mistral.mistral-large-2407-v1:0",
  ],
  ["bedrock/anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307-v1:0"],
  ["bedrock/my-custom-imported-model", "my-custom-imported-model"],
];

Deno.test("every Bedrock family and id form routes to Converse with the right model id", async (t) => {
  await using h = bedrockGateway();
  for (const [clientModel, bedrockModel] of ROUTES) {
    await t.step(clientModel, async () => {
      const before = runtimeRequests(h.fake).length;
      const res = await h.gw.post("/v1/chat/completions", chatBody(clientModel, "Hi there"));
      assert.equal(res.status, 200, await res.clone().text());
      const body = await res.json();
      assert.equal(body.object, "chat.completion");
      assert.equal(body.choices[0].message.content, `Hello from ${bedrockModel}`);
      assert.equal(body.choices[0].finish_reason, "stop");

      const received = runtimeRequests(h.fake).slice(before);
      assert.equal(received.length, 1);
      const [req] = received;
      assert.equal(req.operation, "converse");
      assert.equal(req.modelId, bedrockModel);
      assert.equal(req.path, `/model/${encodeURIComponent(bedrockModel)}/converse`);
      assert.equal(req.accessKeyId, "AKIDTEST");
      assert.match(
        req.headers.authorization,
        /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=.*x-amz-date.*, Signature=[0-9a-f]{64}$/,
      );
      const converse = req.body as { messages: unknown; inferenceConfig?: { maxTokens?: number } };
      assert.deepEqual(converse.messages, [{ role: "user", content: [{ text: "Hi there" }] }]);
      assert.equal(typeof converse.inferenceConfig?.maxTokens, "number");
    });
  }
});

Deno.test("ids of other providers never reach Bedrock", async () => {
  await using h = bedrockGateway();
  const res = await h.gw.post("/v1/chat/completions", chatBody("totally-unknown-model"));
  assert.equal(res.status, 404);
  assert.equal((await res.json()).error.code, "model_not_found");
  assert.equal(runtimeRequests(h.fake).length, 0);
});

Deno.test("/v1/models lists Bedrock models with owned_by bedrock", async () => {
  await using h = bedrockGateway();
  h.fake.foundationModels = [{
    modelId: "amazon.nova-pro-v1:0",
    modelArn: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0",
    inputModalities: ["TEXT", "IMAGE"],
    outputModalities: ["TEXT"],
    responseStreamingSupported: true,
    modelLifecycle: { status: "ACTIVE" },
  }];
  h.fake.inferenceProfiles = [{
    inferenceProfileId: "eu.amazon.nova-pro-v1:0",
    inferenceProfileArn: "arn:aws:bedrock:eu-west-1:1:inference-profile/eu.amazon.nova-pro-v1:0",
    inferenceProfileName: "EU Nova Pro",
    models: [],
    status: "ACTIVE",
    type: "SYSTEM_DEFINED",
  }];
  const res = await h.gw.get("/v1/models");
  assert.equal(res.status, 200);
  const list = await res.json();
  const bedrock = list.data.filter((m: { owned_by: string }) => m.owned_by === "bedrock");
  assert.deepEqual(bedrock.map((m: { id: string }) => m.id), [
    "amazon.nova-pro-v1:0",
    "eu.amazon.nova-pro-v1:0",
  ]);
  const one = await h.gw.get("/v1/models/eu.amazon.nova-pro-v1:0");
  assert.equal(one.status, 200);
  assert.equal((await one.json()).owned_by, "bedrock");
});

Deno.test("/health reports Bedrock as configured when credentials are visible", async () => {
  {
    await using h = bedrockGateway();
    const health = await (await h.gw.get("/health")).json();
    assert.equal(health.providers.bedrock, "configured");
  }
  {
    await using h = bedrockGateway({
      aws: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    const health = await (await h.gw.get("/health")).json();
    assert.equal(health.providers.bedrock, "not_configured");
  }
});

Deno.test("/health tells a visible credential source from credentials that resolve", async (t) => {
  const credentialsOf = async (h: { gw: { get(path: string): Promise<Response> } }) => {
    for (let i = 0; i < 100; i++) {
      const state = (await (await h.gw.get("/health")).json()).credentials.bedrock;
      if (state !== "checking") return state;
      await new Promise((r) => setTimeout(r, 20));
    }
    return "checking";
  };
  await t.step("static keys resolve", async () => {
    await using h = bedrockGateway();
    assert.equal(await credentialsOf(h), "resolved");
  });
  await t.step("a profile that no file defines is configured but unresolved", async () => {
    await using h = bedrockGateway({
      aws: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: "nope" },
    });
    const health = await (await h.gw.get("/health")).json();
    assert.equal(health.providers.bedrock, "configured");
    assert.equal(await credentialsOf(h), "unresolved");
  });
  await t.step("no source: not configured, nothing probed", async () => {
    await using h = bedrockGateway({
      aws: { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined },
    });
    assert.equal(await credentialsOf(h), "not_configured");
  });
});

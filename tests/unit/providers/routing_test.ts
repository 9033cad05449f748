import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { envProviders } from "../../helpers/providers.ts";

/** Routing as the instances from today's environment variables do it. */
const resolveRoute = (id: string, env: Record<string, string>) => envProviders(env).route(id);

const options = {};

Deno.test("resolveRoute: SPEC §3.3 table", async (t) => {
  const rows: Array<[string, string, string]> = [
    ["gpt-4o", "openai", "gpt-4o"],
    ["gpt-5-mini", "openai", "gpt-5-mini"],
    ["chatgpt-4o-latest", "openai", "chatgpt-4o-latest"],
    ["o1-preview", "openai", "o1-preview"],
    ["o3-mini", "openai", "o3-mini"],
    ["o4-mini", "openai", "o4-mini"],
    ["text-davinci-003", "openai", "text-davinci-003"],
    ["ft:gpt-4o-mini:org::abc", "openai", "ft:gpt-4o-mini:org::abc"],
    ["openai/my-local-model", "openai", "my-local-model"],
    [
      "anthropic.claude-3-5-sonnet-20240620-v1:0",
      "bedrock",
      "anthropic.claude-3-5-sonnet-20240620-v1:0",
    ],
    ["amazon.nova-pro-v1:0", "bedrock", "amazon.nova-pro-v1:0"],
    ["amazon.titan-text-express-v1", "bedrock", "amazon.titan-text-express-v1"],
    ["meta.llama3-70b-instruct-v1:0", "bedrock", "meta.llama3-70b-instruct-v1:0"],
    ["mistral.mistral-large-2402-v1:0", "bedrock", "mistral.mistral-large-2402-v1:0"],
    ["cohere.command-r-plus-v1:0", "bedrock", "cohere.command-r-plus-v1:0"],
    ["ai21.jamba-1-5-large-v1:0", "bedrock", "ai21.jamba-1-5-large-v1:0"],
    ["deepseek.r1-v1:0", "bedrock", "deepseek.r1-v1:0"],
    ["qwen.qwen3-32b-v1:0", "bedrock", "qwen.qwen3-32b-v1:0"],
    ["writer.palmyra-x5-v1:0", "bedrock", "writer.palmyra-x5-v1:0"],
    ["openai.gpt-oss-120b-1:0", "bedrock", "openai.gpt-oss-120b-1:0"],
    [
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "bedrock",
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ],
    [
      "us-gov.anthropic.claude-3-haiku-20240307-v1:0",
      "bedrock",
      "us-gov.anthropic.claude-3-haiku-20240307-v1:0",
    ],
    ["eu.amazon.nova-lite-v1:0", "bedrock", "eu.amazon.nova-lite-v1:0"],
    [
      "apac.anthropic.claude-3-5-sonnet-20240620-v1:0",
      "bedrock",
      "apac.anthropic.claude-3-5-sonnet-20240620-v1:0",
    ],
    [
      "au.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "bedrock",
      "au.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ],
    ["ca.amazon.nova-micro-v1:0", "bedrock", "ca.amazon.nova-micro-v1:0"],
    [
      "jp.anthropic.claude-haiku-4-5-20251001-v1:0",
      "bedrock",
      "jp.anthropic.claude-haiku-4-5-20251001-v1:0",
    ],
    [
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "bedrock",
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
    ],
    [
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
      "bedrock",
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
    ],
    ["bedrock/custom-imported-model", "bedrock", "custom-imported-model"],
    ["mock-echo", "mock", "mock-echo"],
  ];
  for (const [id, provider, model] of rows) {
    await t.step(id, () => assert.deepEqual(resolveRoute(id, options), { provider, model }));
  }
});

Deno.test("resolveRoute: unknown ids → model_not_found, or DEFAULT_PROVIDER", () => {
  for (const id of ["llama3", "claude-3-opus", "xx.anthropic.claude", "gpt4"]) {
    assert.throws(() => resolveRoute(id, options), (e: unknown) => {
      assert.ok(e instanceof GatewayError);
      assert.equal(e.kind, "not_found");
      assert.equal(e.code, "model_not_found");
      assert.equal(e.param, "model");
      return true;
    });
  }
  assert.deepEqual(resolveRoute("llama3", { DEFAULT_PROVIDER: "openai" }), {
    provider: "openai",
    model: "llama3",
  });
});

Deno.test("resolveRoute: MOCK_MODELS=false disables mock-*", () => {
  assert.throws(() => resolveRoute("mock-echo", { MOCK_MODELS: "false" }), GatewayError);
  assert.deepEqual(
    resolveRoute("mock-echo", { MOCK_MODELS: "false", DEFAULT_PROVIDER: "bedrock" }),
    {
      provider: "bedrock",
      model: "mock-echo",
    },
  );
});

/**
 * The provider registry: the kinds, instance creation from specs (ids, kinds, settings checked
 * with clear errors), routing precedence (`<id>/` prefix, then patterns in registration order,
 * then DEFAULT_PROVIDER) and the health of an instance set.
 */
import assert from "node:assert/strict";
import { z } from "zod";
import { createChatService } from "../../../core/chat/service.ts";
import { testRouter } from "../../helpers/router.ts";
import type { RequestMeta } from "../../../core/chat/request_meta.ts";
import { ConfigError } from "../../../core/config.ts";
import { GatewayError } from "../../../core/errors.ts";
import { createMockProvider } from "../../../core/providers/mock/mock_provider.ts";
import { type ChatProvider, defineProviderKind } from "../../../core/providers/provider.ts";
import {
  createProviders,
  type InstanceSpec,
  PROVIDER_KINDS,
} from "../../../core/providers/registry.ts";
import { envProviders, testRuntime } from "../../helpers/providers.ts";

const runtime = testRuntime();

/** Asserts `run` throws a ConfigError whose message matches `pattern`. */
function assertConfigError(run: () => unknown, pattern: RegExp) {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof ConfigError, String(e));
    assert.match(e.message, /^Invalid configuration: /);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("registry: the built-in kinds, each with settings, patterns and a factory", () => {
  assert.deepEqual(PROVIDER_KINDS.map((k) => k.name), [
    "openai",
    "bedrock",
    "anthropic",
    "azure_openai",
    "mock",
  ]);
  const claimed = (model: string) =>
    PROVIDER_KINDS.filter((k) => k.patterns.some((p) => p.test(model))).map((k) => k.name);
  assert.deepEqual(claimed("gpt-4o"), ["openai"], "azure_openai claims no bare ids");
  assert.deepEqual(claimed("us.anthropic.claude-sonnet-4-5-20250929-v1:0"), ["bedrock"]);
  assert.deepEqual(claimed("arn:aws:bedrock:us-east-1:1:application-inference-profile/x"), [
    "bedrock",
  ]);
  assert.deepEqual(claimed("mock-echo"), ["mock"]);
  assert.deepEqual(claimed("llama3"), []);
  assert.deepEqual(claimed("claude-sonnet-4-5"), []);
});

Deno.test("registry: instances from specs, with their ids and kinds", () => {
  const providers = createProviders([
    { id: "openai", kind: "openai", settings: { api_key: "k" } },
    { id: "local", kind: "openai", settings: { base_url: "http://127.0.0.1:11434/v1/" } },
    { id: "aws-us", kind: "bedrock", settings: { region: "us-west-2" } },
    { id: "mock", kind: "mock" },
  ], runtime);
  assert.deepEqual(
    providers.instances.map((i) => [i.id, i.kind, i.provider.name, i.enabled]),
    [
      ["openai", "openai", "openai", true],
      ["local", "openai", "local", true],
      ["aws-us", "bedrock", "aws-us", true],
      ["mock", "mock", "mock", true],
    ],
  );
  assert.equal(providers.get("local")?.kind, "openai");
  assert.equal(providers.get("nope"), undefined);
});

Deno.test("registry: bad specs are rejected with a clear error", async (t) => {
  const rows: Array<{ name: string; specs: InstanceSpec[]; default?: string; error: RegExp }> = [
    {
      name: "duplicate id",
      specs: [{ id: "openai", kind: "openai" }, { id: "openai", kind: "mock" }],
      error: /provider id 'openai' is defined twice/,
    },
    {
      name: "unknown kind",
      specs: [{ id: "claude", kind: "vertex" }],
      error:
        /provider 'claude' has unknown kind 'vertex' \(known: openai, bedrock, anthropic, azure_openai, mock\)/,
    },
    {
      name: "id with a slash (the model prefix separator)",
      specs: [{ id: "a/b", kind: "mock" }],
      error: /provider id 'a\/b' must start with a letter or digit/,
    },
    {
      name: "empty id",
      specs: [{ id: "", kind: "mock" }],
      error: /provider id ''/,
    },
    {
      name: "invalid setting, named by its path",
      specs: [{ id: "local", kind: "openai", settings: { base_url: "ftp://x" } }],
      error: /providers\.local\.base_url: must be an http\(s\) URL/,
    },
    {
      name: "wrong setting type",
      specs: [{ id: "m", kind: "mock", settings: { enabled: "yes" } }],
      error: /providers\.m\.enabled: /,
    },
    {
      name: "DEFAULT_PROVIDER that is no instance",
      specs: [{ id: "mock", kind: "mock" }],
      default: "openai",
      error: /DEFAULT_PROVIDER 'openai' is not a configured provider \(mock\)/,
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () =>
      assertConfigError(
        () => createProviders(row.specs, runtime, { defaultProvider: row.default }),
        row.error,
      ));
  }
});

Deno.test("registry: routing precedence — <id>/ prefix, patterns in registration order, default", async (t) => {
  // Ready providers keep this offline; routing uses the kinds' patterns all the same.
  const spec = (id: string, kind: string): InstanceSpec => ({
    id,
    kind,
    provider: createMockProvider(id),
  });
  const two = createProviders([spec("openai", "openai"), spec("local", "openai")], undefined, {
    defaultProvider: "local",
  });
  const rows: Array<[string, string, string]> = [
    ["gpt-4o", "openai", "gpt-4o"], // both claim it: the first registered wins
    ["local/gpt-4o", "local", "gpt-4o"], // the prefix beats the pattern
    ["openai/llama3", "openai", "llama3"], // the prefix beats the default
    ["llama3", "local", "llama3"], // nothing claims it: the default
    ["meta-llama/Llama-3-8B", "local", "meta-llama/Llama-3-8B"], // not an instance: kept whole
  ];
  for (const [id, provider, model] of rows) {
    await t.step(id, () => assert.deepEqual(two.route(id), { provider, model }));
  }
  await t.step("registration order decides between patterns", () => {
    const reversed = createProviders([spec("local", "openai"), spec("openai", "openai")]);
    assert.deepEqual(reversed.route("gpt-4o"), { provider: "local", model: "gpt-4o" });
  });
  await t.step("without a default, an unclaimed id is 404 model_not_found", () => {
    const none = createProviders([spec("openai", "openai")]);
    assert.equal(none.findRoute("llama3"), undefined);
    assert.throws(() => none.route("llama3"), (e: unknown) => {
      assert.ok(e instanceof GatewayError);
      assert.equal(e.code, "model_not_found");
      return true;
    });
  });
  await t.step("a disabled instance routes nothing, not even by prefix", () => {
    const off = createProviders(
      [{ id: "mock", kind: "mock", settings: { enabled: false } }],
      runtime,
    );
    assert.equal(off.findRoute("mock-echo"), undefined);
    assert.equal(off.findRoute("mock/mock-echo"), undefined);
    assert.equal(off.get("mock"), undefined);
    assert.equal(off.instances.length, 1);
  });
});

Deno.test("registry: health of an instance set, keyed by instance id in registration order", () => {
  const providers = createProviders([
    { id: "local", kind: "openai", settings: { base_url: "http://127.0.0.1:1/v1" } },
    { id: "cloud", kind: "openai", settings: { api_key: "k" } },
    { id: "aws-eu", kind: "bedrock", settings: { region: "eu-west-1" } },
    { id: "demo", kind: "mock", settings: { enabled: false } },
  ], runtime);
  const health = providers.health();
  assert.deepEqual(Object.entries(health.providers), [
    ["local", "not_configured"],
    ["cloud", "configured"],
    ["aws-eu", "not_configured"],
    ["demo", "disabled"],
  ]);
  assert.deepEqual(health.credentials, { "aws-eu": "not_configured" });
});

Deno.test("registry: today's environment gives today's /health shape", () => {
  assert.deepEqual(envProviders({ OPENAI_API_KEY: "k" }).health(), {
    providers: { openai: "configured", bedrock: "not_configured", mock: "enabled" },
    credentials: { bedrock: "not_configured" },
  });
  assert.deepEqual(envProviders({ MOCK_MODELS: "false" }).health().providers, {
    openai: "not_configured",
    bedrock: "not_configured",
    mock: "disabled",
  });
});

Deno.test("registry: models of two instances are both listed, each id routing back", async () => {
  const providers = createProviders([
    { id: "mock", kind: "mock" },
    { id: "demo", kind: "mock" },
  ], runtime);
  const models = await providers.listModels();
  assert.deepEqual(models.map((m) => [m.id, m.owned_by]), [
    ["mock-echo", "mock"],
    ["mock-slow", "mock"],
    ["mock-embed", "mock"],
    ["demo/mock-echo", "demo"],
    ["demo/mock-slow", "demo"],
    ["demo/mock-embed", "demo"],
  ]);
  for (const model of models) {
    assert.equal(providers.route(model.id).provider, model.owned_by, model.id);
  }
});

/** A kind defined outside the registry: what a new folder under core/providers/ would export. */
const cannedKind = defineProviderKind({
  name: "canned",
  settings: z.object({ reply: z.string().min(1) }),
  patterns: [/^canned-/],
  create(id, settings) {
    const provider: ChatProvider = {
      name: id,
      complete: (request, ctx) =>
        Promise.resolve({
          id: ctx.newId("chatcmpl-"),
          object: "chat.completion",
          created: 0,
          model: request.model,
          choices: [{
            index: 0,
            message: { role: "assistant", content: settings.reply, refusal: null },
            finish_reason: "stop",
            logprobs: null,
          }],
        }),
      stream: () => {
        throw new Error("not used here");
      },
      listModels: () =>
        Promise.resolve([{ id: "canned-1", object: "model", created: 0, owned_by: id }]),
    };
    return { provider, health: () => ({ state: "configured" }) };
  },
});

Deno.test("registry: a new kind is its definition plus one entry in the kinds list", async () => {
  const kinds = [...PROVIDER_KINDS, cannedKind];
  assertConfigError(
    () => createProviders([{ id: "c", kind: "canned", settings: {} }], runtime, { kinds }),
    /providers\.c\.reply: /,
  );
  const providers = createProviders(
    [
      { id: "mock", kind: "mock" },
      { id: "c", kind: "canned", settings: { reply: "canned answer" } },
    ],
    runtime,
    { kinds },
  );
  const chat = createChatService({ router: testRouter(providers) });
  const meta: RequestMeta = {};
  const answer = await chat.complete(
    { model: "canned-1", messages: [{ role: "user", content: "hi" }] },
    { signal: new AbortController().signal, meta },
  );
  assert.equal(answer.choices[0].message.content, "canned answer");
  assert.equal(meta.provider, "c");
  assert.deepEqual(providers.health().providers, { mock: "enabled", c: "configured" });
  assert.ok((await chat.listModels()).data.some((m) => m.id === "canned-1" && m.owned_by === "c"));
});

/**
 * `gateway.example.yaml` stays valid: it loads with the variables it needs (and with only the
 * one it requires), and it shows every setting of every kind the gateway has.
 */
import assert from "node:assert/strict";
import { ConfigFileError, loadConfigFile } from "../../../core/config_file/load.ts";
import { PROVIDER_KINDS } from "../../../core/providers/registry.ts";
import { z } from "zod";
import {
  aliasSchema,
  cooldownSchema,
  deploymentSchema,
  paramsSchema,
  routerSchema,
  STRATEGIES,
} from "../../../core/deployments/schema.ts";
import { priceSchema } from "../../../core/usage/prices.ts";

const TEXT = Deno.readTextFileSync(new URL("../../../gateway.example.yaml", import.meta.url));

Deno.test("gateway.example.yaml loads with OPENAI_API_KEY set, defaults for the rest", () => {
  const { instances } = loadConfigFile(
    TEXT,
    "gateway.example.yaml",
    { OPENAI_API_KEY: "sk-example" },
    PROVIDER_KINDS,
  );
  assert.deepEqual(instances.map((i) => [i.id, i.kind]), [
    ["openai", "openai"],
    ["local", "openai"],
    ["aws-eu", "bedrock"],
    ["claude", "anthropic"],
    ["azure", "azure_openai"],
    ["mock", "mock"],
  ]);
  assert.deepEqual(instances[0].settings, {
    api_key: "sk-example",
    base_url: "https://api.openai.com/v1",
    responses_api: "auto",
  });
  assert.deepEqual(instances[1].settings, {
    base_url: "http://127.0.0.1:11434/v1",
    api_key: "none",
    responses_api: false,
  });
});

Deno.test("gateway.example.yaml without OPENAI_API_KEY names the variable", () => {
  assert.throws(
    () => loadConfigFile(TEXT, "gateway.example.yaml", {}, PROVIDER_KINDS),
    (error) =>
      error instanceof ConfigFileError && error.problems.length === 1 &&
      /^gateway\.example\.yaml: providers\.openai\.api_key: environment variable OPENAI_API_KEY is not set/
        .test(error.problems[0]),
  );
});

Deno.test("gateway.example.yaml mentions every kind and every setting", () => {
  for (const kind of PROVIDER_KINDS) {
    assert.match(TEXT, new RegExp(`kind: ${kind.name}\\b`), kind.name);
    const shape = (kind.settings as z.ZodObject).shape as Record<string, unknown>;
    for (const setting of Object.keys(shape)) {
      assert.match(TEXT, new RegExp(`\\b${setting}:`), `${kind.name}.${setting}`);
    }
  }
});

Deno.test("gateway.example.yaml shows every alias, deployment, params and router setting", () => {
  const shapes = {
    alias: aliasSchema,
    deployment: deploymentSchema,
    params: paramsSchema,
    router: routerSchema,
    cooldown: cooldownSchema,
    price: priceSchema,
  };
  for (const [name, schema] of Object.entries(shapes)) {
    for (const setting of Object.keys(schema.shape)) {
      assert.match(TEXT, new RegExp(`\\b${setting}:`), `${name}.${setting}`);
    }
  }
  for (const strategy of STRATEGIES) assert.match(TEXT, new RegExp(`\\b${strategy}\\b`));
  const loaded = loadConfigFile(
    TEXT,
    "gateway.example.yaml",
    { OPENAI_API_KEY: "sk-example" },
    PROVIDER_KINDS,
  );
  assert.deepEqual(loaded.aliases.map((a) => [a.name, a.strategy, a.deployments.length]), [
    ["smart", "failover", 2],
    ["local-first", "weighted", 2],
  ]);
  assert.equal(loaded.router.max_attempts, 3);
  assert.deepEqual(loaded.prices.llama3, { input: 0, output: 0 });
});

/**
 * A config file's providers are the gateway's instances: a file with two OpenAI-compatible
 * providers (two fake upstreams, each with its own key from `${VAR}`) and a mock, loaded the way
 * `main.ts` does (`configuredInstances`), then the real app in process. Each `<id>/<model>`
 * reaches its own upstream; `/v1/models` lists both upstreams' models and the mock's; the
 * environment's implicit providers are gone.
 */
import assert from "node:assert/strict";
import {
  completion,
  DEFAULT_USAGE,
  FAKE_MODEL_IDS,
  startFakeOpenAI,
} from "../fakes/openai_upstream.ts";
import { BASE_ENV, chatBody, testAppWithInstances } from "../helpers/app.ts";
import { configuredInstances } from "../../server/instances.ts";
import { parseConfig } from "../../core/config.ts";

async function fromFile() {
  const groq = await startFakeOpenAI({ requireKey: "key-groq" });
  const local = await startFakeOpenAI({ requireKey: "key-local" });
  const dir = Deno.makeTempDirSync({ prefix: "config-file-test-" });
  const file = `${dir}/gateway.yaml`;
  Deno.writeTextFileSync(
    file,
    `providers:
  groq:
    kind: openai
    base_url: "\${GROQ_URL}"
    api_key: "\${GROQ_KEY}"
  local:
    kind: openai
    base_url: "${local.url}"
    api_key: "\${LOCAL_KEY:-key-local}"
  mock: {kind: mock}
`,
  );
  const env = { ...BASE_ENV, GATEWAY_CONFIG: file, GROQ_URL: groq.url, GROQ_KEY: "key-groq" };
  const { instances, file: loaded } = configuredInstances(parseConfig(env), env);
  assert.equal(loaded, file);
  const gw = testAppWithInstances(instances, env);
  return {
    groq,
    local,
    gw,
    async [Symbol.asyncDispose]() {
      await groq.close();
      await local.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

Deno.test("config file: each <id>/<model> reaches its own upstream with its own key", async () => {
  await using h = await fromFile();
  h.groq.script(completion({ content: "from groq", usage: DEFAULT_USAGE }));
  h.local.script(completion({ content: "from local", usage: DEFAULT_USAGE }));
  for (
    const [model, content] of [["groq/llama-3.3-70b", "from groq"], [
      "local/llama3",
      "from local",
    ]]
  ) {
    const res = await h.gw.post("/v1/chat/completions", chatBody(model, "Hi"));
    assert.equal(res.status, 200, model);
    assert.equal((await res.json()).choices[0].message.content, content);
  }
  const [toGroq] = h.groq.requests.filter((r) => r.path === "/v1/chat/completions");
  const [toLocal] = h.local.requests.filter((r) => r.path === "/v1/chat/completions");
  assert.equal(toGroq.headers.get("authorization"), "Bearer key-groq");
  assert.equal((toGroq.body as { model: string }).model, "llama-3.3-70b");
  assert.equal(toLocal.headers.get("authorization"), "Bearer key-local");
  assert.equal((toLocal.body as { model: string }).model, "llama3");

  const mock = await h.gw.post("/v1/chat/completions", chatBody("mock-echo", "echo me"));
  assert.equal(mock.status, 200);
  assert.match((await mock.json()).choices[0].message.content, /echo me/);
});

Deno.test("config file: /v1/models lists the file's providers only; /health names them", async () => {
  await using h = await fromFile();
  const ids = (await (await h.gw.get("/v1/models")).json()).data.map((m: { id: string }) => m.id);
  for (const id of FAKE_MODEL_IDS) {
    assert.ok(ids.includes(id), `${id} (groq, the first openai provider)`);
    assert.ok(ids.includes(`local/${id}`), `local/${id}`);
  }
  assert.ok(ids.includes("mock-echo"));
  assert.ok(!ids.some((id: string) => id.startsWith("anthropic.")), "no implicit bedrock");
  const health = await (await h.gw.get("/health")).json();
  assert.deepEqual(health.providers, { groq: "configured", local: "configured", mock: "enabled" });

  const gone = await h.gw.post("/v1/chat/completions", chatBody("bedrock/anthropic.x", "Hi"));
  assert.equal(gone.status, 404, "the environment's bedrock instance is not created");
  await gone.body?.cancel();
});

Deno.test("no config file: the environment's implicit openai, bedrock and mock", () => {
  const env = { ...BASE_ENV };
  const { instances, file } = configuredInstances(parseConfig(env), env);
  assert.equal(file, undefined);
  assert.deepEqual(instances.map((i) => i.id), ["openai", "bedrock", "mock"]);
});

Deno.test("DEFAULT_PROVIDER names any provider: the environment's, or a config file's", async () => {
  const env = { ...BASE_ENV, DEFAULT_PROVIDER: "mock" };
  assert.equal(configuredInstances(parseConfig(env), env).instances.length, 3);
  const unknown = { ...BASE_ENV, DEFAULT_PROVIDER: "groq" };
  assert.throws(
    () => configuredInstances(parseConfig(unknown), unknown),
    /DEFAULT_PROVIDER 'groq' is not a provider \(openai, bedrock, mock; more come from a config file/,
  );
  await using fake = await startFakeOpenAI();
  fake.respondWith(() => completion({ content: "from local" }));
  const dir = Deno.makeTempDirSync({ prefix: "config-file-test-" });
  const file = `${dir}/gateway.yaml`;
  Deno.writeTextFileSync(
    file,
    `providers:\n  local: {kind: openai, base_url: "${fake.url}", api_key: none}\n`,
  );
  try {
    const withFile = { ...BASE_ENV, GATEWAY_CONFIG: file, DEFAULT_PROVIDER: "local" };
    const setup = configuredInstances(parseConfig(withFile), withFile);
    const gw = testAppWithInstances(setup, withFile);
    const res = await gw.post("/v1/chat/completions", chatBody("anything-at-all", "Hi"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-gateway-deployment"), "local/anything-at-all");
    await res.body?.cancel();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

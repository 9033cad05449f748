/**
 * `/v1/models` lists exactly what is routable: aliases, every instance's models (an
 * OpenAI-compatible upstream's `/models` included, so an Ollama-style server's `llama3` works
 * by its own id), and nothing that is not — every listed id answers a chat request, an unlisted
 * one is a 404.
 */
import assert from "node:assert/strict";
import { routerSchema } from "../../core/deployments/schema.ts";
import { startFakeAnthropic } from "../fakes/anthropic_upstream.ts";
import { completion, modelList, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { chatBody, type TestApp, testAppWithInstances } from "../helpers/app.ts";

const echo = () => completion({ content: "ok" });

async function listedIds(gw: TestApp): Promise<string[]> {
  const res = await gw.get("/v1/models");
  assert.equal(res.status, 200);
  return (await res.json()).data.map((m: { id: string }) => m.id);
}

async function chatStatus(gw: TestApp, model: string): Promise<number> {
  const res = await gw.post("/v1/chat/completions", chatBody(model));
  await res.body?.cancel();
  return res.status;
}

Deno.test("an Ollama-style upstream: every model /v1/models shows answers chat", async () => {
  await using ollama = await startFakeOpenAI();
  await using anthropic = startFakeAnthropic();
  ollama.scriptModels(modelList(["llama3", "qwen2.5:7b", "library/phi3"]));
  ollama.respondWith(echo);
  const gw = testAppWithInstances({
    instances: [
      { id: "ollama", kind: "openai", settings: { api_key: "none", base_url: ollama.url } },
      { id: "claude", kind: "anthropic", settings: { api_key: "k", base_url: anthropic.url } },
      { id: "mock", kind: "mock" },
    ],
    aliases: [{
      name: "chat-default",
      strategy: "failover",
      deployments: [{ provider: "ollama", model: "llama3", weight: 1 }],
    }],
    router: routerSchema.parse({}),
  });
  const ids = await listedIds(gw);
  assert.equal(ids[0], "chat-default");
  for (const id of ["llama3", "qwen2.5:7b", "library/phi3", "claude-sonnet-4-5", "mock-echo"]) {
    assert.ok(ids.includes(id), `${id} listed in ${ids.join(", ")}`);
  }
  for (const id of ids) {
    if (id === "mock-embed") continue; // an embeddings model: it answers /v1/embeddings
    assert.equal(await chatStatus(gw, id), 200, `chat with listed '${id}'`);
  }
  assert.equal(
    ollama.chatRequests.find((r) => (r.body as { model: string }).model === "qwen2.5:7b")
      ?.body !== undefined,
    true,
  );
  assert.equal(anthropic.messageRequests.length, 3); // the three listed Claude models
  assert.equal(await chatStatus(gw, "llama4"), 404); // not listed: not routable
  const one = await gw.get("/v1/models/chat-default");
  assert.deepEqual(
    { ...(await one.json()), created: 0 },
    { id: "chat-default", object: "model", created: 0, owned_by: "gateway" },
  );
  assert.equal((await gw.get("/v1/models/llama3")).status, 200);
  assert.equal((await gw.get("/v1/models/llama4")).status, 404);
});

Deno.test("an upstream-listed id routes before anything listed it (the router asks the lists)", async () => {
  await using ollama = await startFakeOpenAI();
  ollama.scriptModels(modelList(["llama3"]));
  ollama.respondWith(echo);
  const gw = testAppWithInstances([
    { id: "ollama", kind: "openai", settings: { api_key: "none", base_url: ollama.url } },
  ]);
  assert.equal(await chatStatus(gw, "llama3"), 200);
  assert.equal(ollama.requests.filter((r) => r.path.endsWith("/models")).length, 1);
  // An unknown id re-reads the lists at most once per interval: no /models storm.
  for (let i = 0; i < 5; i++) assert.equal(await chatStatus(gw, "nope"), 404);
  assert.equal(ollama.requests.filter((r) => r.path.endsWith("/models")).length, 1);
});

Deno.test("two upstreams listing one model: the first by its id, the second by <id>/<model>", async () => {
  await using a = await startFakeOpenAI();
  await using b = await startFakeOpenAI();
  a.scriptModels(modelList(["llama3"]));
  b.scriptModels(modelList(["llama3", "mistral"]));
  a.respondWith(echo);
  b.respondWith(echo);
  const gw = testAppWithInstances([
    { id: "a", kind: "openai", settings: { api_key: "none", base_url: a.url } },
    { id: "b", kind: "openai", settings: { api_key: "none", base_url: b.url } },
  ]);
  const ids = await listedIds(gw);
  for (const id of ["llama3", "b/llama3", "mistral"]) assert.ok(ids.includes(id), id);
  assert.ok(!ids.includes("a/llama3"));
  for (const id of ["llama3", "b/llama3", "mistral"]) {
    assert.equal(await chatStatus(gw, id), 200, id);
  }
  const served = (fake: typeof a) =>
    fake.chatRequests.map((r) => (r.body as { model: string }).model);
  assert.deepEqual(served(a), ["llama3"]);
  assert.deepEqual(served(b), ["llama3", "mistral"]);
});

Deno.test("tRPC models.list: the list and the aliases with their deployments", async () => {
  const gw = testAppWithInstances({
    instances: [{ id: "m1", kind: "mock" }, { id: "m2", kind: "mock" }],
    aliases: [{
      name: "echo",
      strategy: "weighted",
      deployments: [
        { provider: "m1", model: "mock-echo", weight: 3 },
        { provider: "m2", model: "mock-echo", weight: 1, priority: 2 },
      ],
    }],
  });
  const res = await gw.post("/trpc/models.list", {});
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const { result } = JSON.parse(text);
  const data = result.data.json ?? result.data;
  assert.equal(data.data[0].id, "echo");
  assert.deepEqual(data.aliases, [{
    name: "echo",
    strategy: "weighted",
    deployments: [
      {
        deployment: "m1/mock-echo",
        provider: "m1",
        model: "mock-echo",
        weight: 3,
        cooling_ms: 0,
        in_flight: 0,
      },
      {
        deployment: "m2/mock-echo",
        provider: "m2",
        model: "mock-echo",
        weight: 1,
        priority: 2,
        cooling_ms: 0,
        in_flight: 0,
      },
    ],
  }]);
});

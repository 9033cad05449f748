/**
 * Several instances of one kind: a gateway with two OpenAI-compatible instances (`openai` and
 * `local`, two fake upstreams on different ports, each with its own key). Each instance gets its
 * own requests — by pattern for the first registered, by `local/` prefix for the other — and
 * `/v1/models`, `/health`, the access log and `/metrics` name instances by id.
 */
import assert from "node:assert/strict";
import {
  completion,
  DEFAULT_USAGE,
  FAKE_MODEL_IDS,
  type RecordedRequest,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { chatBody, type TestApp, testAppWithInstances } from "../helpers/app.ts";
import { readDataEvents } from "../helpers/sse.ts";

async function twoUpstreams() {
  const cloud = await startFakeOpenAI({ requireKey: "key-cloud" });
  const local = await startFakeOpenAI({ requireKey: "key-local" });
  assert.notEqual(new URL(cloud.url).port, new URL(local.url).port);
  const gw = testAppWithInstances([
    { id: "openai", kind: "openai", settings: { api_key: "key-cloud", base_url: cloud.url } },
    { id: "local", kind: "openai", settings: { api_key: "key-local", base_url: local.url } },
    { id: "mock", kind: "mock" },
  ]);
  return {
    cloud,
    local,
    gw,
    async [Symbol.asyncDispose]() {
      await cloud.close();
      await local.close();
    },
  };
}

const chatPaths = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.path === "/v1/chat/completions");

async function answer(gw: TestApp, model: string) {
  const res = await gw.post("/v1/chat/completions", chatBody(model, "Hi"));
  assert.equal(res.status, 200, model);
  return await res.json();
}

Deno.test("two openai instances: each gets its own requests, with its own key", async () => {
  await using h = await twoUpstreams();
  h.cloud.script(completion({ content: "from cloud", usage: DEFAULT_USAGE }));
  h.local.script(completion({ content: "from local", usage: DEFAULT_USAGE }));

  const byPattern = await answer(h.gw, "gpt-4o-mini");
  assert.equal(byPattern.choices[0].message.content, "from cloud");
  const byPrefix = await answer(h.gw, "local/gpt-4o-mini");
  assert.equal(byPrefix.choices[0].message.content, "from local");

  const [toCloud] = chatPaths(h.cloud.requests);
  const [toLocal] = chatPaths(h.local.requests);
  assert.equal(chatPaths(h.cloud.requests).length, 1);
  assert.equal(chatPaths(h.local.requests).length, 1);
  assert.equal(toCloud.headers.get("authorization"), "Bearer key-cloud");
  assert.equal(toLocal.headers.get("authorization"), "Bearer key-local");
  assert.equal((toCloud.body as { model: string }).model, "gpt-4o-mini");
  assert.equal((toLocal.body as { model: string }).model, "gpt-4o-mini", "prefix stripped");

  const logged = h.gw.accessLogs().map((l) => [l.model, l.provider]);
  assert.deepEqual(logged, [["gpt-4o-mini", "openai"], ["local/gpt-4o-mini", "local"]]);
  const metrics = await (await h.gw.get("/metrics")).text();
  assert.match(metrics, /gateway_tokens_total\{provider="local",model="local\/gpt-4o-mini"/);
  assert.match(metrics, /gateway_tokens_total\{provider="openai",model="gpt-4o-mini"/);
});

Deno.test("two openai instances: a stream goes to the prefixed instance only", async () => {
  await using h = await twoUpstreams();
  h.local.script(streamReply(textDeltas(["lo", "cal"]), { usage: DEFAULT_USAGE }));
  const res = await h.gw.post(
    "/v1/chat/completions",
    chatBody("local/o3-mini", "Hi", { stream: true }),
  );
  assert.equal(res.status, 200);
  const events = await readDataEvents(res);
  type Chunk = { choices: Array<{ delta?: { content?: string } }> };
  const text = events
    .filter((e): e is Chunk => e !== "[DONE]")
    .map((e) => e.choices[0]?.delta?.content ?? "")
    .join("");
  assert.equal(text, "local");
  assert.equal(chatPaths(h.local.requests).length, 1);
  assert.equal(chatPaths(h.cloud.requests).length, 0);
});

Deno.test("two openai instances: /v1/models lists both, each entry routing back", async () => {
  await using h = await twoUpstreams();
  const res = await h.gw.get("/v1/models");
  assert.equal(res.status, 200);
  const ids = (await res.json()).data.map((m: { id: string }) => m.id);
  for (const id of FAKE_MODEL_IDS) {
    assert.ok(ids.includes(id), `${id} (openai)`);
    assert.ok(ids.includes(`local/${id}`), `local/${id}`);
  }
  assert.ok(ids.includes("mock-echo"));
  assert.equal(h.cloud.requests.filter((r) => r.path === "/v1/models").length, 1);
  assert.equal(h.local.requests.filter((r) => r.path === "/v1/models").length, 1);

  const one = await h.gw.get("/v1/models/local/gpt-4.1");
  assert.equal(one.status, 200);
  assert.equal((await one.json()).id, "local/gpt-4.1");
  const unknown = await h.gw.get("/v1/models/local/no-such-model");
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
});

Deno.test("two openai instances: /health reports every instance by id", async () => {
  await using h = await twoUpstreams();
  const health = await (await h.gw.get("/health")).json();
  assert.deepEqual(health.providers, {
    openai: "configured",
    local: "configured",
    mock: "enabled",
  });
  assert.deepEqual(health.credentials, {});
});

Deno.test("an instance without a key answers 503 naming itself; the other still works", async () => {
  await using cloud = await startFakeOpenAI({ requireKey: "key-cloud" });
  const gw = testAppWithInstances([
    { id: "openai", kind: "openai", settings: { api_key: "key-cloud", base_url: cloud.url } },
    { id: "vllm", kind: "openai", settings: { base_url: "http://127.0.0.1:9/v1" } },
  ]);
  const res = await gw.post("/v1/chat/completions", chatBody("vllm/llama3", "Hi"));
  assert.equal(res.status, 503);
  const { error } = await res.json();
  assert.equal(error.code, "provider_not_configured");
  assert.match(error.message, /'vllm'/);
  assert.deepEqual((await (await gw.get("/health")).json()).providers, {
    openai: "configured",
    vllm: "not_configured",
  });
  cloud.script(completion({ content: "ok", usage: DEFAULT_USAGE }));
  assert.equal((await answer(gw, "gpt-4o")).choices[0].message.content, "ok");
});

/**
 * The `openai` kind's instance settings against the fake upstream, through the app: `headers`
 * go with every upstream call (chat JSON, the relayed stream, Responses, embeddings, models)
 * beside the key, `organization` and `project`; `models` is the instance's model list (no
 * upstream call, owned by the instance id, routable by its ids); without `models`, an upstream
 * other than api.openai.com whose list fails lists nothing rather than OpenAI's known models.
 */
import assert from "node:assert/strict";
import {
  completion,
  DEFAULT_USAGE,
  errorReply,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { chatBody, testAppWithInstances } from "../helpers/app.ts";

const HEADERS = { "X-Team": "blue", "HTTP-Referer": "https://gateway.example" };

Deno.test("openai headers: on chat, stream, Responses, embeddings and models, with org and project", async () => {
  await using fake = await startFakeOpenAI({ requireKey: "key-up" });
  const gw = testAppWithInstances([{
    id: "up",
    kind: "openai",
    settings: {
      api_key: "key-up",
      base_url: fake.url,
      organization: "org-1",
      project: "proj-1",
      responses_api: true,
      headers: HEADERS,
    },
  }]);
  fake.script(
    completion({ content: "json", usage: DEFAULT_USAGE }),
    streamReply(textDeltas(["str", "eam"]), { usage: DEFAULT_USAGE }),
  );
  fake.scriptResponses({ text: "responses" });
  const calls = [
    gw.post("/v1/chat/completions", chatBody("up/m1", "Hi")),
    gw.post("/v1/chat/completions", chatBody("up/m1", "Hi", { stream: true })),
    gw.post("/v1/responses", { model: "up/m1", input: "Hi" }),
    gw.post("/v1/embeddings", { model: "up/text-embedding-3-small", input: "Hi" }),
    gw.get("/v1/models"),
  ];
  for (const call of calls) {
    const res = await call;
    const text = await res.text();
    assert.equal(res.status, 200, text);
  }
  const paths = fake.requests.map((r) => r.path).sort();
  assert.deepEqual(paths, [
    "/v1/chat/completions",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/models",
    "/v1/responses",
  ]);
  for (const request of fake.requests) {
    assert.equal(request.headers.get("x-team"), "blue", request.path);
    assert.equal(request.headers.get("http-referer"), "https://gateway.example", request.path);
    assert.equal(request.headers.get("authorization"), "Bearer key-up", request.path);
    assert.equal(request.headers.get("openai-organization"), "org-1", request.path);
    assert.equal(request.headers.get("openai-project"), "proj-1", request.path);
  }
});

Deno.test("openai models: exactly the configured ids, owned by the instance, no upstream call", async () => {
  await using fake = await startFakeOpenAI({ requireKey: "k" });
  const gw = testAppWithInstances([
    {
      id: "local",
      kind: "openai",
      settings: { api_key: "k", base_url: fake.url, models: ["llama3", "qwen2.5"] },
    },
    { id: "mock", kind: "mock" },
  ]);
  const list = await (await gw.get("/v1/models")).json();
  const local = list.data.filter((m: { owned_by: string }) => m.owned_by === "local");
  assert.deepEqual(local.map((m: { id: string }) => m.id), ["llama3", "qwen2.5"]);
  assert.equal(fake.requests.length, 0, "the upstream's /models is not asked");

  fake.script(completion({ content: "listed", usage: DEFAULT_USAGE }));
  const res = await gw.post("/v1/chat/completions", chatBody("llama3", "Hi"));
  assert.equal(res.status, 200, "a listed id routes to its instance");
  assert.equal((await res.json()).choices[0].message.content, "listed");
  assert.equal((fake.chatRequests[0].body as { model: string }).model, "llama3");
});

Deno.test("openai models: a non-OpenAI upstream whose list fails lists nothing, not OpenAI's", async () => {
  await using fake = await startFakeOpenAI();
  fake.scriptModels(errorReply(500));
  const gw = testAppWithInstances([
    { id: "vllm", kind: "openai", settings: { api_key: "k", base_url: fake.url } },
    { id: "mock", kind: "mock" },
  ]);
  const res = await gw.get("/v1/models");
  assert.equal(res.status, 200);
  const ids = (await res.json()).data.map((m: { id: string }) => m.id);
  assert.ok(ids.includes("mock-echo"));
  assert.ok(!ids.some((id: string) => /gpt|^o\d|text-embedding/.test(id)), ids.join(", "));
  const warnings = gw.logs().filter((l) => l.level === "warn").map((l) => String(l.msg));
  assert.ok(warnings.includes("openai model list unavailable; listing no models"), warnings.join());
});

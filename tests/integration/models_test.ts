/**
 * `GET /v1/models` and `GET /v1/models/{id}`: the upstream's list (cached), degrading to no
 * models on failure for a server other than api.openai.com (OpenAI's known list is for
 * api.openai.com only: `tests/unit/providers/openai/models_fallback_test.ts`) — never a 500 —
 * plus the mock models.
 */
import assert from "node:assert/strict";
import {
  errorReply,
  FAKE_CREATED,
  FAKE_MODEL_IDS,
  hang,
  modelList,
  startFakeOpenAI,
} from "../fakes/openai_upstream.ts";
import { testApp } from "../helpers/app.ts";
import { freePort } from "../helpers/server.ts";

type Model = { id: string; object: string; created: number; owned_by: string };

const ids = (list: { data: Model[] }) => list.data.map((m) => m.id);

Deno.test("models: the upstream's list plus mock models, OpenAI-shaped", async () => {
  await using fake = await startFakeOpenAI({ requireKey: "test" });
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  const res = await gw.get("/v1/models");
  assert.equal(res.status, 200);
  const list = await res.json();
  assert.equal(list.object, "list");
  for (const id of [...FAKE_MODEL_IDS, "mock-echo"]) assert.ok(ids(list).includes(id), id);
  assert.ok(!ids(list).includes("gpt-4o"), "the upstream's list, not the fallback");
  for (const m of list.data as Model[]) {
    assert.deepEqual(Object.keys(m).sort(), ["created", "id", "object", "owned_by"]);
    assert.equal(m.object, "model");
    assert.equal(typeof m.created, "number");
  }
  const gpt = (list.data as Model[]).find((m) => m.id === "gpt-4o-mini")!;
  assert.deepEqual(gpt, {
    id: "gpt-4o-mini",
    object: "model",
    created: FAKE_CREATED,
    owned_by: "system",
  });

  const upstream = fake.requests.filter((r) => r.path === "/v1/models");
  assert.equal(upstream.length, 1);
  assert.equal(upstream[0].method, "GET");
  assert.equal(upstream[0].headers.get("authorization"), "Bearer test");
});

Deno.test("models: the upstream list is cached", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  await (await gw.get("/v1/models")).body?.cancel();
  await (await gw.get("/v1/models")).body?.cancel();
  await (await gw.get("/v1/models/gpt-4.1")).body?.cancel();
  assert.equal(fake.requests.filter((r) => r.path === "/v1/models").length, 1);
});

Deno.test("models: an upstream failure lists no upstream models, never a 500", async (t) => {
  const cases: Array<[string, (fake: Awaited<ReturnType<typeof startFakeOpenAI>>) => string]> = [
    ["upstream 500", (fake) => (fake.scriptModels(errorReply(500)), fake.url)],
    ["upstream 401", (fake) => (fake.scriptModels(errorReply(401)), fake.url)],
    ["upstream 429", (fake) => (fake.scriptModels(errorReply(429, { retryAfter: 1 })), fake.url)],
    [
      "malformed 200 (not a list)",
      (
        fake,
      ) => (fake.scriptModels({ kind: "json", status: 200, headers: {}, body: { models: "none" } }),
        fake.url),
    ],
    ["connection refused", () => `http://127.0.0.1:${freePort()}/v1`],
  ];
  for (const [name, arrange] of cases) {
    await t.step(name, async () => {
      await using fake = await startFakeOpenAI();
      const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: arrange(fake) });
      const res = await gw.get("/v1/models");
      assert.equal(res.status, 200);
      const list = await res.json();
      assert.deepEqual(
        (list.data as Model[]).filter((m) => m.owned_by === "openai").map((m) => m.id),
        [],
        "no OpenAI models claimed for a non-OpenAI server",
      );
      assert.ok(ids(list).includes("mock-echo"));
      const one = await gw.get("/v1/models/gpt-4o");
      assert.equal(one.status, 404);
      await one.body?.cancel();
      const warnings = gw.logs().filter((l) => l.level === "warn").map((l) => l.msg);
      assert.ok(
        warnings.includes("openai model list unavailable; listing no models"),
        "the degradation is logged",
      );
      assert.ok(!JSON.stringify(gw.logs()).includes("Bearer"), "no credentials in logs");
    });
  }
});

Deno.test("models: a hanging upstream list times out into no upstream models", async () => {
  await using fake = await startFakeOpenAI();
  fake.scriptModels(hang());
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_TIMEOUT_MS: "150",
  });
  const res = await gw.get("/v1/models");
  assert.equal(res.status, 200);
  const listed = ids(await res.json());
  assert.ok(listed.includes("mock-echo"));
  assert.ok(!listed.includes("gpt-4o"));
});

Deno.test("models: without OPENAI_API_KEY no OpenAI models are listed, upstream untouched", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_BASE_URL: fake.url });
  const list = await (await gw.get("/v1/models")).json();
  assert.ok(ids(list).includes("mock-echo"));
  for (const id of [...FAKE_MODEL_IDS, "gpt-4o"]) assert.ok(!ids(list).includes(id), id);
  assert.equal(fake.requests.length, 0);
});

Deno.test("models/{id}: ids with slashes and colons; unknown → 404 model_not_found", async () => {
  await using fake = await startFakeOpenAI();
  const withSlash = "meta-llama/Llama-3.1-8B-Instruct";
  const fineTune = "ft:gpt-4o-mini-2024-07-18:acme::9XyZ";
  fake.scriptModels(modelList([withSlash, fineTune, "gpt-4o-mini"]));
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });

  for (const id of [withSlash, fineTune, "gpt-4o-mini", "mock-echo"]) {
    const res = await gw.get(`/v1/models/${id}`);
    assert.equal(res.status, 200, id);
    const model = await res.json();
    assert.equal(model.id, id);
    assert.equal(model.object, "model");
  }
  const encoded = await gw.get(`/v1/models/${encodeURIComponent(withSlash)}`);
  assert.equal(encoded.status, 200);
  assert.equal((await encoded.json()).id, withSlash);

  for (const id of ["gpt-9-ultra", "meta-llama/nope"]) {
    const res = await gw.get(`/v1/models/${id}`);
    assert.equal(res.status, 404);
    const { error } = await res.json();
    assert.equal(error.code, "model_not_found");
    assert.equal(error.type, "invalid_request_error");
    assert.ok(error.message.includes(id));
  }
});

Deno.test("models: POST /v1/models is 405 in the error envelope", async () => {
  const gw = testApp();
  const res = await gw.request("/v1/models", { method: "POST", body: "{}" });
  assert.equal(res.status, 405);
  const { error } = await res.json();
  assert.equal(error.type, "invalid_request_error");
  assert.equal(error.code, "method_not_allowed");
});

Deno.test("models/{id}: every id chat routes — prefixes, profiles, ARNs — and nothing else", async (t) => {
  await using fake = await startFakeOpenAI();
  fake.scriptModels(modelList(["gpt-4o-mini"]));
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  const base = "anthropic.claude-sonnet-4-5-20250929-v1:0";
  for (
    const id of [
      `us.${base}`,
      `bedrock/${base}`,
      `arn:aws:bedrock:us-east-1::foundation-model/${base}`,
      "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
      "openai/gpt-4o-mini",
    ]
  ) {
    await t.step(id, async () => {
      const res = await gw.get(`/v1/models/${id}`);
      assert.equal(res.status, 200);
      const model = await res.json();
      assert.equal(model.id, id);
      assert.equal(model.object, "model");
    });
  }
  for (const id of ["us.anthropic.claude-99", "openai/gpt-9", "bedrock/nope"]) {
    await t.step(`${id} → 404`, async () => {
      const res = await gw.get(`/v1/models/${id}`);
      assert.equal(res.status, 404);
      assert.equal((await res.json()).error.code, "model_not_found");
    });
  }
});

Deno.test("models: Anthropic clients get Anthropic's list shape and error envelope", async () => {
  const gw = testApp();
  const headers = { "anthropic-version": "2023-06-01" };
  const page = await (await gw.get("/v1/models?limit=2", headers)).json();
  assert.deepEqual(Object.keys(page).sort(), ["data", "first_id", "has_more", "last_id"]);
  assert.equal(page.data.length, 2);
  assert.equal(page.has_more, true);
  assert.equal(page.first_id, page.data[0].id);
  assert.deepEqual(Object.keys(page.data[0]).sort(), ["created_at", "display_name", "id", "type"]);
  const one = await (await gw.get("/v1/models/mock-echo", headers)).json();
  assert.equal(one.type, "model");
  assert.equal(one.id, "mock-echo");
  const missing = await gw.get("/v1/models/nope", headers);
  assert.equal(missing.status, 404);
  const body = await missing.json();
  assert.equal(body.type, "error");
  assert.equal(body.error.type, "not_found_error"); // as Anthropic answers an unknown model
  const bad = await gw.get("/v1/models?limit=0", headers);
  assert.equal(bad.status, 400);
});

/**
 * Client keys (`API_KEY`, several, Bearer or `x-api-key`) and `x-request-id` on every response.
 */
import assert from "node:assert/strict";
import { chatBody, testApp } from "../helpers/app.ts";
import { readDataEvents } from "../helpers/sse.ts";

const KEYS = { API_KEY: "key-one, key-two ,key-three" };

async function expect401(res: Response) {
  assert.equal(res.status, 401);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const { error } = await res.json();
  assert.equal(error.type, "authentication_error");
  assert.equal(error.code, "invalid_api_key");
  assert.equal(error.param, null);
  assert.ok(!error.message.includes("key-one"), "never echoes a configured key");
}

Deno.test("auth: every configured key works, as Bearer or x-api-key", async (t) => {
  const gw = testApp(KEYS);
  const accepted: Array<[string, HeadersInit]> = [
    ["Bearer first key", { authorization: "Bearer key-one" }],
    ["Bearer trimmed second key", { authorization: "Bearer key-two" }],
    ["lower-case bearer scheme", { authorization: "bearer key-three" }],
    ["x-api-key", { "x-api-key": "key-two" }],
    ["wrong Bearer but valid x-api-key", { authorization: "Basic abc", "x-api-key": "key-one" }],
  ];
  for (const [name, headers] of accepted) {
    await t.step(name, async () => {
      const res = await gw.post("/v1/chat/completions", chatBody("mock-echo", "ok"), headers);
      assert.equal(res.status, 200);
      await res.body?.cancel();
      const models = await gw.get("/v1/models", headers);
      assert.equal(models.status, 200);
      await models.body?.cancel();
    });
  }
});

Deno.test("auth: missing or wrong keys → 401 invalid_api_key", async (t) => {
  const gw = testApp(KEYS);
  const rejected: Array<[string, HeadersInit]> = [
    ["no key", {}],
    ["wrong Bearer", { authorization: "Bearer key-four" }],
    ["prefix of a key", { authorization: "Bearer key-on" }],
    ["key plus suffix", { authorization: "Bearer key-one-extra" }],
    ["wrong x-api-key", { "x-api-key": "nope" }],
    ["empty Bearer", { authorization: "Bearer " }],
    ["empty x-api-key", { "x-api-key": "" }],
    ["the whole comma-separated list", { authorization: `Bearer ${KEYS.API_KEY}` }],
    ["key without scheme", { authorization: "key-one" }],
  ];
  for (const [name, headers] of rejected) {
    await t.step(name, async () => {
      await expect401(await gw.post("/v1/chat/completions", chatBody("mock-echo"), headers));
      await expect401(await gw.get("/v1/models", headers));
      await expect401(await gw.get("/v1/models/mock-echo", headers));
    });
  }
  // Unauthenticated requests are rejected before the body is looked at.
  await expect401(await gw.post("/v1/chat/completions", "not json"));
  assert.ok(gw.accessLogs().every((l) => l.status === 401 && l.error_code === "invalid_api_key"));
});

Deno.test("auth: /health needs no key; without API_KEY nothing needs one", async () => {
  const gw = testApp(KEYS);
  const health = await gw.get("/health");
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, "ok");

  const open = testApp();
  const res = await open.post("/v1/chat/completions", chatBody("mock-echo"));
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

Deno.test("auth: a streaming request is rejected before any event", async () => {
  const gw = testApp(KEYS);
  await expect401(
    await gw.post("/v1/chat/completions", chatBody("mock-echo", "x", { stream: true })),
  );
});

Deno.test("x-request-id: a valid incoming id is echoed, everywhere", async (t) => {
  const gw = testApp(KEYS);
  const auth = { authorization: "Bearer key-one" };
  const cases: Array<[string, () => Promise<Response>]> = [
    [
      "chat JSON",
      () =>
        gw.post("/v1/chat/completions", chatBody("mock-echo"), {
          ...auth,
          "x-request-id": "req-1",
        }),
    ],
    [
      "chat stream",
      () =>
        gw.post("/v1/chat/completions", chatBody("mock-echo", "x", { stream: true }), {
          ...auth,
          "x-request-id": "req-1",
        }),
    ],
    ["401", () => gw.get("/v1/models", { "x-request-id": "req-1" })],
    ["404", () => gw.get("/nowhere", { "x-request-id": "req-1" })],
    ["400", () => gw.post("/v1/chat/completions", "{", { ...auth, "x-request-id": "req-1" })],
    ["health", () => gw.get("/health", { "x-request-id": "req-1" })],
  ];
  for (const [name, send] of cases) {
    await t.step(name, async () => {
      const res = await send();
      assert.equal(res.headers.get("x-request-id"), "req-1");
      await res.body?.cancel();
    });
  }
  const ids = gw.accessLogs().map((l) => l.request_id);
  assert.equal(ids.length, cases.length);
  assert.ok(ids.every((id) => id === "req-1"));
});

Deno.test("x-request-id: generated when missing or invalid, unique per request", async () => {
  const gw = testApp();
  const invalid = ["has space", "x".repeat(200), "semi;colon", "<script>", ""];
  const seen = new Set<string>();
  for (const incoming of [undefined, ...invalid]) {
    const headers: HeadersInit = incoming === undefined ? {} : { "x-request-id": incoming };
    const res = await gw.post("/v1/chat/completions", chatBody("mock-echo"), headers);
    const id = res.headers.get("x-request-id");
    await res.body?.cancel();
    assert.ok(id !== null && id !== incoming, `replaced ${incoming}`);
    assert.match(id, /^[A-Za-z0-9._:-]{1,128}$/);
    seen.add(id);
  }
  assert.equal(seen.size, invalid.length + 1);
  assert.deepEqual(gw.accessLogs().map((l) => l.request_id), [...seen]);
});

Deno.test("x-request-id: ids with dots, colons and underscores are valid", async () => {
  const gw = testApp();
  const id = "trace_01:abc.DEF-9";
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("mock-echo", "x", { stream: true }),
    { "x-request-id": id },
  );
  assert.equal(res.headers.get("x-request-id"), id);
  assert.equal((await readDataEvents(res)).at(-1), "[DONE]");
});

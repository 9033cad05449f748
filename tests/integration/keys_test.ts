/**
 * Virtual keys in process, over HTTP and tRPC, on a real SQLite store: the lifecycle (create →
 * use → restrict → 403 → revoke → 401), the allowlist on every API that names a model (chat,
 * `/v1/messages`, count_tokens, embeddings, Responses, tRPC chat), the admin routes' 401/403,
 * invalid fields as 400s naming them, the key's id in the access log and the key nowhere in it.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { createGatewayClient } from "../../routers/client.ts";
import type { Store } from "../../core/store/store.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import { chatBody, ORIGIN, type TestApp, testApp } from "../helpers/app.ts";

const ADMIN = "admin-key-9d1c";
const STATIC = "static-key-4b2e";
const ENV = { API_KEY: STATIC, ADMIN_API_KEY: ADMIN };

/** A gateway over a fresh SQLite store; `close` closes and removes it. */
function gateway(
  env: Record<string, string> = ENV,
): TestApp & { store: Store; close(): Promise<void> } {
  const dir = Deno.makeTempDirSync({ prefix: "keys-test-" });
  const store = openSqliteStore({ dataDir: dir });
  const gw = testApp(env, { store });
  return {
    ...gw,
    store,
    async close() {
      await store.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A JSON request with a method. */
function send(gw: TestApp, method: string, path: string, key: string, body?: unknown) {
  return gw.request(path, {
    method,
    headers: {
      ...bearer(key),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function createKey(gw: TestApp, body: Record<string, unknown>) {
  const res = await send(gw, "POST", "/admin/keys", ADMIN, body);
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json() as { id: string; key: string } & Record<string, unknown>;
}

async function errorOf(res: Response, status: number) {
  assert.equal(res.status, status);
  return (await res.json()).error as {
    type: string;
    code: string;
    message: string;
    param: string | null;
  };
}

/** Every API that names a model, with `model` in it. */
const MODEL_CALLS: [string, (model: string) => unknown, Record<string, string>?][] = [
  ["/v1/chat/completions", (model) => chatBody(model)],
  ["/v1/chat/completions?target_format=bedrock_claude", (model) => chatBody(model)],
  [
    "/v1/messages",
    (model) => ({ model, max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
    { "anthropic-version": "2023-06-01" },
  ],
  [
    "/v1/messages/count_tokens",
    (model) => ({ model, messages: [{ role: "user", content: "hi" }] }),
    { "anthropic-version": "2023-06-01" },
  ],
  ["/v1/embeddings", (model) => ({ model, input: "hello" })],
  ["/v1/responses", (model) => ({ model, input: "hello" })],
];

Deno.test("keys: lifecycle over HTTP — create, use, restrict (403), revoke (401)", async () => {
  const gw = gateway();
  try {
    const created = await createKey(gw, { name: "ci-bot", team: "platform", rpm_limit: 60 });
    assert.match(created.key, /^sk-gw-[0-9A-Za-z]{40}$/);
    assert.equal(created.key_prefix, created.key.slice(0, 10));
    assert.equal(created.models, null);
    assert.equal(created.rpm_limit, 60);
    assert.equal(typeof created.created_at, "number");
    const use = (model: string) =>
      gw.post("/v1/chat/completions", chatBody(model), bearer(created.key));
    assert.equal((await use("mock-echo")).status, 200);

    const shown = await (await send(gw, "GET", `/admin/keys/${created.id}`, ADMIN)).json();
    assert.equal(shown.name, "ci-bot");
    assert.ok(!("key" in shown), "the key is shown at creation only");
    assert.ok(!JSON.stringify(shown).includes(created.key.slice(10)));

    const patched = await send(gw, "PATCH", `/admin/keys/${created.id}`, ADMIN, {
      models: ["mock-e*"],
      rpm_limit: null,
    });
    assert.equal(patched.status, 200);
    const updated = await patched.json();
    assert.deepEqual([updated.models, updated.rpm_limit, updated.team], [
      ["mock-e*"],
      null,
      "platform",
    ]);
    assert.equal((await use("mock-echo")).status, 200);
    const denied = await errorOf(await use("mock-other"), 403);
    assert.deepEqual([denied.type, denied.code, denied.param], [
      "permission_error",
      "permission_denied",
      "model",
    ]);
    assert.match(denied.message, /may not use the model 'mock-other'/);

    const revoked = await send(gw, "DELETE", `/admin/keys/${created.id}`, ADMIN);
    assert.deepEqual(await revoked.json(), {
      id: created.id,
      object: "virtual_key",
      deleted: true,
    });
    const refused = await errorOf(await use("mock-echo"), 401);
    const bad = await errorOf(
      await gw.post("/v1/chat/completions", chatBody("mock-echo"), bearer("sk-gw-wrong")),
      401,
    );
    assert.deepEqual(refused, bad, "a revoked key is refused exactly like an unknown one");
    assert.equal(refused.code, "invalid_api_key");
    assert.equal((await send(gw, "GET", `/admin/keys/${created.id}`, ADMIN)).status, 404);
    assert.equal((await send(gw, "DELETE", `/admin/keys/${created.id}`, ADMIN)).status, 404);

    const logs = gw.logLines.join("\n");
    assert.ok(!logs.includes(created.key.slice(10)), "the key is never logged");
    const served = gw.accessLogs().filter((l) =>
      l.path === "/v1/chat/completions" && l.status !== 401
    );
    assert.ok(served.length >= 3 && served.every((l) => l.key_id === created.id));
  } finally {
    await gw.close();
  }
});

Deno.test("keys: the allowlist holds on chat, messages, count_tokens, embeddings and Responses", async () => {
  const gw = gateway();
  try {
    const echo = (await createKey(gw, { name: "echo only", models: ["mock-echo"] })).key;
    const embed = (await createKey(gw, { name: "embed only", models: ["mock-embed*"] })).key;
    for (const [path, body, headers] of MODEL_CALLS) {
      const embedding = path === "/v1/embeddings";
      const [allowedKey, model] = embedding ? [embed, "mock-embed"] : [echo, "mock-echo"];
      const other = embedding ? "mock-embed" : "mock-slow";
      const ok = await gw.post(path, body(model), { ...bearer(allowedKey), ...headers });
      assert.equal(ok.status, 200, `${path}: ${await ok.clone().text()}`);
      await ok.body?.cancel();
      const res = await gw.post(path, body(other), { ...bearer(echo), ...headers });
      assert.equal(res.status, 403, path);
      const text = await res.text();
      assert.match(text, /permission_denied|permission_error/, path);
      assert.match(text, new RegExp(`'${other}'`), path);
      // The static key is unlimited.
      const free = await gw.post(path, body(other), { ...bearer(STATIC), ...headers });
      assert.equal(free.status, 200, path);
      await free.body?.cancel();
    }
    const key = echo;
    const listed = await (await gw.get("/v1/models", bearer(echo))).json();
    assert.deepEqual(
      listed.data.map((m: { id: string }) => m.id),
      ["mock-echo"],
      "listed: allowed only",
    );
    const everything = await (await gw.get("/v1/models", bearer(STATIC))).json();
    assert.ok(everything.data.length > 2);
    const stream = await gw.post(
      "/v1/chat/completions",
      chatBody("mock-slow", "x", { stream: true }),
      bearer(key),
    );
    assert.equal(stream.status, 403, "a stream is refused before it starts");
    await stream.body?.cancel();
  } finally {
    await gw.close();
  }
});

Deno.test("keys: admin routes — no key 401, static or virtual key 403, admin key 200", async () => {
  const gw = gateway();
  try {
    const { id, key } = await createKey(gw, { name: "user" });
    const routes: [string, string, unknown?][] = [
      ["POST", "/admin/keys", { name: "x" }],
      ["GET", "/admin/keys"],
      ["GET", `/admin/keys/${id}`],
      ["PATCH", `/admin/keys/${id}`, { name: "y" }],
      ["DELETE", `/admin/keys/${id}`],
    ];
    for (const [method, path, body] of routes) {
      const none = await gw.request(path, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      assert.equal((await errorOf(none, 401)).code, "invalid_api_key", `${method} ${path}`);
      for (const other of [STATIC, key]) {
        const e = await errorOf(await send(gw, method, path, other, body), 403);
        assert.deepEqual(
          [e.type, e.code],
          ["permission_error", "permission_denied"],
          `${method} ${path}`,
        );
      }
    }
    for (const [method, path, body] of routes) {
      const res = await send(gw, method, path, ADMIN, body);
      assert.equal(res.status, 200, `${method} ${path}: ${await res.clone().text()}`);
      await res.body?.cancel();
    }
    // The admin key is also a client key.
    assert.equal(
      (await gw.post("/v1/chat/completions", chatBody("mock-echo"), bearer(ADMIN))).status,
      200,
    );
    assert.equal((await send(gw, "PUT", "/admin/keys", ADMIN)).status, 405);
  } finally {
    await gw.close();
  }
});

Deno.test("keys: the first API_KEY is the admin key when ADMIN_API_KEY is unset", async () => {
  const gw = gateway({ API_KEY: "first-key,second-key" });
  try {
    assert.equal((await send(gw, "GET", "/admin/keys", "first-key")).status, 200);
    assert.equal((await send(gw, "GET", "/admin/keys", "second-key")).status, 403);
  } finally {
    await gw.close();
  }
});

Deno.test("keys: invalid fields are 400s naming the field; paging is validated", async () => {
  const gw = gateway();
  try {
    const cases: [unknown, string, RegExp][] = [
      [{ name: "x", rpm_limit: 0 }, "rpm_limit", /rpm_limit must be a positive integer/],
      [{ name: "x", tpm_limit: "lots" }, "tpm_limit", /tpm_limit must be a positive integer/],
      [{ name: "x", max_budget_usd: -3 }, "max_budget_usd", /max_budget_usd must be a positive/],
      [{ name: "x", budget_period: "hourly" }, "budget_period", /budget_period must be/],
      [{ name: "x", expires_at: "soon" }, "expires_at", /expires_at must be/],
      [{ name: "x", models: [1] }, "models.0", /each models entry must be a string/],
      [{ team: "t" }, "name", /name is required/],
      [{ name: "x", admin: true }, "admin", /unknown field 'admin'/],
    ];
    for (const [body, param, message] of cases) {
      const e = await errorOf(await send(gw, "POST", "/admin/keys", ADMIN, body), 400);
      assert.equal(e.type, "invalid_request_error");
      assert.equal(e.param, param);
      assert.match(e.message, message);
    }
    const notJson = await gw.request("/admin/keys", {
      method: "POST",
      headers: { ...bearer(ADMIN), "content-type": "application/json" },
      body: "{",
    });
    assert.equal(notJson.status, 400);
    await notJson.body?.cancel();
    const { id } = await createKey(gw, { name: "p" });
    const e = await errorOf(
      await send(gw, "PATCH", `/admin/keys/${id}`, ADMIN, { max_parallel: 0 }),
      400,
    );
    assert.equal(e.param, "max_parallel");
    assert.equal(
      (await errorOf(await send(gw, "GET", "/admin/keys?limit=0", ADMIN), 400)).param,
      "limit",
    );
    assert.equal(
      (await errorOf(await send(gw, "PATCH", "/admin/keys/key_nope", ADMIN, {}), 404)).code,
      "key_not_found",
    );
  } finally {
    await gw.close();
  }
});

Deno.test("keys: GET /admin/keys pages newest first, with after and has_more", async () => {
  const gw = gateway();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createKey(gw, { name: `k${i}` })).id);
    const all = await (await send(gw, "GET", "/admin/keys?order=asc", ADMIN)).json();
    assert.equal(all.object, "list");
    assert.deepEqual(all.data.map((k: { name: string }) => k.name), ["k0", "k1", "k2"]);
    const page =
      await (await send(gw, "GET", `/admin/keys?order=asc&limit=1&after=${all.data[0].id}`, ADMIN))
        .json();
    assert.deepEqual([page.data.map((k: { name: string }) => k.name), page.has_more], [
      ["k1"],
      true,
    ]);
    assert.ok(all.data.every((k: Record<string, unknown>) => !("key" in k) && !("hash" in k)));
    assert.deepEqual(new Set(all.data.map((k: { id: string }) => k.id)), new Set(ids));
  } finally {
    await gw.close();
  }
});

Deno.test("keys over tRPC: admin.keys.* for the admin only; chat with a virtual key keeps its allowlist", async () => {
  const gw = gateway();
  const client = (apiKey?: string) =>
    createGatewayClient({
      url: ORIGIN,
      apiKey,
      fetch: (input, init) => gw.handler(new Request(input, init)),
    });
  try {
    const admin = client(ADMIN);
    const created = await admin.admin.keys.create.mutate({
      name: "trpc",
      models: ["mock-echo"],
      metadata: { via: "trpc" },
    });
    assert.match(created.key, /^sk-gw-/);
    assert.equal((await admin.admin.keys.get.query({ id: created.id })).metadata?.via, "trpc");
    assert.deepEqual((await admin.admin.keys.list.query({ limit: 10 })).data.map((k) => k.id), [
      created.id,
    ]);
    const updated = await admin.admin.keys.update.mutate({ id: created.id, team: "blue" });
    assert.equal(updated.team, "blue");

    const user = client(created.key);
    const answer = await user.chat.complete.mutate(chatBody("mock-echo", "hello"));
    assert.equal(answer.object, "chat.completion");
    await assert.rejects(user.chat.complete.mutate(chatBody("mock-slow")), (error: unknown) => {
      assert.ok(error instanceof TRPCClientError);
      assert.equal(error.data?.code, "FORBIDDEN");
      assert.equal(error.data?.gateway?.code, "permission_denied");
      return true;
    });
    for (const other of [user, client(STATIC)]) {
      await assert.rejects(other.admin.keys.list.query(), (error: unknown) => {
        assert.ok(error instanceof TRPCClientError);
        assert.equal(error.data?.httpStatus, 403);
        assert.equal(error.data?.gateway?.code, "permission_denied");
        return true;
      });
    }
    await assert.rejects(
      client().admin.keys.list.query(),
      (error: unknown) => error instanceof TRPCClientError && error.data?.httpStatus === 401,
    );
    await assert.rejects(
      admin.admin.keys.create.mutate({ name: "x", rpm_limit: -1 }),
      (error: unknown) => {
        assert.ok(error instanceof TRPCClientError);
        assert.equal(error.data?.httpStatus, 400);
        assert.equal(error.data?.gateway?.param, "rpm_limit");
        assert.match(error.message, /rpm_limit must be a positive integer/);
        return true;
      },
    );
    assert.deepEqual(await admin.admin.keys.revoke.mutate({ id: created.id }), {
      id: created.id,
      object: "virtual_key",
      deleted: true,
    });
    await assert.rejects(
      user.chat.complete.mutate(chatBody("mock-echo")),
      (error: unknown) => error instanceof TRPCClientError && error.data?.httpStatus === 401,
    );
  } finally {
    await gw.close();
  }
});

Deno.test("keys: without API_KEY (loopback, auth off) a virtual key still keeps its allowlist", async () => {
  const gw = gateway({});
  try {
    const { key } = await createKey(gw, { name: "local", models: ["mock-echo"] });
    assert.equal(
      (await gw.post("/v1/chat/completions", chatBody("mock-slow"), bearer(key))).status,
      403,
    );
    assert.equal((await gw.post("/v1/chat/completions", chatBody("mock-slow"))).status, 200);
  } finally {
    await gw.close();
  }
});

Deno.test("keys: 400 generated create and update bodies answer 200 or a well-formed 400, never 5xx", async () => {
  const fc = (await import("fast-check")).default;
  const gw = gateway();
  try {
    const { id } = await createKey(gw, { name: "target" });
    const value = fc.oneof(
      fc.integer({ min: -5, max: 1e6 }),
      fc.double(),
      fc.string({ maxLength: 12 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
      fc.constantFrom("daily", "weekly", "monthly", "2030-01-31T00:00:00Z", "mock-*"),
    );
    const fields = [
      "name",
      "team",
      "models",
      "rpm_limit",
      "tpm_limit",
      "max_parallel",
      "max_budget_usd",
      "budget_period",
      "expires_at",
      "metadata",
      "enabled",
      "bogus",
    ];
    const body = fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 6 });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (b, update) => {
        const res = update
          ? await send(gw, "PATCH", `/admin/keys/${id}`, ADMIN, b)
          : await send(gw, "POST", "/admin/keys", ADMIN, b);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const answer = await res.json();
        if (res.status === 200) {
          assert.equal(answer.object, "virtual_key");
          return;
        }
        assert.equal(res.status, 400, JSON.stringify({ b, answer }));
        assert.equal(answer.error.type, "invalid_request_error");
        assert.equal(typeof answer.error.message, "string");
        assert.ok(answer.error.param === null || typeof answer.error.param === "string");
      }),
      { seed: 20_261_202, numRuns: 400 },
    );
    assert.ok(
      (statuses.get(200) ?? 0) > 10 && (statuses.get(400) ?? 0) > 10,
      JSON.stringify([...statuses]),
    );
  } finally {
    await gw.close();
  }
});

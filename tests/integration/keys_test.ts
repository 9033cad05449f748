/**
 * Virtual keys in process, over HTTP and tRPC, on a real SQLite store: the lifecycle (create →
 * use → restrict → 403 → revoke → 401), the allowlist on every API that names a model (chat,
 * `/v1/messages`, count_tokens, embeddings, Responses, tRPC chat), the admin routes' 401/403,
 * invalid fields as 400s naming them, the key's id in the access log and the key nowhere in it.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { createGatewayClient } from "../../routers/client.ts";
import { chatBody, ORIGIN } from "../helpers/app.ts";

import { ADMIN, bearer, createKey, errorOf, gateway, send, STATIC } from "../helpers/keys.ts";

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

/**
 * Virtual keys against spawned gateways, through the official `openai` client: a key limited to
 * an alias and a glob works for them and gets the SDK's PermissionDeniedError (403
 * `permission_denied`) for anything else; revoked, its requests get AuthenticationError (401
 * `invalid_api_key`, OpenAI's error shape). Then the revocation latency across two gateway
 * instances sharing one store — SQLite (one DATA_DIR) and PostgreSQL (one DATABASE_URL) —
 * measured: the other instance refuses the key within the 2 s poll interval.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { registerPostgresSkipped, tryStartPostgres } from "../helpers/postgres.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";

const ADMIN = "admin-e2e-key-5c8f";
const ALIAS_FILE = `providers:
  mock: {kind: mock}
models:
  - name: smart
    deployments:
      - {provider: mock, model: mock-echo}
`;

const clientOf = (gw: SpawnedGateway, apiKey: string) =>
  new OpenAI({ apiKey, baseURL: `${gw.url}/v1`, maxRetries: 0 });

/** `POST /admin/keys` with the admin key. */
async function createKey(gw: SpawnedGateway, body: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return await res.json() as { id: string; key: string };
}

async function revoke(gw: SpawnedGateway, id: string): Promise<void> {
  const res = await fetch(`${gw.url}/admin/keys/${id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
}

const ask = (client: OpenAI, model: string) =>
  client.chat.completions.create({ model, messages: [{ role: "user", content: "hi there" }] });

Deno.test("openai SDK with a virtual key: alias and glob allowed, others 403, revoked 401", async () => {
  await using gw = await spawnGateway(
    { API_KEY: `static-e2e-key,${ADMIN}`, ADMIN_API_KEY: ADMIN, WORKERS: "2" },
    { files: { "gateway.yaml": ALIAS_FILE } },
  );
  const { id, key } = await createKey(gw, { name: "sdk", models: ["smart", "mock-em*"] });
  const client = clientOf(gw, key);
  // Created a moment ago on one worker: the other worker finds it at once (its miss polls).
  for (let i = 0; i < 6; i++) {
    assert.equal((await ask(client, "smart")).choices[0].message.content, "hi there");
  }
  const embedded = await client.embeddings.create({ model: "mock-embed", input: "x" });
  assert.equal(embedded.data.length, 1);
  await assert.rejects(ask(client, "mock-echo"), (error: unknown) => {
    assert.ok(error instanceof OpenAI.PermissionDeniedError, String(error));
    assert.equal(error.status, 403);
    assert.equal(error.code, "permission_denied");
    assert.equal(error.type, "permission_error");
    assert.equal(error.param, "model");
    assert.match(error.message, /may not use the model 'mock-echo'/);
    return true;
  });
  await assert.rejects(
    client.responses.create({ model: "mock-slow", input: "x" }),
    OpenAI.PermissionDeniedError,
  );
  await revoke(gw, id);
  await new Promise((r) => setTimeout(r, 2_100)); // the other worker's poll interval
  for (let i = 0; i < 4; i++) {
    await assert.rejects(ask(client, "smart"), (error: unknown) => {
      assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.code, "invalid_api_key");
      assert.equal(error.type, "authentication_error");
      return true;
    });
  }
  const logs = gw.stdout() + gw.stderr();
  assert.ok(!logs.includes(key.slice(10)), "the key is never logged");
  assert.ok(gw.logs().some((l) => l.key_id === id), "the key's id is");
});

/** Revokes a key on `a` and measures how long until `b` refuses it (polling every 25 ms). */
async function revocationLatency(a: SpawnedGateway, b: SpawnedGateway): Promise<number> {
  const { id, key } = await createKey(a, { name: "latency" });
  const onB = clientOf(b, key);
  assert.ok(await ask(onB, "mock-echo"), "B knows a key A created (its miss polls)");
  await new Promise((r) => setTimeout(r, 300)); // B's cache is now older than its miss poll
  await revoke(a, id);
  const revoked = performance.now();
  while (true) {
    const refused = await ask(onB, "mock-echo").then(() => false, (error) => {
      assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
      return true;
    });
    const elapsed = performance.now() - revoked;
    if (refused) return elapsed;
    assert.ok(elapsed < 5_000, "B still accepts the key after 5 s");
    await new Promise((r) => setTimeout(r, 25));
  }
}

Deno.test("revocation reaches another instance on the same SQLite file within 2 s", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "keys-latency-" });
  try {
    const env = { ADMIN_API_KEY: ADMIN, DATA_DIR: dataDir };
    await using a = await spawnGateway(env);
    await using b = await spawnGateway({ ...env, WORKERS: "2" });
    const ms = await revocationLatency(a, b);
    console.log(`revocation latency (sqlite, two instances): ${Math.round(ms)} ms`);
    assert.ok(ms <= 2_300, `${ms} ms`);
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

const pg = await tryStartPostgres();
if (pg.server === undefined) {
  registerPostgresSkipped("keys e2e postgres", pg.reason);
} else {
  const server = pg.server;
  Deno.test("revocation reaches another instance on the same PostgreSQL within 2 s", async () => {
    try {
      const env = { ADMIN_API_KEY: ADMIN, DATABASE_URL: server.url };
      await using a = await spawnGateway(env);
      await using b = await spawnGateway(env);
      const ms = await revocationLatency(a, b);
      console.log(`revocation latency (postgres, two instances): ${Math.round(ms)} ms`);
      assert.ok(ms <= 2_300, `${ms} ms`);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
}

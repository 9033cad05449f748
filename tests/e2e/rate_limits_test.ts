/**
 * Rate limits against spawned gateways: through the official `openai` client (a 429 is its
 * RateLimitError with status 429, code `rate_limit_exceeded` and the `x-ratelimit-*` headers
 * readable from the error; a success's headers through `.withResponse()`), an RPM limit held
 * across `WORKERS=2` (one in-memory table shared by the workers: exact), two gateway instances
 * sharing one real `redis-server` (one Lua script per decision: exact), and the start-up line of
 * an unreachable Redis with `REDIS_FAIL_CLOSED=true`.
 *
 * Tolerance: none beyond the window's — a unit comes back 60–61 s after it was spent, and these
 * tests finish well inside one minute, so exactly the limit is admitted.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { registerRedisSkipped, tryStartRedis } from "../helpers/redis.ts";
import { freePort, runGateway, type SpawnedGateway, spawnGateway } from "../helpers/server.ts";

const ADMIN = "admin-e2e-limits-3f1a";
const ENV = { API_KEY: `static-e2e-limits,${ADMIN}`, ADMIN_API_KEY: ADMIN };

async function createKey(gw: SpawnedGateway, body: Record<string, unknown>) {
  const res = await fetch(`${gw.url}/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "e2e-limits", ...body }),
  });
  assert.equal(res.status, 200);
  return await res.json() as { id: string; key: string };
}

/** One chat request on a connection of its own (so SO_REUSEPORT spreads them over the
 * workers); its status. */
async function askOnNewConnection(
  gw: SpawnedGateway,
  key: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const client = Deno.createHttpClient({});
  try {
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      client,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "mock-echo",
        messages: [{ role: "user", content: "hi" }],
        ...extra,
      }),
    });
    await res.body?.cancel();
    return res.status;
  } finally {
    client.close();
  }
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

Deno.test("openai SDK: a 429 is RateLimitError with rate_limit_exceeded and readable x-ratelimit-* headers", async () => {
  await using gw = await spawnGateway({ ...ENV, WORKERS: "2" });
  const { key } = await createKey(gw, { rpm_limit: 3, tpm_limit: 10_000 });
  const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
  const ask = () =>
    client.chat.completions.create({
      model: "mock-echo",
      max_tokens: 50,
      messages: [{ role: "user", content: "hello there" }],
    });
  const remaining: string[] = [];
  for (let i = 0; i < 3; i++) {
    const { data, response } = await ask().withResponse();
    assert.equal(data.choices[0].message.content, "hello there");
    assert.equal(response.headers.get("x-ratelimit-limit-requests"), "3");
    assert.equal(response.headers.get("x-ratelimit-limit-tokens"), "10000");
    assert.ok(response.headers.get("x-ratelimit-reset-requests"));
    assert.ok(Number(response.headers.get("x-ratelimit-remaining-tokens")) < 10_000);
    remaining.push(response.headers.get("x-ratelimit-remaining-requests")!);
  }
  assert.deepEqual(remaining, ["2", "1", "0"]);
  const error = await ask().then(
    () => assert.fail("the fourth request was admitted"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof OpenAI.RateLimitError, String(error));
  assert.equal(error.status, 429);
  assert.equal(error.code, "rate_limit_exceeded");
  assert.equal(error.type, "rate_limit_error");
  assert.match(error.message, /requests per minute \(RPM\): limit 3, used 3/);
  assert.equal(error.headers?.get("x-ratelimit-limit-requests"), "3");
  assert.equal(error.headers?.get("x-ratelimit-remaining-requests"), "0");
  assert.ok(Number(error.headers?.get("retry-after")) >= 1);
  // The start-up log names the limiter once, not once per worker.
  const announced = gw.logs().filter((l) => String(l.msg).startsWith("rate limits:"));
  assert.deepEqual(announced.map((l) => l.msg), [
    "rate limits: in memory (shared by this instance's workers)",
  ]);
});

Deno.test("WORKERS=2: one RPM limit across both workers (exactly the limit admitted)", async () => {
  await using gw = await spawnGateway({ ...ENV, WORKERS: "2" });
  const { key } = await createKey(gw, { rpm_limit: 10 });
  // 30 requests on 30 connections at once: the kernel spreads them over both workers (all on
  // one worker has a chance of 2^-29).
  const statuses = await Promise.all(
    Array.from({ length: 30 }, () => askOnNewConnection(gw, key)),
  );
  assert.equal(count(statuses, 200), 10, JSON.stringify(statuses));
  assert.equal(count(statuses, 429), 20);
});

/** A mock request reserving exactly what it uses: 1 prompt token ("hi") + max_tokens 1, and the
 * echo answers 1 + 1. */
const TWO_TOKENS = { max_tokens: 1 };

Deno.test("WORKERS=2: one TPM limit across both workers (exactly the limit admitted)", async () => {
  await using gw = await spawnGateway({ ...ENV, WORKERS: "2" });
  const { key } = await createKey(gw, { tpm_limit: 20 });
  const statuses = await Promise.all(
    Array.from({ length: 30 }, () => askOnNewConnection(gw, key, TWO_TOKENS)),
  );
  assert.equal(count(statuses, 200), 10, JSON.stringify(statuses));
  assert.equal(count(statuses, 429), 20);
});

Deno.test("an unreachable REDIS_URL with REDIS_FAIL_CLOSED=true stops start-up with one line", async () => {
  const { code, stderr } = await runGateway({
    ...ENV,
    REDIS_URL: `redis://:hunter2@127.0.0.1:${freePort()}`,
    REDIS_FAIL_CLOSED: "true",
  });
  assert.equal(code, 1);
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.match(
    lines[0],
    /^Cannot start: REDIS_URL redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ cannot be reached/,
  );
  assert.match(lines[0], /REDIS_FAIL_CLOSED=true$/);
  assert.doesNotMatch(stderr, /hunter2/);
});

const started = await tryStartRedis();
if (started.server === undefined) {
  registerRedisSkipped("redis limiter", started.reason);
} else {
  const redis = started.server;
  Deno.test("redis limiter: two gateway instances sharing one redis-server hold one TPM limit", async () => {
    const dataDir = Deno.makeTempDirSync({ prefix: "limits-shared-tpm-" });
    const env = { ...ENV, REDIS_URL: redis.url, DATA_DIR: dataDir, WORKERS: "1" };
    try {
      await using a = await spawnGateway(env);
      await using b = await spawnGateway(env);
      const { key } = await createKey(a, { tpm_limit: 16 });
      const statuses = await Promise.all(
        Array.from({ length: 16 }, (_, i) => askOnNewConnection(i % 2 ? a : b, key, TWO_TOKENS)),
      );
      assert.equal(count(statuses, 200), 8, JSON.stringify(statuses));
      assert.equal(count(statuses, 429), 8);
    } finally {
      Deno.removeSync(dataDir, { recursive: true });
    }
  });

  Deno.test("redis limiter: two gateway instances sharing one redis-server hold one RPM limit", async () => {
    try {
      const dataDir = Deno.makeTempDirSync({ prefix: "limits-shared-store-" });
      const env = { ...ENV, REDIS_URL: redis.url, DATA_DIR: dataDir, WORKERS: "1" };
      try {
        await using a = await spawnGateway(env);
        await using b = await spawnGateway(env);
        for (const gw of [a, b]) {
          const line = gw.logs().find((l) => String(l.msg).startsWith("rate limits:"));
          assert.match(String(line?.msg), new RegExp(`^rate limits: redis .*${redis.port}`));
        }
        const { key } = await createKey(a, { rpm_limit: 8 });
        // b has not seen the key: its first lookup misses and polls the shared store at once.
        const statuses: number[] = [];
        for (let i = 0; i < 8; i++) {
          // Alternating instances, two at a time.
          statuses.push(
            ...await Promise.all([askOnNewConnection(a, key), askOnNewConnection(b, key)]),
          );
        }
        assert.equal(count(statuses, 200), 8, JSON.stringify(statuses));
        assert.equal(count(statuses, 429), 8);
        // Each instance served some: the limit is shared, not per instance.
        const served = (gw: SpawnedGateway) =>
          gw.logs().filter((l) => l.msg === "request" && l.status === 200 && l.key_id).length;
        assert.equal(served(a) + served(b), 8);
        assert.ok(served(a) > 0 && served(b) > 0, `a ${served(a)}, b ${served(b)}`);
      } finally {
        Deno.removeSync(dataDir, { recursive: true });
      }
    } finally {
      await redis.stop();
    }
  });
}

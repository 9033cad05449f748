/**
 * Rate limits on requests, in process through the real app (virtual keys created through
 * `/admin/keys` on a real SQLite store, the real `openai` SDK provider against the fake OpenAI
 * upstream, the in-memory limiter): RPM (the N+1th request is a 429 with `Retry-After` and
 * OpenAI's `x-ratelimit-*` headers), TPM (reservations refunded to the actual usage, overruns
 * counted), `max_parallel` with open streams, per-model limits from the config, and leases that
 * come back after errors, cancellations, failovers and tRPC calls.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import type { AliasConfig } from "../../core/deployments/schema.ts";
import { createLogger } from "../../core/logger.ts";
import { openRateLimiter } from "../../core/limits/open.ts";
import { createRateLimitBuffer } from "../../core/limits/memory_limiter.ts";
import type { ModelLimits } from "../../core/limits/schema.ts";
import type { Store } from "../../core/store/store.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import { createGatewayClient } from "../../routers/client.ts";
import {
  chatBody,
  ORIGIN,
  type TestApp,
  testApp,
  type TestAppOptions,
  testAppWithInstances,
} from "../helpers/app.ts";
import {
  completion,
  errorReply,
  type FakeOpenAI,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { freePort } from "../helpers/server.ts";

const ADMIN = "admin-key-51aa";
const STATIC = "static-key-77c3";
const MODEL = "gpt-4o-mini";

interface Gateway extends TestApp {
  store: Store;
  close(): Promise<void>;
}

/** The gateway over a fresh SQLite store, OpenAI at `fake`. */
function gateway(fake: FakeOpenAI, options: Omit<TestAppOptions, "store"> = {}): Gateway {
  const dir = Deno.makeTempDirSync({ prefix: "limits-test-" });
  const store = openSqliteStore({ dataDir: dir });
  const env = {
    API_KEY: STATIC,
    ADMIN_API_KEY: ADMIN,
    OPENAI_API_KEY: "k",
    OPENAI_BASE_URL: fake.url,
  };
  const gw = testApp(env, { store, ...options });
  return closing(gw, store, dir);
}

/** Two OpenAI upstreams `a` and `b`, the alias `pool` (failover a → b) and `modelLimits`. */
function poolGateway(a: FakeOpenAI, b: FakeOpenAI, modelLimits: ModelLimits = {}): Gateway {
  const dir = Deno.makeTempDirSync({ prefix: "limits-test-" });
  const store = openSqliteStore({ dataDir: dir });
  const aliases: AliasConfig[] = [{
    name: "pool",
    strategy: "failover",
    deployments: [
      { provider: "a", model: MODEL, weight: 1 },
      { provider: "b", model: MODEL, weight: 1 },
    ],
  }];
  const gw = testAppWithInstances({
    instances: [
      { id: "a", kind: "openai", settings: { api_key: "k", base_url: a.url } },
      { id: "b", kind: "openai", settings: { api_key: "k", base_url: b.url } },
    ],
    aliases,
    modelLimits,
    store,
  }, { API_KEY: STATIC, ADMIN_API_KEY: ADMIN });
  return closing(gw, store, dir);
}

function closing(gw: TestApp, store: Store, dir: string): Gateway {
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

/** Creates a virtual key; returns the key. */
async function keyWith(gw: TestApp, limits: Record<string, unknown>): Promise<string> {
  const res = await gw.post("/admin/keys", { name: "limited", ...limits }, bearer(ADMIN));
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).key;
}

/** The `x-ratelimit-*` headers of a response. */
function limitHeaders(res: Response): Record<string, string> {
  return Object.fromEntries([...res.headers].filter(([name]) => name.startsWith("x-ratelimit-")));
}

async function chat(gw: TestApp, key: string, body: unknown = chatBody(MODEL)) {
  const res = await gw.post("/v1/chat/completions", body, bearer(key));
  await res.body?.cancel();
  return res;
}

async function refusal(res: Response) {
  assert.equal(res.status, 429);
  return (await res.json()).error as { type: string; code: string; message: string };
}

/** Waits until `check` holds (settlements after a stream ends run as it closes). */
async function until(check: () => Promise<boolean> | boolean, what: string, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("RPM: the N+1th request is a 429 with Retry-After and x-ratelimit-* headers", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { rpm_limit: 3 });
    fake.respondWith(() => completion());
    for (const remaining of ["2", "1", "0"]) {
      const res = await chat(gw, key);
      assert.equal(res.status, 200);
      const headers = limitHeaders(res);
      assert.equal(headers["x-ratelimit-limit-requests"], "3");
      assert.equal(headers["x-ratelimit-remaining-requests"], remaining);
      assert.match(headers["x-ratelimit-reset-requests"], /^(\d+m)?\d+(\.\d+)?s$|^\d+ms$/);
      // Only the limits that are set have headers.
      assert.equal(headers["x-ratelimit-limit-tokens"], undefined);
    }
    const res = await gw.post("/v1/chat/completions", chatBody(MODEL), bearer(key));
    const retryAfter = Number(res.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 61, `retry-after ${retryAfter}`);
    assert.equal(limitHeaders(res)["x-ratelimit-remaining-requests"], "0");
    assert.equal(limitHeaders(res)["x-ratelimit-limit-requests"], "3");
    const error = await refusal(res);
    assert.equal(error.type, "rate_limit_error");
    assert.equal(error.code, "rate_limit_exceeded");
    assert.match(error.message, /requests per minute \(RPM\): limit 3, used 3/);
    assert.equal(fake.chatRequests.length, 3, "the refused request never went upstream");
    // Another key, and a static key, are not affected (and the static key gets no headers).
    const other = await keyWith(gw, { rpm_limit: 3 });
    assert.equal((await chat(gw, other)).status, 200);
    const unlimited = await chat(gw, STATIC);
    assert.equal(unlimited.status, 200);
    assert.deepEqual(limitHeaders(unlimited), {});
    // The Anthropic envelope carries the same 429 and headers.
    const messages = await gw.post("/v1/messages", {
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    }, { ...bearer(key), "anthropic-version": "2023-06-01" });
    assert.equal(messages.status, 429);
    assert.ok(messages.headers.get("retry-after"));
    assert.equal(limitHeaders(messages)["x-ratelimit-limit-requests"], "3");
    assert.equal((await messages.json()).error.type, "rate_limit_error");
  } finally {
    await gw.close();
  }
});

Deno.test("TPM: reservations are refunded to the actual usage, so later requests get in", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { tpm_limit: 100 });
    const usage = { prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 };
    // "Hello there" is 3 tokens by the estimate; max_tokens 40: each request reserves 43.
    const body = chatBody(MODEL, "Hello there", { max_tokens: 40 });
    for (let i = 0; i < 6; i++) fake.script(completion({ content: "ok", usage }));
    for (let i = 0; i < 6; i++) {
      const res = await chat(gw, key, body);
      assert.equal(res.status, 200, `request ${i + 1}`);
      const headers = limitHeaders(res);
      assert.equal(headers["x-ratelimit-limit-tokens"], "100");
      // After it: the earlier requests' actual 10 each, and this one's reservation of 43.
      assert.equal(headers["x-ratelimit-remaining-tokens"], String(100 - 10 * i - 43));
      assert.equal(headers["x-ratelimit-limit-requests"], undefined);
    }
    // Without refunds the third request would have been refused (3 × 43 > 100).
    const res = await gw.post("/v1/chat/completions", body, bearer(key));
    const error = await refusal(res);
    assert.match(error.message, /tokens per minute \(TPM\): limit 100, used 60, requested 43/);
    assert.ok(Number(res.headers.get("retry-after")) >= 1);
  } finally {
    await gw.close();
  }
});

Deno.test("TPM: an answer over its reservation is counted; a request alone over the limit is refused for good", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { tpm_limit: 100 });
    fake.script(completion({
      content: "long",
      usage: { prompt_tokens: 10, completion_tokens: 89, total_tokens: 99 },
    }));
    // No max_tokens: the reservation is the prompt's 3 tokens; the answer used 99.
    const first = await chat(gw, key);
    assert.equal(first.status, 200);
    assert.equal(limitHeaders(first)["x-ratelimit-remaining-tokens"], "97");
    const res = await gw.post("/v1/chat/completions", chatBody(MODEL), bearer(key));
    assert.match((await refusal(res)).message, /TPM\): limit 100, used 99, requested 3/);
    // A request whose own estimate is over the limit: no Retry-After (waiting cannot help).
    const fresh = await keyWith(gw, { tpm_limit: 100 });
    const big = await gw.post(
      "/v1/chat/completions",
      chatBody(MODEL, "hi", { max_tokens: 500 }),
      bearer(fresh),
    );
    assert.equal(big.headers.get("retry-after"), null);
    assert.match((await refusal(big)).message, /Request too large for tokens per minute/);
    assert.equal(fake.chatRequests.length, 1);
  } finally {
    await gw.close();
  }
});

Deno.test("max_parallel: open streams hold their slots; a cancelled stream gives its slot back", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { max_parallel: 2, rpm_limit: 100 });
    const open = () => streamReply(textDeltas(["Hi", " there"]), { end: "hang" });
    fake.script(open(), open(), open());
    const streaming = chatBody(MODEL, "hi", { stream: true });
    const one = await gw.post("/v1/chat/completions", streaming, bearer(key));
    const two = await gw.post("/v1/chat/completions", streaming, bearer(key));
    assert.equal(one.status, 200);
    assert.equal(two.status, 200);
    // Streams carry the headers too.
    assert.equal(limitHeaders(two)["x-ratelimit-remaining-requests"], "98");
    const reader = one.body!.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /chat\.completion\.chunk/);
    const third = await gw.post("/v1/chat/completions", streaming, bearer(key));
    const error = await refusal(third);
    assert.match(error.message, /Too many requests in flight: the limit is 2 at once/);
    assert.equal(limitHeaders(third)["x-ratelimit-limit-requests"], "100");
    await reader.cancel(); // the client leaves mid-stream
    await two.body!.cancel(); // … and before reading anything
    const after = await gw.post("/v1/chat/completions", streaming, bearer(key));
    assert.equal(after.status, 200, "both slots came back");
    await after.body!.cancel();
    // Encoded streams (here Anthropic events) too, cancelled before a byte was read.
    for (let i = 0; i < 3; i++) {
      fake.script(open());
      const encoded = await gw.post(
        "/v1/chat/completions?target_format=bedrock_claude",
        streaming,
        bearer(key),
      );
      assert.equal(encoded.status, 200, `encoded stream ${i + 1}`);
      await encoded.body!.cancel();
    }
  } finally {
    await gw.close();
  }
});

Deno.test("max_parallel: slots come back after upstream errors, failed streams and client aborts", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { max_parallel: 1 });
    const next = async (expected: number) => {
      fake.script(completion());
      const res = await chat(gw, key);
      assert.equal(res.status, expected);
    };
    fake.script(errorReply(400));
    assert.equal((await chat(gw, key)).status, 400);
    await next(200);
    fake.script(errorReply(500));
    assert.equal((await chat(gw, key)).status, 502);
    await next(200);
    // A stream cut after its first chunk (the error is an event of the 200 stream).
    fake.script(streamReply(textDeltas(["a", "b"]), { end: "drop" }));
    const cut = await gw.post(
      "/v1/chat/completions",
      chatBody(MODEL, "hi", { stream: true }),
      bearer(key),
    );
    assert.equal(cut.status, 200);
    assert.match(await cut.text(), /"error"/);
    await next(200);
    // A non-streaming request the client gives up on while the upstream is still thinking.
    fake.script({ kind: "hang" });
    const abort = new AbortController();
    const pending = gw.post("/v1/chat/completions", chatBody(MODEL), bearer(key), abort.signal);
    await until(() => fake.chatRequests.length === 7, "the hanging request upstream");
    abort.abort();
    await pending.then((r) => r.body?.cancel(), () => {});
    await until(async () => {
      fake.script(completion());
      return (await chat(gw, key)).status === 200;
    }, "the aborted request's slot");
    // A model the router does not know: refused after admission, the slot comes back.
    const unknown = await chat(gw, key, chatBody("no-such-model-x"));
    assert.equal(unknown.status, 404);
    await next(200);
  } finally {
    await gw.close();
  }
});

Deno.test("one acquire per client request: a failover is not counted twice; its slot comes back", async () => {
  await using a = await startFakeOpenAI();
  await using b = await startFakeOpenAI();
  const gw = poolGateway(a, b);
  try {
    const key = await keyWith(gw, { rpm_limit: 2, max_parallel: 1 });
    a.script(errorReply(500));
    b.script(completion({ content: "from b" }));
    const res = await chat(gw, key, chatBody("pool"));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-gateway-deployment"), `b/${MODEL}`);
    assert.equal(
      limitHeaders(res)["x-ratelimit-remaining-requests"],
      "1",
      "two attempts, one request",
    );
    a.script(errorReply(503));
    b.script(streamReply(textDeltas(["x"])));
    const stream = await gw.post(
      "/v1/chat/completions",
      chatBody("pool", "hi", { stream: true }),
      bearer(key),
    );
    assert.equal(stream.status, 200);
    assert.equal(limitHeaders(stream)["x-ratelimit-remaining-requests"], "0");
    await stream.text();
    const third = await gw.post("/v1/chat/completions", chatBody("pool"), bearer(key));
    assert.equal((await refusal(third)).code, "rate_limit_exceeded");
  } finally {
    await gw.close();
  }
});

Deno.test("per-model limits from the config hold for every caller; the key's headers win", async () => {
  await using a = await startFakeOpenAI();
  await using b = await startFakeOpenAI();
  const gw = poolGateway(a, b, { pool: { rpm: 3 }, [`a/${MODEL}`]: { tpm: 50 } });
  try {
    a.respondWith(() =>
      completion({ usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 } })
    );
    const key = await keyWith(gw, { rpm_limit: 10 });
    const staticRes = await chat(gw, STATIC, chatBody("pool"));
    assert.equal(staticRes.status, 200);
    // A static key's request to a limited model has the model's headers.
    assert.equal(limitHeaders(staticRes)["x-ratelimit-limit-requests"], "3");
    assert.equal(limitHeaders(staticRes)["x-ratelimit-remaining-requests"], "2");
    const keyed = await chat(gw, key, chatBody("pool"));
    assert.equal(limitHeaders(keyed)["x-ratelimit-limit-requests"], "10", "the key's own limit");
    assert.equal(limitHeaders(keyed)["x-ratelimit-remaining-requests"], "9");
    assert.equal((await chat(gw, STATIC, chatBody("pool"))).status, 200);
    const refused = await gw.post("/v1/chat/completions", chatBody("pool"), bearer(key));
    // Refused by the model's limit: the 429 shows that limit.
    assert.equal(limitHeaders(refused)["x-ratelimit-limit-requests"], "3");
    assert.match((await refusal(refused)).message, /RPM\): limit 3, used 3/);
    // The model's limit is by the name asked for: the deployment's own id is another one.
    const direct = await chat(gw, STATIC, chatBody(`a/${MODEL}`));
    assert.equal(direct.status, 200);
    assert.equal(limitHeaders(direct)["x-ratelimit-limit-tokens"], "50");
    // Unlimited models carry no headers for a static key.
    assert.deepEqual(limitHeaders(await chat(gw, STATIC, chatBody(`b/${MODEL}`))), {});
  } finally {
    await gw.close();
  }
});

Deno.test("embeddings and Responses are limited too; count_tokens and model listings are not", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { rpm_limit: 2 });
    const embed = await gw.post(
      "/v1/embeddings",
      { model: "text-embedding-3-small", input: "hi" },
      bearer(key),
    );
    assert.equal(embed.status, 200, await embed.clone().text());
    assert.equal(limitHeaders(embed)["x-ratelimit-remaining-requests"], "1");
    for (let i = 0; i < 3; i++) {
      const count = await gw.post("/v1/messages/count_tokens", {
        model: "mock-echo",
        messages: [{ role: "user", content: "hi" }],
      }, { ...bearer(key), "anthropic-version": "2023-06-01" });
      assert.equal(count.status, 200);
      assert.deepEqual(limitHeaders(count), {});
      assert.equal((await gw.get("/v1/models", bearer(key))).status, 200);
    }
    const responses = await gw.post(
      "/v1/responses",
      { model: "mock-echo", input: "hi" },
      bearer(key),
    );
    assert.equal(responses.status, 200, await responses.clone().text());
    assert.equal(limitHeaders(responses)["x-ratelimit-remaining-requests"], "0");
    const refused = await gw.post(
      "/v1/responses",
      { model: "mock-echo", input: "hi" },
      bearer(key),
    );
    assert.equal(refused.status, 429);
    assert.ok(refused.headers.get("retry-after"));
    assert.equal((await refused.json()).error.code, "rate_limit_exceeded");
  } finally {
    await gw.close();
  }
});

Deno.test("tRPC: chat.complete and chat.stream are limited; a cancelled tRPC stream frees its slot", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { max_parallel: 1, rpm_limit: 50 });
    const client = createGatewayClient({
      url: ORIGIN,
      apiKey: key,
      fetch: (input, init) => gw.handler(new Request(input, init)),
    });
    const messages = [{ role: "user" as const, content: "hi" }];
    fake.script(completion({ content: "one" }));
    const done = await client.chat.complete.mutate({ model: MODEL, messages });
    assert.equal(done.choices[0].message.content, "one");
    fake.script(streamReply(textDeltas(["a", "b"]), { end: "hang" }));
    const abort = new AbortController();
    const stream = await client.chat.stream.mutate({ model: MODEL, messages }, {
      signal: abort.signal,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    // The one slot is taken by the open stream.
    await assert.rejects(
      () => client.chat.complete.mutate({ model: MODEL, messages }),
      (error: unknown) => error instanceof TRPCClientError && error.data?.httpStatus === 429,
    );
    // On the wire: the 429 carries Retry-After and the key's headers, as over HTTP.
    const raw = await gw.handler(
      new Request(`${ORIGIN}/trpc/chat.complete`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ json: { model: MODEL, messages } }),
      }),
    );
    assert.equal(raw.status, 429);
    assert.ok(Number(raw.headers.get("retry-after")) >= 1, String(raw.headers.get("retry-after")));
    assert.equal(raw.headers.get("x-ratelimit-limit-requests"), "50");
    await raw.body?.cancel();
    abort.abort();
    await iterator.return?.().catch(() => {});
    await until(async () => {
      fake.script(completion({ content: "again" }));
      try {
        await client.chat.complete.mutate({ model: MODEL, messages });
        return true;
      } catch {
        return false;
      }
    }, "the tRPC stream's slot");
  } finally {
    await gw.close();
  }
});

Deno.test("an unreachable Redis (fail-open) serves limited keys per instance with one warning", async () => {
  await using fake = await startFakeOpenAI();
  const lines: string[] = [];
  const logger = createLogger("info", (line) => lines.push(line));
  const limiter = await openRateLimiter({
    settings: { redisUrl: `redis://127.0.0.1:${freePort()}`, redisFailClosed: false },
    buffer: createRateLimitBuffer(64),
    logger,
    redisTimeoutMs: 200,
  });
  const gw = gateway(fake, { limiter });
  try {
    const key = await keyWith(gw, { rpm_limit: 4 });
    fake.respondWith(() => completion());
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await chat(gw, key)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429], "counted in memory meanwhile");
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) =>
      l.level === "warn" && /REDIS_URL|redis:/.test(l.msg)
    );
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
  } finally {
    await limiter.close();
    await gw.close();
  }
});

Deno.test("an unreachable Redis with REDIS_FAIL_CLOSED=true: limited keys get 503, others are served", async () => {
  await using fake = await startFakeOpenAI();
  const logger = createLogger("error", () => {});
  const port = freePort();
  // At start the limiter refuses to open (main.ts stops with its line); here it is opened
  // fail-open and then configured to refuse, as after Redis went away while serving.
  const { RedisRateLimiter } = await import("../../core/limits/redis_limiter.ts");
  const { MemoryRateLimiter } = await import("../../core/limits/memory_limiter.ts");
  const limiter = new RedisRateLimiter({
    url: `redis://127.0.0.1:${port}`,
    fallback: new MemoryRateLimiter(createRateLimitBuffer(64)),
    failClosed: true,
    logger,
    timeoutMs: 200,
  });
  const gw = gateway(fake, { limiter });
  try {
    const key = await keyWith(gw, { rpm_limit: 4 });
    fake.respondWith(() => completion());
    const res = await gw.post("/v1/chat/completions", chatBody(MODEL), bearer(key));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "1");
    assert.equal((await res.json()).error.code, "rate_limiter_unavailable");
    assert.equal((await chat(gw, STATIC)).status, 200);
    assert.equal(fake.chatRequests.length, 1);
  } finally {
    await limiter.close();
    await gw.close();
  }
});

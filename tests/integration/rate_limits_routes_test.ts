/**
 * Rate limits on every route through the real app on a real SQLite store, with the fake OpenAI
 * upstream: one acquire per client request across a failover, per-model limits for every caller,
 * embeddings and Responses limited (count_tokens and listings not), tRPC calls and streams with
 * Retry-After on the wire, and a Redis that cannot be reached (fail-open with one warning, fail-
 * closed with 503s).
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { createLogger } from "../../core/logger.ts";
import { openRateLimiter } from "../../core/limits/open.ts";
import { createRateLimitBuffer } from "../../core/limits/memory_limiter.ts";
import { createGatewayClient } from "../../routers/client.ts";
import { chatBody, ORIGIN } from "../helpers/app.ts";
import {
  completion,
  errorReply,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { freePort } from "../helpers/server.ts";
import {
  bearer,
  chat,
  gateway,
  keyWith,
  limitHeaders,
  MODEL,
  poolGateway,
  refusal,
  STATIC,
  until,
} from "../helpers/rate_limits.ts";

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

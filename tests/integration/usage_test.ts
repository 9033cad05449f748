/**
 * Usage records through the real app on a real SQLite store, with the fake OpenAI upstream:
 * one row per routed request — a JSON answer, a stream, a stream the client cancels, a failover
 * (one row, for the deployment that answered), a failed request — and none for requests that
 * never reached the router; a stalled store (requests still answer at once, drops counted in
 * /metrics); tRPC calls and streams. The usage API is in `usage_api_test.ts`.
 */
import assert from "node:assert/strict";
import { routerSchema } from "../../core/deployments/schema.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import type { UsageRecord } from "../../core/store/store.ts";
import { createUsageWriter } from "../../core/usage/writer.ts";
import { createGatewayClient } from "../../routers/client.ts";
import {
  completion,
  errorReply,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { chatBody, ORIGIN, testApp, testAppWithInstances } from "../helpers/app.ts";
import { readEvents, readSse } from "../helpers/sse.ts";
import {
  accessLogged,
  ADMIN,
  bearer,
  gateway,
  MINI_COST,
  STATIC,
  virtualKey,
} from "../helpers/usage.ts";

Deno.test("usage: a JSON answer is one row with key, team, model, deployment, tokens and cost", async () => {
  await using t = await gateway();
  const key = await virtualKey(t.gw);
  t.fake.script(completion({ content: "hi" }));
  const res = await t.gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"), {
    ...bearer(key.key),
    "x-request-id": "usage-json-1",
  });
  assert.equal(res.status, 200);
  await res.body?.cancel();
  const rows = await t.rows();
  assert.equal(rows.length, 1, "one row; the admin call made none");
  const row = rows[0];
  assert.equal(row.request_id, "usage-json-1");
  assert.equal(row.key_id, key.id);
  assert.equal(row.team, "red");
  assert.equal(row.route, "/v1/chat/completions");
  assert.equal(row.model, "gpt-4o-mini");
  assert.equal(row.provider, "openai");
  assert.equal(row.deployment, "openai/gpt-4o-mini");
  assert.deepEqual(
    [row.input_tokens, row.cached_tokens, row.output_tokens, row.reasoning_tokens].map(Number),
    [11, 0, 7, 0],
  );
  assert.ok(Math.abs(Number(row.cost_usd) - MINI_COST) < 1e-12, String(row.cost_usd));
  assert.equal(Number(row.status), 200);
  assert.equal(row.error_code, null);
  assert.ok(Number(row.latency_ms) > 0);
  assert.ok(Number(row.ttft_ms) > 0);
  assert.ok(Math.abs(Number(row.time) - Date.now()) < 10_000, "time is unix ms, now");
});

Deno.test("usage: a stream is one row with the usage of its last chunk, written when it ends", async () => {
  await using t = await gateway();
  t.fake.script(streamReply(textDeltas(["a", "b"]), { chunkDelayMs: 5 }));
  const res = await t.gw.post(
    "/v1/chat/completions",
    chatBody("gpt-4o-mini", "x", { stream: true }),
    bearer(STATIC),
  );
  await readSse(res);
  await accessLogged(t.gw, 1);
  const rows = await t.rows();
  assert.equal(rows.length, 1);
  assert.equal(rows[0].key_id, null, "a static key has no key id");
  assert.deepEqual([rows[0].input_tokens, rows[0].output_tokens].map(Number), [11, 7]);
  assert.equal(Number(rows[0].status), 200);
  assert.equal(rows[0].error_code, null);
});

Deno.test("usage: a stream the client cancels mid-way is one row saying client_closed", async () => {
  await using t = await gateway();
  // Two chunks, then the upstream stays silent: its usage chunk never comes.
  t.fake.script(streamReply(textDeltas(["first", " second"]).slice(0, 2), { end: "hang" }));
  const client = new AbortController();
  const res = await t.gw.post(
    "/v1/chat/completions",
    chatBody("gpt-4o-mini", "x", { stream: true }),
    bearer(STATIC),
    client.signal,
  );
  const reader = res.body!.getReader();
  assert.equal((await readEvents(reader, 2)).length, 2);
  client.abort();
  await reader.cancel();
  await accessLogged(t.gw, 1);
  assert.equal(t.gw.accessLogs()[0].error_code, "client_closed");
  const rows = await t.rows();
  assert.equal(rows.length, 1);
  assert.equal(Number(rows[0].status), 200, "the status the client got");
  assert.equal(rows[0].error_code, "client_closed");
  assert.deepEqual([rows[0].input_tokens, rows[0].output_tokens].map(Number), [0, 0]);
  assert.equal(Number(rows[0].cost_usd), 0, "nothing reported, nothing billed");
});

Deno.test("usage: a cancelled relayed stream keeps the usage it saw (usage chunk before the cut)", async () => {
  await using t = await gateway();
  // The usage chunk comes, then the stream hangs before [DONE]; the client leaves.
  t.fake.script(streamReply(textDeltas(["a", "b"]), { end: "usage_then_hang" }));
  const client = new AbortController();
  const res = await t.gw.post(
    "/v1/chat/completions",
    chatBody("gpt-4o-mini", "x", { stream: true, stream_options: { include_usage: true } }),
    bearer(STATIC),
    client.signal,
  );
  const reader = res.body!.getReader();
  const events = await readEvents(reader, 5); // role, "a", "b", finish, usage
  assert.ok(events.some((e) => JSON.parse(e.data).usage?.prompt_tokens === 11), "usage seen");
  client.abort();
  await reader.cancel();
  await accessLogged(t.gw, 1);
  const rows = await t.rows();
  assert.equal(rows.length, 1);
  assert.equal(rows[0].error_code, "client_closed");
  assert.deepEqual([rows[0].input_tokens, rows[0].output_tokens].map(Number), [11, 7]);
  assert.ok(Math.abs(Number(rows[0].cost_usd) - MINI_COST) < 1e-12);
});

Deno.test("usage: a translated stream (/v1/messages) the client cancels is one row saying client_closed", async () => {
  await using t = await gateway();
  t.fake.script(streamReply(textDeltas(["first", " second"]).slice(0, 2), { end: "hang" }));
  const client = new AbortController();
  const res = await t.gw.post(
    "/v1/messages",
    {
      model: "gpt-4o-mini",
      max_tokens: 50,
      stream: true,
      messages: [{ role: "user", content: "x" }],
    },
    bearer(STATIC),
    client.signal,
  );
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  assert.ok((await readEvents(reader, 2)).length >= 2);
  client.abort();
  await reader.cancel();
  await accessLogged(t.gw, 1);
  const rows = await t.rows();
  assert.equal(rows.length, 1);
  assert.equal(rows[0].route, "/v1/messages");
  assert.equal(rows[0].error_code, "client_closed");
  assert.equal(Number(rows[0].status), 200);
});

Deno.test("usage: a failed request is one row with its status and error_code, cost 0", async () => {
  await using t = await gateway();
  t.fake.script(errorReply(500));
  const res = await t.gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"), bearer(STATIC));
  assert.equal(res.status, 502);
  await res.body?.cancel();
  const rows = await t.rows();
  assert.equal(rows.length, 1);
  assert.equal(Number(rows[0].status), 502);
  assert.equal(rows[0].error_code, "upstream_error");
  assert.equal(Number(rows[0].cost_usd), 0);
});

Deno.test("usage: requests that never reach the router make no row", async () => {
  await using t = await gateway();
  const calls = [
    t.gw.get("/health"),
    t.gw.get("/v1/models", bearer(STATIC)),
    t.gw.get("/metrics", bearer(STATIC)),
    t.gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"), bearer("wrong-key")),
    t.gw.post("/v1/chat/completions", "{not json", bearer(STATIC)),
    t.gw.get("/admin/usage", bearer(ADMIN)),
  ];
  for (const res of await Promise.all(calls)) await res.body?.cancel();
  assert.deepEqual(await t.rows(), []);
});

Deno.test("usage: tRPC chat.complete and embeddings.create each make one row under their route", async () => {
  await using t = await gateway();
  const key = await virtualKey(t.gw, "green");
  const client = createGatewayClient({
    url: ORIGIN,
    apiKey: key.key,
    fetch: (input, init) => t.gw.handler(new Request(input, init)),
  });
  t.fake.script(completion({ content: "hi" }));
  await client.chat.complete.mutate(chatBody("gpt-4o-mini"));
  await client.embeddings.create.mutate({ model: "text-embedding-3-small", input: "hello" });
  const rows = await t.rows();
  assert.deepEqual(rows.map((r) => [r.route, r.model, r.team, Number(r.status)]), [
    ["/trpc/chat.complete", "gpt-4o-mini", "green", 200],
    ["/trpc/embeddings.create", "text-embedding-3-small", "green", 200],
  ]);
  assert.ok(Number(rows[1].input_tokens) > 0, "embeddings tokens are recorded");
  assert.ok(Number(rows[1].cost_usd) > 0, "and priced");
});

Deno.test("usage: a tRPC chat.stream is one row with its tokens, written when it ends; a cancelled one says client_closed", async () => {
  await using t = await gateway();
  const key = await virtualKey(t.gw, "blue");
  const client = createGatewayClient({
    url: ORIGIN,
    apiKey: key.key,
    fetch: (input, init) => t.gw.handler(new Request(input, init)),
  });
  t.fake.script(streamReply(textDeltas(["a", "b"]), { chunkDelayMs: 5 }));
  const stream = await client.chat.stream.mutate(chatBody("gpt-4o-mini"));
  for await (const _ of stream) { /* read to the end */ }
  await accessLogged(t.gw, 2); // the admin call, then the stream when it ended
  let rows = await t.rows();
  assert.equal(rows.length, 1);
  assert.deepEqual(
    [rows[0].route, rows[0].team, Number(rows[0].input_tokens), Number(rows[0].output_tokens)],
    ["/trpc/chat.stream", "blue", 11, 7],
  );
  assert.ok(Number(rows[0].cost_usd) > 0);

  t.fake.script(streamReply(textDeltas(["a", "b"]), { end: "hang" }));
  const abort = new AbortController();
  const open = await client.chat.stream.mutate(chatBody("gpt-4o-mini"), { signal: abort.signal });
  const iterator = open[Symbol.asyncIterator]();
  await iterator.next();
  abort.abort();
  await iterator.return?.().catch(() => {});
  await accessLogged(t.gw, 3);
  rows = await t.rows();
  assert.equal(rows.length, 2);
  assert.equal(rows[1].error_code, "client_closed");
});

Deno.test("usage: a failover is exactly one row, for the deployment that answered; config prices win", async () => {
  const b = await startFakeOpenAI();
  await using t = await gateway((store, usage, fake) =>
    testAppWithInstances(
      {
        instances: [
          { id: "a", kind: "openai", settings: { api_key: "sk-a", base_url: fake.url } },
          { id: "b", kind: "openai", settings: { api_key: "sk-b", base_url: b.url } },
        ],
        aliases: [{
          name: "smart",
          strategy: "failover",
          deployments: [
            { provider: "a", model: "gpt-4o-mini", weight: 1 },
            { provider: "b", model: "gpt-4.1", weight: 1 },
          ],
        }],
        router: routerSchema.parse({}),
        prices: { "gpt-4.1": { input: 1, output: 2 } },
      },
      { API_KEY: STATIC },
      { store, usage },
    )
  );
  try {
    t.fake.script(errorReply(500));
    b.script(completion({ content: "from b" }));
    const res = await t.gw.post("/v1/chat/completions", chatBody("smart"), bearer(STATIC));
    assert.equal(res.status, 200);
    await res.body?.cancel();
    assert.equal(t.fake.chatRequests.length, 1, "a was tried");
    const rows = await t.rows();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].model, "smart");
    assert.equal(rows[0].provider, "b");
    assert.equal(rows[0].deployment, "b/gpt-4.1");
    assert.equal(rows[0].error_code, null);
    // The config file's price for gpt-4.1 ($1/M in, $2/M out), not the built-in ($2, $8).
    assert.ok(Math.abs(Number(rows[0].cost_usd) - (11 * 1 + 7 * 2) / 1e6) < 1e-12);
  } finally {
    await b.close();
  }
});

Deno.test("usage: a stalled store never slows requests; drops are counted in /metrics", async () => {
  const fake = await startFakeOpenAI({ fallback: () => completion({ content: "ok" }) });
  const stalled = createUsageWriter<UsageRecord>({
    sink: () => new Promise<void>(() => {}), // a store that never answers
    batchSize: 1,
    maxQueued: 2,
    flushMs: 1,
  });
  const dir = Deno.makeTempDirSync({ prefix: "usage-stalled-" });
  const store = openSqliteStore({ dataDir: dir });
  try {
    const gw = testApp(
      { OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url, API_KEY: STATIC },
      { store, usage: stalled },
    );
    const started = performance.now();
    for (let i = 0; i < 10; i++) {
      const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"), bearer(STATIC));
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2_000, `10 requests took ${elapsed} ms`);
    // One batch is with the sink, two records wait, seven were dropped.
    assert.equal(stalled.dropped, 7);
    const metrics = await (await gw.get("/metrics", bearer(STATIC))).text();
    assert.match(metrics, /^# TYPE gateway_usage_records_dropped_total counter$/m);
    assert.match(metrics, /^gateway_usage_records_dropped_total 7$/m);
    assert.match(metrics, /^gateway_usage_records_queued 2$/m);
  } finally {
    await fake.close();
    await store.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

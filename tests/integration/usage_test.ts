/**
 * Usage records through the real app on a real SQLite store, with the fake OpenAI upstream:
 * one row per routed request — a JSON answer, a stream, a stream the client cancels, a failover
 * (one row, for the deployment that answered), a failed request — and none for requests that
 * never reached the router; a stalled store (requests still answer at once, drops counted in
 * /metrics); `GET /admin/usage` with every group_by and bad parameters; tRPC `admin.usage`.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { routerSchema } from "../../core/deployments/schema.ts";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import type { Store, UsageRecord } from "../../core/store/store.ts";
import { createUsageWriter, type UsageWriter } from "../../core/usage/writer.ts";
import { createGatewayClient } from "../../routers/client.ts";
import {
  completion,
  errorReply,
  type FakeOpenAI,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { chatBody, ORIGIN, type TestApp, testApp, testAppWithInstances } from "../helpers/app.ts";
import { readEvents, readSse } from "../helpers/sse.ts";
import { sqliteTarget } from "../helpers/stores.ts";

const ADMIN = "admin-key-usage-7f";
const STATIC = "static-key-usage-3a";
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A gateway over a fresh SQLite store and a usage writer into it, with the fake upstream. */
async function gateway(
  build?: (store: Store, usage: UsageWriter<UsageRecord>, fake: FakeOpenAI) => TestApp,
) {
  const dir = Deno.makeTempDirSync({ prefix: "usage-test-" });
  const store = openSqliteStore({ dataDir: dir });
  const usage = createUsageWriter<UsageRecord>({
    sink: (rows) => store.usage.insert(rows),
    flushMs: 10,
  });
  const fake = await startFakeOpenAI();
  const gw = build?.(store, usage, fake) ?? testApp(
    { OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url, API_KEY: STATIC, ADMIN_API_KEY: ADMIN },
    { store, usage },
  );
  const target = sqliteTarget(dir);
  return {
    gw,
    fake,
    store,
    usage,
    /** Every stored row, oldest first, once the writer has sent what it holds. */
    async rows() {
      await usage.flush();
      return await target.query("SELECT * FROM usage ORDER BY id");
    },
    async [Symbol.asyncDispose]() {
      await usage.close();
      await store.close();
      await fake.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

/** Creates a virtual key (team `red`) through the admin API. */
async function virtualKey(gw: TestApp, team = "red") {
  const res = await gw.post("/admin/keys", { name: "usage", team }, bearer(ADMIN));
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json() as { id: string; key: string };
}

/** The access log lines have all been written (streams log when they end). */
async function accessLogged(gw: TestApp, count: number) {
  const until = Date.now() + 5_000;
  while (gw.accessLogs().length < count && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** gpt-4o-mini at the built-in price: 11 input tokens at $0.15/M, 7 output at $0.6/M. */
const MINI_COST = (11 * 0.15 + 7 * 0.6) / 1_000_000;

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

/** Four requests by two keys of two teams on two models, one of them unpriced. */
async function traffic(t: Awaited<ReturnType<typeof gateway>>) {
  const red = await virtualKey(t.gw, "red");
  const blue = await virtualKey(t.gw, "blue");
  t.fake.script(
    completion({ content: "1" }),
    completion({ content: "2" }),
    completion({ content: "3" }),
    completion({ content: "4" }),
  );
  for (
    const [key, model] of [
      [red, "gpt-4o-mini"],
      [red, "gpt-4o-mini"],
      [blue, "gpt-4o-mini"],
      [blue, "gpt-4.1-nano-unpriced"],
    ] as const
  ) {
    const res = await t.gw.post("/v1/chat/completions", chatBody(model), bearer(key.key));
    await res.body?.cancel();
  }
  await t.usage.flush();
  return { red, blue };
}

Deno.test("GET /admin/usage: totals and every group_by, filters, bounds, bad parameters", async () => {
  await using t = await gateway();
  const { red, blue } = await traffic(t);
  const usage = async (query = "") => {
    const res = await t.gw.get(`/admin/usage${query}`, bearer(ADMIN));
    assert.equal(res.status, 200, await res.clone().text());
    return await res.json();
  };
  const totals = await usage();
  assert.deepEqual(
    { ...totals, data: undefined },
    { object: "list", data: undefined, from: null, to: null, group_by: null },
  );
  assert.equal(totals.data.length, 1);
  assert.equal(totals.data[0].group, null);
  assert.equal(totals.data[0].requests, 4);
  assert.equal(totals.data[0].unpriced_requests, 1, "the model without a price");
  assert.equal(totals.data[0].input_tokens, 44);
  assert.ok(Math.abs(totals.data[0].cost_usd - 3 * MINI_COST) < 1e-12);

  const groups = async (by: string) =>
    (await usage(`?group_by=${by}`)).data.map((g: { group: string; requests: number }) => [
      g.group,
      g.requests,
    ]);
  assert.deepEqual(await groups("key"), [[red.id, 2], [blue.id, 2]]);
  assert.deepEqual(await groups("team"), [["red", 2], ["blue", 2]]);
  assert.deepEqual(await groups("model"), [["gpt-4o-mini", 3], ["gpt-4.1-nano-unpriced", 1]]);
  assert.deepEqual(await groups("provider"), [["openai", 4]]);
  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(await groups("day"), [[today, 4]]);

  assert.equal((await usage(`?team=blue&model=gpt-4o-mini`)).data[0].requests, 1);
  assert.equal((await usage(`?key=${red.id}`)).data[0].requests, 2);
  const now = Math.floor(Date.now() / 1000);
  assert.equal((await usage(`?from=${now - 60}&to=${now + 60}`)).data[0].requests, 4);
  const future = await usage(`?from=2999-01-01&group_by=day`);
  assert.deepEqual(future.data, []);
  assert.equal(future.from, "2999-01-01T00:00:00.000Z");
  assert.equal(future.group_by, "day");

  for (
    const [query, param] of [
      ["?from=yesterday", "from"],
      ["?to=2027-13-45", "to"],
      ["?group_by=week", "group_by"],
      ["?from=2027-02-01&to=2027-01-01", "to"],
      ["?group-by=day", "group-by"],
    ]
  ) {
    const res = await t.gw.get(`/admin/usage${query}`, bearer(ADMIN));
    assert.equal(res.status, 400, query);
    const { error } = await res.json();
    assert.equal(error.type, "invalid_request_error", query);
    assert.equal(error.param, param, query);
    assert.match(error.message, new RegExp(param), query);
  }
  const notAdmin = await t.gw.get("/admin/usage", bearer(red.key));
  assert.equal(notAdmin.status, 403);
  await notAdmin.body?.cancel();
  const post = await t.gw.post("/admin/usage", {}, bearer(ADMIN));
  assert.equal(post.status, 405);
  await post.body?.cancel();
});

Deno.test("tRPC admin.usage: the same report; the admin key only; bad input names the field", async () => {
  await using t = await gateway();
  const { red } = await traffic(t);
  const client = (apiKey: string) =>
    createGatewayClient({
      url: ORIGIN,
      apiKey,
      fetch: (input, init) => t.gw.handler(new Request(input, init)),
    });
  const admin = client(ADMIN);
  const byTeam = await admin.admin.usage.query({ group_by: "team" });
  const http = await (await t.gw.get("/admin/usage?group_by=team", bearer(ADMIN))).json();
  assert.deepEqual(byTeam, http);
  const mine = await admin.admin.usage.query({
    key: red.id,
    from: Math.floor(Date.now() / 1000) - 60,
  });
  assert.equal(mine.data[0].requests, 2);
  assert.deepEqual((await admin.admin.usage.query()).data[0].requests, 4);
  await assert.rejects(
    admin.admin.usage.query({ from: "not-a-date" }),
    (error: unknown) => error instanceof TRPCClientError && /from/.test(error.message),
  );
  await assert.rejects(
    client(red.key).admin.usage.query({}),
    (error: unknown) => error instanceof TRPCClientError && error.data?.httpStatus === 403,
  );
});

/**
 * Budgets and `GET /v1/me` through the real app on a real SQLite store, with the fake OpenAI
 * upstream (gpt-4o-mini at its built-in price): a key that spent its budget gets 429
 * `insufficient_quota` until its period resets (an injected clock), spend recorded by another
 * instance counts once read, a key without a budget is never refused, and `/v1/me` (and tRPC
 * `me`) show a key its limits, spend and remaining budget.
 */
import assert from "node:assert/strict";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import type { Store, UsageRecord } from "../../core/store/store.ts";
import { createSpendTracker, spendFromStore, type SpendTracker } from "../../core/usage/budget.ts";
import { createUsageWriter, type UsageWriter } from "../../core/usage/writer.ts";
import { createGatewayClient } from "../../routers/client.ts";
import { completion, type FakeOpenAI, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { chatBody, ORIGIN, type TestApp, testApp } from "../helpers/app.ts";

const ADMIN = "admin-key-budget-5e";
const STATIC = "static-key-budget-2c";
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** gpt-4o-mini at the built-in price: 11 input tokens at $0.15/M, 7 output at $0.6/M. */
const MINI_COST = (11 * 0.15 + 7 * 0.6) / 1_000_000;

/** One gateway instance: its own usage writer and spend tracker over a shared store. */
interface Instance {
  gw: TestApp;
  usage: UsageWriter<UsageRecord>;
  spend: SpendTracker;
}

/** A fresh SQLite store, the fake upstream and a clock the test moves; `instance()` adds one
 * gateway over them. */
async function setup() {
  const dir = Deno.makeTempDirSync({ prefix: "budgets-test-" });
  const store: Store = openSqliteStore({ dataDir: dir });
  const fake: FakeOpenAI = await startFakeOpenAI();
  const clock = { now: Date.parse("2026-12-02T12:00:00Z") };
  const instances: Instance[] = [];
  return {
    store,
    fake,
    clock,
    instance(): Instance {
      const usage = createUsageWriter<UsageRecord>({
        sink: (rows) => store.usage.insert(rows),
        flushMs: 10,
      });
      const spend = createSpendTracker({
        source: spendFromStore(store.usage),
        beforeRead: () => usage.flush(),
        now: () => clock.now,
      });
      const gw = testApp(
        {
          OPENAI_API_KEY: "test",
          OPENAI_BASE_URL: fake.url,
          API_KEY: STATIC,
          ADMIN_API_KEY: ADMIN,
        },
        { store, usage, spend },
      );
      const made = { gw, usage, spend };
      instances.push(made);
      return made;
    },
    async [Symbol.asyncDispose]() {
      for (const i of instances) await i.usage.close();
      await store.close();
      await fake.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

async function createKey(gw: TestApp, body: Record<string, unknown>) {
  const res = await gw.post("/admin/keys", body, bearer(ADMIN));
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json() as { id: string; key: string };
}

/** A chat request with `key`; its access-log line (and so its usage) is written when it ends. */
async function chat(gw: TestApp, key: string) {
  const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"), bearer(key));
  const body = await res.json();
  return { res, body };
}

Deno.test("budgets: a spent budget is 429 insufficient_quota until the period resets", async () => {
  await using t = await setup();
  const { gw } = t.instance();
  // Two requests' worth, less a little: the second one spends it.
  const key = await createKey(gw, {
    name: "capped",
    max_budget_usd: 2 * MINI_COST - 1e-9,
    budget_period: "daily",
  });
  for (let i = 0; i < 4; i++) t.fake.script(completion({ content: "hi" }));
  for (let i = 0; i < 2; i++) assert.equal((await chat(gw, key.key)).res.status, 200);
  const refused = await chat(gw, key.key);
  assert.equal(refused.res.status, 429);
  assert.equal(refused.res.headers.get("x-should-retry"), "false");
  assert.equal(refused.res.headers.get("retry-after"), null);
  assert.equal(refused.body.error.type, "insufficient_quota");
  assert.equal(refused.body.error.code, "insufficient_quota");
  assert.match(
    refused.body.error.message,
    /^The key 'capped' has spent its daily budget of \$0\.0000117 \(spent \$0\.0000117\)\. It resets at 2026-12-03T00:00:00\.000Z\.$/,
  );
  assert.equal(t.fake.requests.length, 2, "the refused request never reached the upstream");
  // Other keys are not affected.
  assert.equal((await chat(gw, STATIC)).res.status, 200);

  // The next day (UTC) the budget is whole again.
  t.clock.now = Date.parse("2026-12-03T00:00:01Z");
  assert.equal((await chat(gw, key.key)).res.status, 200);
});

Deno.test("budgets: spend recorded by another instance counts once this one reads the store", async () => {
  await using t = await setup();
  const a = t.instance();
  const b = t.instance();
  const key = await createKey(a.gw, { name: "shared", max_budget_usd: MINI_COST / 2 });
  t.fake.script(completion({ content: "hi" }), completion({ content: "hi" }));
  await b.spend.refresh();
  assert.equal((await chat(a.gw, key.key)).res.status, 200); // spends it all, on A
  assert.equal((await chat(a.gw, key.key)).res.status, 429); // A knows at once
  await a.usage.flush();
  await b.spend.refresh(); // B's next read (every 5 s, or this)
  const onB = await chat(b.gw, key.key);
  assert.equal(onB.res.status, 429);
  assert.match(onB.body.error.message, /It has no reset period/);
  assert.equal(t.fake.requests.length, 1);
});

Deno.test("budgets: a key without a budget is never refused; an unpriced model spends nothing", async () => {
  await using t = await setup();
  const { gw } = t.instance();
  const free = await createKey(gw, { name: "free" });
  const capped = await createKey(gw, { name: "capped", max_budget_usd: 1e-9 });
  for (let i = 0; i < 3; i++) t.fake.script(completion({ content: "hi" }));
  for (let i = 0; i < 3; i++) assert.equal((await chat(gw, free.key)).res.status, 200);
  // The mock model has no price: its cost is unknown, which spends nothing of a budget.
  for (let i = 0; i < 3; i++) {
    const res = await gw.post("/v1/chat/completions", chatBody("mock-echo"), bearer(capped.key));
    assert.equal(res.status, 200);
    await res.body?.cancel();
  }
});

Deno.test("GET /v1/me and tRPC me: the key's limits, budget, spend and reset", async () => {
  await using t = await setup();
  const { gw, usage, spend } = t.instance();
  const key = await createKey(gw, {
    name: "me",
    team: "red",
    models: ["gpt-4o*"],
    rpm_limit: 100,
    tpm_limit: 50_000,
    max_parallel: 4,
    max_budget_usd: 10,
    budget_period: "monthly",
  });
  t.fake.script(completion({ content: "hi" }));
  assert.equal((await chat(gw, key.key)).res.status, 200);
  const res = await gw.get("/v1/me", bearer(key.key));
  assert.equal(res.status, 200);
  const me = await res.json();
  assert.deepEqual({ ...me, budget: undefined }, {
    object: "gateway.key",
    kind: "virtual",
    admin: false,
    id: key.id,
    name: "me",
    team: "red",
    models: ["gpt-4o*"],
    rpm_limit: 100,
    tpm_limit: 50_000,
    max_parallel: 4,
    expires_at: null,
    budget: undefined,
  });
  assert.deepEqual(me.budget, {
    max_budget_usd: 10,
    budget_period: "monthly",
    spent_usd: Math.round(MINI_COST * 1e6) / 1e6,
    remaining_usd: Math.round((10 - MINI_COST) * 1e6) / 1e6,
    resets_at: "2027-01-01T00:00:00.000Z",
    period_start: "2026-12-01T00:00:00.000Z",
  });
  // After a read of the store the figure is the same (the record landed, counted once).
  await usage.flush();
  await spend.refresh();
  assert.deepEqual((await (await gw.get("/v1/me", bearer(key.key))).json()).budget, me.budget);

  const trpc = createGatewayClient({
    url: ORIGIN,
    apiKey: key.key,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });
  assert.deepEqual(await trpc.me.query(), me);

  const ofStatic = await (await gw.get("/v1/me", bearer(STATIC))).json();
  assert.equal(ofStatic.kind, "static");
  assert.equal(ofStatic.budget, null);
  assert.equal(ofStatic.id, null);
  assert.equal((await (await gw.get("/v1/me", bearer(ADMIN))).json()).admin, true);
  assert.equal((await gw.get("/v1/me")).status, 401);
  assert.equal((await gw.post("/v1/me", {}, bearer(STATIC))).status, 405);
});

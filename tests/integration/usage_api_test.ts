/**
 * The usage API through the real app on a real SQLite store, with the fake OpenAI upstream: `GET
 * /admin/usage` with every group_by, filters, bounds and bad parameters, and tRPC `admin.usage`
 * (the same report, the admin key only).
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { createGatewayClient } from "../../routers/client.ts";
import { completion } from "../fakes/openai_upstream.ts";
import { chatBody, ORIGIN } from "../helpers/app.ts";
import { ADMIN, bearer, gateway, MINI_COST, virtualKey } from "../helpers/usage.ts";

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

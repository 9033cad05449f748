/**
 * Aliases over several real upstreams (two fake OpenAI-compatible servers): alias resolution,
 * failover on each failure kind before the first byte and never after it, the attempt budget,
 * cooldown and recovery, deployment params, and what every answer says about its deployment.
 */
import assert from "node:assert/strict";
import type { AliasConfig } from "../../core/deployments/schema.ts";
import { routerSchema } from "../../core/deployments/schema.ts";
import { DeploymentStats } from "../../core/deployments/stats.ts";
import {
  completion,
  errorReply,
  type FakeOpenAI,
  hang,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { chatBody, testAppWithInstances } from "../helpers/app.ts";
import { freePort } from "../helpers/server.ts";
import { readSse } from "../helpers/sse.ts";

const openai = (id: string, url: string, key = `sk-${id}`) => ({
  id,
  kind: "openai",
  settings: { api_key: key, base_url: url },
});

/** An alias `smart` over deployments on `a` then `b` (failover order). */
const smart = (strategy: AliasConfig["strategy"] = "failover"): AliasConfig => ({
  name: "smart",
  strategy,
  deployments: [
    { provider: "a", model: "gpt-4o-mini", weight: 1 },
    { provider: "b", model: "gpt-4.1", weight: 1 },
  ],
});

async function twoUpstreams(
  router: Record<string, unknown> = {},
  env: Record<string, string> = {},
  aliases: AliasConfig[] = [smart()],
) {
  const a = await startFakeOpenAI();
  const b = await startFakeOpenAI();
  const stats = new DeploymentStats();
  const gw = testAppWithInstances({
    instances: [openai("a", a.url), openai("b", b.url)],
    aliases,
    router: routerSchema.parse(router),
    stats,
  }, env);
  return {
    a,
    b,
    gw,
    stats,
    async [Symbol.asyncDispose]() {
      await a.close();
      await b.close();
    },
  };
}

const deploymentOf = (res: Response) => res.headers.get("x-gateway-deployment");

Deno.test("an alias routes to its first deployment; the answer names it", async () => {
  await using up = await twoUpstreams();
  up.a.script(completion({ content: "from a" }));
  const res = await up.gw.post("/v1/chat/completions", chatBody("smart"));
  assert.equal(res.status, 200);
  assert.equal(deploymentOf(res), "a/gpt-4o-mini");
  const body = await res.json();
  assert.equal(body.choices[0].message.content, "from a");
  assert.equal((up.a.chatRequests[0].body as { model: string }).model, "gpt-4o-mini"); // the provider-side id
  assert.equal(up.b.chatRequests.length, 0);
  const log = up.gw.accessLogs().at(-1)!;
  assert.equal(log.model, "smart");
  assert.equal(log.provider, "a");
  assert.equal(log.deployment, "a/gpt-4o-mini");
  // A direct route names its deployment too.
  up.b.script(completion({ content: "direct" }));
  const direct = await up.gw.post("/v1/chat/completions", chatBody("b/gpt-4.1"));
  assert.equal(deploymentOf(direct), "b/gpt-4.1");
  await direct.body?.cancel();
});

Deno.test("failover before the first byte, for each failure kind, JSON and streaming", async (t) => {
  const kinds: Array<[string, () => ReturnType<typeof errorReply> | ReturnType<typeof hang>]> = [
    ["429", () => errorReply(429)],
    ["500", () => errorReply(500)],
    ["502", () => errorReply(502)],
    ["503", () => errorReply(503)],
    ["timeout", () => hang()],
  ];
  for (const [name, failure] of kinds) {
    for (const stream of [false, true]) {
      await t.step(`${name}, ${stream ? "stream" : "JSON"}`, async () => {
        await using up = await twoUpstreams({}, { UPSTREAM_TIMEOUT_MS: "600" });
        up.a.script(failure());
        up.b.script(
          stream ? streamReply(textDeltas(["from ", "b"])) : completion({ content: "from b" }),
        );
        const res = await up.gw.post("/v1/chat/completions", chatBody("smart", "hi", { stream }));
        assert.equal(res.status, 200, await res.clone().text());
        assert.equal(deploymentOf(res), "b/gpt-4.1");
        if (stream) {
          const events = await readSse(res);
          assert.ok(events.some((e) => e.data.includes("from ")));
        } else assert.equal((await res.json()).choices[0].message.content, "from b");
        assert.equal(up.a.chatRequests.length, 1);
        assert.equal(up.b.chatRequests.length, 1);
        const log = up.gw.accessLogs().at(-1)!;
        const failed = log.failed_attempts as Array<Record<string, string>>;
        assert.equal(failed.length, 1);
        assert.equal(failed[0].deployment, "a/gpt-4o-mini");
        const warn = up.gw.logs().find((l) => l.msg === "deployment failed")!;
        assert.equal(warn.deployment, "a/gpt-4o-mini");
        assert.equal(warn.next_deployment, "b/gpt-4.1");
        const metrics = await (await up.gw.get("/metrics")).text();
        assert.match(
          metrics,
          /gateway_deployment_failures_total\{provider="a",deployment="a\/gpt-4o-mini",code="[a-z_]+"\} 1/,
        );
        assert.match(
          metrics,
          /gateway_deployment_requests_total\{provider="b",deployment="b\/gpt-4.1"\} 1/,
        );
      });
    }
  }
  await t.step("connection refused", async () => {
    await using b = await startFakeOpenAI();
    b.script(completion({ content: "from b" }));
    const gw = testAppWithInstances({
      instances: [openai("a", `http://127.0.0.1:${freePort()}/v1`), openai("b", b.url)],
      aliases: [smart()],
    });
    const res = await gw.post("/v1/chat/completions", chatBody("smart"));
    assert.equal(res.status, 200);
    assert.equal(deploymentOf(res), "b/gpt-4.1");
    await res.body?.cancel();
  });
});

Deno.test("no failover for a request-shaped error, nor after the first byte", async (t) => {
  await t.step("a 400 is the client's answer", async () => {
    await using up = await twoUpstreams();
    up.a.script(errorReply(400));
    const res = await up.gw.post("/v1/chat/completions", chatBody("smart"));
    assert.equal(res.status, 400);
    assert.equal(up.b.chatRequests.length, 0);
    await res.body?.cancel();
  });
  await t.step("a stream that breaks after its first chunk is not moved", async () => {
    await using up = await twoUpstreams();
    up.a.script(streamReply(textDeltas(["partial ", "answer"]), { end: "drop" }));
    up.b.script(streamReply(textDeltas(["never"])));
    const res = await up.gw.post("/v1/chat/completions", chatBody("smart", "hi", { stream: true }));
    assert.equal(res.status, 200);
    assert.equal(deploymentOf(res), "a/gpt-4o-mini");
    const text = await res.text();
    assert.match(text, /partial/);
    assert.match(text, /"error"/); // the stream ends with the error event
    assert.equal(up.b.chatRequests.length, 0);
  });
});

Deno.test("the attempt budget bounds every upstream attempt of one request", async () => {
  const fakes: FakeOpenAI[] = [];
  for (let i = 0; i < 3; i++) fakes.push(await startFakeOpenAI());
  try {
    for (const f of fakes) f.respondWith(() => errorReply(503));
    const instances = fakes.map((f, i) => openai(`u${i}`, f.url));
    const alias: AliasConfig = {
      name: "wide",
      strategy: "failover",
      deployments: instances.map((i) => ({ provider: i.id, model: "gpt-4o-mini", weight: 1 })),
    };
    const total = () => fakes.reduce((n, f) => n + f.chatRequests.length, 0);
    // UPSTREAM_MAX_RETRIES=2 would allow 3 attempts per deployment (9 in all) without the budget.
    const capped = testAppWithInstances({
      instances,
      aliases: [alias],
      router: routerSchema.parse({ max_attempts: 2, cooldown: { failures: 100 } }),
    }, { UPSTREAM_MAX_RETRIES: "2" });
    const res = await capped.post("/v1/chat/completions", chatBody("wide"));
    assert.equal(res.status, 503);
    const { error } = await res.json();
    assert.match(error.message, /deployment 'u1\/gpt-4o-mini' of 'wide'/);
    assert.equal(total(), 2);
    // The default budget: one attempt per deployment plus UPSTREAM_MAX_RETRIES.
    const before = total();
    const defaults = testAppWithInstances({
      instances,
      aliases: [alias],
      router: routerSchema.parse({ cooldown: { failures: 100 } }),
    }, { UPSTREAM_MAX_RETRIES: "2" });
    await (await defaults.post("/v1/chat/completions", chatBody("wide"))).body?.cancel();
    assert.equal(total() - before, 3 + 2);
  } finally {
    for (const f of fakes) await f.close();
  }
});

Deno.test("cooldown: a failing deployment is skipped, then takes traffic again", async () => {
  await using up = await twoUpstreams({ cooldown: { failures: 2, window_s: 60, cooldown_s: 0.3 } });
  up.a.respondWith(() => errorReply(500));
  up.b.respondWith(() => completion({ content: "b" }));
  const ask = async () => {
    const res = await up.gw.post("/v1/chat/completions", chatBody("smart"));
    await res.body?.cancel();
    return deploymentOf(res);
  };
  assert.equal(await ask(), "b/gpt-4.1"); // a failed once: still in rotation
  assert.equal(await ask(), "b/gpt-4.1"); // a failed twice: cooled down
  assert.equal(up.a.chatRequests.length, 2);
  assert.equal(await ask(), "b/gpt-4.1");
  assert.equal(up.a.chatRequests.length, 2, "a cooled-down deployment gets no request");
  assert.ok(up.stats.coolingMs("a/gpt-4o-mini") > 0);
  await new Promise((r) => setTimeout(r, 350));
  up.a.respondWith(() => completion({ content: "a" }));
  assert.equal(await ask(), "a/gpt-4o-mini", "traffic returns after the cooldown");
});

Deno.test("cooldown: Retry-After takes a deployment out at once; all cooled is a 503", async () => {
  await using up = await twoUpstreams({ cooldown: { failures: 5, cooldown_s: 0 } });
  up.a.respondWith(() => errorReply(429, { retryAfter: 30 }));
  up.b.respondWith(() => errorReply(429, { retryAfter: 20 }));
  const first = await up.gw.post("/v1/chat/completions", chatBody("smart"));
  assert.equal(first.status, 429);
  await first.body?.cancel();
  const second = await up.gw.post("/v1/chat/completions", chatBody("smart"));
  assert.equal(second.status, 503);
  assert.equal(second.headers.get("retry-after"), "20");
  const { error } = await second.json();
  assert.equal(error.code, "upstream_unavailable");
  assert.match(error.message, /Every deployment of 'smart' is cooling down/);
  assert.equal(up.a.chatRequests.length + up.b.chatRequests.length, 2);
});

Deno.test("deployment params: defaults for what the request leaves out, max_tokens capped", async () => {
  const alias: AliasConfig = {
    name: "capped",
    strategy: "failover",
    deployments: [{
      provider: "a",
      model: "gpt-4o-mini",
      weight: 1,
      params: { max_tokens: 100, temperature: 0.2 },
    }],
  };
  await using up = await twoUpstreams({}, {}, [alias]);
  up.a.respondWith(() => completion({ content: "ok" }));
  const post = (extra: Record<string, unknown>) =>
    up.gw.post("/v1/chat/completions", chatBody("capped", "hi", extra)).then((r) => r.text());
  await post({ max_completion_tokens: 5000, temperature: 1 });
  await post({});
  const [capped, defaulted] = up.a.chatRequests.map((r) => r.body as Record<string, unknown>);
  assert.equal(capped.max_completion_tokens, 100);
  assert.equal(capped.temperature, 1);
  assert.equal(defaulted.max_completion_tokens, 100);
  assert.equal(defaulted.temperature, 0.2);
});

Deno.test("an unreachable deployment: 503 naming the deployment, never its secret", async () => {
  const port = freePort();
  const gw = testAppWithInstances({
    instances: [openai("local", `http://user:hunter2@127.0.0.1:${port}/v1`, "sk-secret-key")],
    aliases: [{
      name: "solo",
      strategy: "failover",
      deployments: [{ provider: "local", model: "llama3", weight: 1 }],
    }],
  });
  const res = await gw.post("/v1/chat/completions", chatBody("solo"));
  assert.equal(res.status, 503);
  const { error } = await res.json();
  assert.equal(error.code, "upstream_unavailable");
  assert.match(error.message, /could not be reached.*\(deployment 'local\/llama3' of 'solo'\)/);
  assert.doesNotMatch(JSON.stringify([error, gw.logs()]), /hunter2|sk-secret-key/);
  assert.ok(gw.handler !== undefined); // still serving:
  assert.equal((await gw.get("/health")).status, 200);
});

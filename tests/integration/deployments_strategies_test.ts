/**
 * The routing strategies through the gateway: `weighted` over a few hundred requests with a fixed
 * seed, `least_busy` with streams still open, `latency` toward the faster upstream.
 */
import assert from "node:assert/strict";
import type { AliasConfig } from "../../core/deployments/schema.ts";
import { DeploymentStats } from "../../core/deployments/stats.ts";
import { completion, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { chatBody, testAppWithInstances } from "../helpers/app.ts";
import { seededRandom } from "../helpers/seeded_random.ts";

const mocks = [{ id: "m1", kind: "mock" }, { id: "m2", kind: "mock" }, { id: "m3", kind: "mock" }];

const over = (strategy: AliasConfig["strategy"], weights = [1, 1, 1], model = "mock-echo") => ({
  name: "pool",
  strategy,
  deployments: mocks.map((m, i) => ({ provider: m.id, model, weight: weights[i] })),
});

async function servedBy(res: Response): Promise<string> {
  await res.body?.cancel();
  assert.equal(res.status, 200);
  return res.headers.get("x-gateway-deployment")!;
}

Deno.test("weighted: 600 requests split 3:2:1 (fixed seed, chi-square at 0.1%)", async () => {
  const gw = testAppWithInstances({
    instances: mocks,
    aliases: [over("weighted", [3, 2, 1])],
    random: seededRandom(2024),
  });
  const counts = new Map<string, number>();
  for (let i = 0; i < 600; i++) {
    const id = await servedBy(await gw.post("/v1/chat/completions", chatBody("pool")));
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const expected = new Map([["m1/mock-echo", 300], ["m2/mock-echo", 200], ["m3/mock-echo", 100]]);
  let chi = 0;
  for (const [id, e] of expected) chi += ((counts.get(id) ?? 0) - e) ** 2 / e;
  assert.ok(chi < 13.8, `chi-square ${chi.toFixed(2)}: ${JSON.stringify([...counts])}`);
});

Deno.test("least_busy: open streams count until they end", async () => {
  const stats = new DeploymentStats();
  const gw = testAppWithInstances({
    instances: mocks,
    aliases: [over("least_busy", [1, 1, 1], "mock-slow")],
    stats,
    random: seededRandom(5),
  });
  // Three slow streams held open land on three different deployments.
  const open = await Promise.all(
    [0, 1, 2].map(() =>
      gw.post("/v1/chat/completions", chatBody("pool", "one two three four", { stream: true }))
    ),
  );
  const ids = open.map((r) => r.headers.get("x-gateway-deployment"));
  assert.equal(new Set(ids).size, 3, ids.join(", "));
  assert.deepEqual(mocks.map((m) => stats.inFlight(`${m.id}/mock-slow`)), [1, 1, 1]);
  // Finish one: the next request goes where nothing is in flight.
  const [first, ...rest] = open;
  await first.text();
  assert.equal(stats.inFlight(ids[0]!), 0);
  const next = await gw.post("/v1/chat/completions", chatBody("pool", "hi", { stream: true }));
  assert.equal(next.headers.get("x-gateway-deployment"), ids[0]);
  for (const r of [next, ...rest]) await r.text();
  assert.deepEqual(mocks.map((m) => stats.inFlight(`${m.id}/mock-slow`)), [0, 0, 0]);
});

Deno.test("latency: most traffic goes to the faster upstream, some still explores", async () => {
  await using slow = await startFakeOpenAI();
  await using fast = await startFakeOpenAI();
  slow.respondWith(() => completion({ content: "slow", delayMs: 60 }));
  fast.respondWith(() => completion({ content: "fast" }));
  const gw = testAppWithInstances({
    instances: [
      { id: "slow", kind: "openai", settings: { api_key: "k", base_url: slow.url } },
      { id: "fast", kind: "openai", settings: { api_key: "k", base_url: fast.url } },
    ],
    aliases: [{
      name: "quick",
      strategy: "latency",
      deployments: [
        { provider: "slow", model: "gpt-4o-mini", weight: 1 },
        { provider: "fast", model: "gpt-4o-mini", weight: 1 },
      ],
    }],
    random: seededRandom(11),
  });
  for (let i = 0; i < 60; i++) {
    await servedBy(await gw.post("/v1/chat/completions", chatBody("quick")));
  }
  // Both measured first, then ~10% exploration (half of it on `slow`).
  assert.ok(fast.chatRequests.length >= 48, `fast served ${fast.chatRequests.length} of 60`);
  assert.ok(slow.chatRequests.length >= 1, "the slower one is still measured");
});

/**
 * Killing one deployment mid-load loses no request that had not started streaming: requests in
 * flight on it (waiting for its answer) and every later one are served by the other deployment;
 * only streams that already had their first byte may end with an error event.
 */
import assert from "node:assert/strict";
import { routerSchema } from "../../core/deployments/schema.ts";
import { completion, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody, testAppWithInstances } from "../helpers/app.ts";
import { seededRandom } from "../helpers/seeded_random.ts";

Deno.test("a deployment killed under load: every request not yet streaming is served", async () => {
  const a = await startFakeOpenAI();
  await using b = await startFakeOpenAI();
  for (const fake of [a, b]) {
    fake.respondWith((request) =>
      (request.body as { stream?: boolean }).stream === true
        ? streamReply(textDeltas(["one ", "two ", "three"]), { delayMs: 20, chunkDelayMs: 15 })
        : completion({ content: "ok", delayMs: 20 })
    );
  }
  const gw = testAppWithInstances({
    instances: [
      { id: "a", kind: "openai", settings: { api_key: "k", base_url: a.url } },
      { id: "b", kind: "openai", settings: { api_key: "k", base_url: b.url } },
    ],
    aliases: [{
      name: "pool",
      strategy: "weighted",
      deployments: [
        { provider: "a", model: "gpt-4o-mini", weight: 1 },
        { provider: "b", model: "gpt-4o-mini", weight: 1 },
      ],
    }],
    router: routerSchema.parse({ cooldown: { failures: 1, cooldown_s: 60 } }),
    random: seededRandom(9),
  });

  let killed = false;
  const outcomes: Array<{ stream: boolean; status: number; complete: boolean; before: boolean }> =
    [];
  const one = async (n: number) => {
    const stream = n % 2 === 0;
    const before = !killed;
    const res = await gw.post("/v1/chat/completions", chatBody("pool", "hi", { stream }));
    const text = await res.text();
    outcomes.push({
      stream,
      status: res.status,
      complete: stream ? text.includes("[DONE]") : res.status === 200,
      before,
    });
  };
  const load: Promise<void>[] = [];
  for (let n = 0; n < 160; n++) {
    load.push(one(n));
    if (n === 60) {
      killed = true;
      await a.close(); // in-flight requests on `a` break; new connections are refused
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(load);

  assert.equal(outcomes.length, 160);
  // Every answer started (a 200): nothing failed before its first byte.
  assert.deepEqual(outcomes.filter((o) => o.status !== 200), []);
  // Incomplete ones are only streams that were already flowing from `a` when it died.
  const cut = outcomes.filter((o) => !o.complete);
  assert.ok(cut.every((o) => o.stream && o.before), JSON.stringify(cut));
  // After the kill, `a` is cooled down and `b` serves everything.
  const later = await gw.post("/v1/chat/completions", chatBody("pool"));
  assert.equal(later.headers.get("x-gateway-deployment"), "b/gpt-4o-mini");
  await later.body?.cancel();
  assert.ok(
    gw.logs().some((l) => l.msg === "deployment failed" && l.deployment === "a/gpt-4o-mini"),
  );
});

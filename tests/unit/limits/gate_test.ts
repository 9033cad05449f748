/**
 * The request gate over the real in-memory limiter: ungated requests (no token estimate, no
 * limits), the budget hook before anything is counted, the key's limits then the model's, a
 * model refusal giving the key's slot back, headers merged with the key's first, settlement
 * once with the recorded usage, and the estimate asked for only when a TPM limit needs it.
 */
import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { createRequestGate, type GateRecord, keyLimits } from "../../../core/limits/gate.ts";
import { createRateLimitBuffer, MemoryRateLimiter } from "../../../core/limits/memory_limiter.ts";
import type { VirtualKeyRecord } from "../../../core/store/store.ts";

const key = (settings: Partial<VirtualKeyRecord>): VirtualKeyRecord => ({
  id: `key_${crypto.randomUUID().slice(0, 8)}`,
  hash: "h",
  prefix: "sk-gw-x",
  name: "t",
  enabled: true,
  createdAt: 0,
  updatedAt: 0,
  ...settings,
});

const limiter = () => new MemoryRateLimiter(createRateLimitBuffer(64));

Deno.test("gate: nothing is counted without an estimate or without limits", async () => {
  const gate = createRequestGate({ limiter: limiter(), models: { m: { rpm: 1 } } });
  const virtualKey = key({ rpmLimit: 1 });
  assert.equal(await gate.admit("m", { virtualKey }), undefined, "no estimate: not gated");
  assert.equal(await gate.admit("other", { tokenEstimate: () => 1 }), undefined);
  assert.equal(keyLimits(key({})), undefined);
  assert.deepEqual(keyLimits(key({ maxParallel: 2 })), {
    rpm: undefined,
    tpm: undefined,
    maxParallel: 2,
  });
});

Deno.test("gate: the budget hook refuses before anything is counted", async () => {
  let budgetSays: GatewayError | undefined = new GatewayError("rate_limited", "over budget", {
    code: "insufficient_quota",
  });
  const seen: GateRecord[] = [];
  const gate = createRequestGate({
    limiter: limiter(),
    budget: (record) => (seen.push(record), budgetSays),
  });
  const record: GateRecord = { virtualKey: key({ rpmLimit: 1 }), tokenEstimate: () => 1 };
  assert.throws(
    () => gate.admit("m", record),
    (e: GatewayError) => e.code === "insufficient_quota",
  );
  assert.equal(seen[0], record);
  // Called for a key without rate limits too (a budget alone).
  const budgetOnly: GateRecord = { virtualKey: key({ maxBudgetUsd: 1 }), tokenEstimate: () => 1 };
  assert.throws(
    () => gate.admit("m", budgetOnly),
    (e: GatewayError) => e.code === "insufficient_quota",
  );
  assert.equal(seen[1], budgetOnly);
  budgetSays = undefined;
  const pass = await gate.admit("m", record);
  assert.ok(pass, "the refused request did not use the one request of the minute");
  assert.equal(record.rateLimitHeaders?.["x-ratelimit-remaining-requests"], "0");
});

Deno.test("gate: a model refusal gives the key's slot and tokens back", async () => {
  const shared = limiter();
  const gate = createRequestGate({ limiter: shared, models: { m: { rpm: 1 } } });
  const virtualKey = key({ maxParallel: 1, tpmLimit: 100 });
  const first = await gate.admit("m", { virtualKey, tokenEstimate: () => 60 });
  assert.ok(first);
  first.settle();
  const refused: GateRecord = { virtualKey, tokenEstimate: () => 60 };
  await assert.rejects(
    async () => await gate.admit("m", refused),
    (e: GatewayError) => e.code === "rate_limit_exceeded",
  );
  assert.equal(refused.rateLimitHeaders?.["x-ratelimit-limit-requests"], "1", "the model's");
  // The key's slot (max_parallel 1) and its 60 tokens came back: another model is admitted.
  const other = await gate.admit("n", { virtualKey, tokenEstimate: () => 40 });
  assert.ok(other);
});

Deno.test("gate: headers merge the key's and the model's, the key's first", async () => {
  const gate = createRequestGate({ limiter: limiter(), models: { m: { rpm: 5, tpm: 1000 } } });
  const record: GateRecord = { virtualKey: key({ rpmLimit: 2 }), tokenEstimate: () => 10 };
  await gate.admit("m", record);
  assert.equal(record.rateLimitHeaders?.["x-ratelimit-limit-requests"], "2");
  assert.equal(record.rateLimitHeaders?.["x-ratelimit-limit-tokens"], "1000");
});

Deno.test("gate: settles once with the recorded usage; the estimate only when TPM needs it", async () => {
  let estimated = 0;
  const gate = createRequestGate({ limiter: limiter() });
  const rpmOnly: GateRecord = {
    virtualKey: key({ rpmLimit: 5 }),
    tokenEstimate: () => (estimated++, 10),
  };
  await gate.admit("m", rpmOnly);
  assert.equal(estimated, 0);
  const virtualKey = key({ tpmLimit: 100 });
  const record: GateRecord = { virtualKey, tokenEstimate: () => (estimated++, 50) };
  const pass = await gate.admit("m", record);
  assert.equal(estimated, 1);
  record.usage = { prompt_tokens: 5, completion_tokens: 5 };
  pass!.settle();
  pass!.settle(); // idempotent: the refund is not given twice
  await new Promise((r) => setTimeout(r, 0));
  const next: GateRecord = { virtualKey, tokenEstimate: () => 1 };
  await gate.admit("m", next);
  assert.equal(next.rateLimitHeaders?.["x-ratelimit-remaining-tokens"], String(100 - 10 - 1));
});

Deno.test("memory table: busy neighbours never spill into each other's entries", () => {
  // Regression: the token ring ran two words past its 512-byte entry, over the next entry's
  // lock and tag, once a subject had tokens in its newest buckets (ring slots 59 and 60).
  let now = 1_800_000_000_000;
  const table = new MemoryRateLimiter(createRateLimitBuffer(4_096), { clock: () => now });
  const limits = { rpm: 1_000_000_000, tpm: 1_000_000_000 };
  for (let second = 0; second < 70; second++, now += 1_000) {
    for (let i = 0; i < 1_000; i++) {
      const decision = table.acquireNow(`key:key-${i}`, limits, 500);
      assert.ok(decision.allowed, `subject ${i} refused at second ${second}`);
      assert.equal(decision.tokens!.remaining, 1_000_000_000 - 420 * Math.min(second, 60) - 500);
      table.settleNow(decision.lease, 420);
    }
  }
});

import assert from "node:assert/strict";
import { costUsd, tokenCounts } from "../../../core/usage/cost.ts";
import { priceName, priceOf } from "../../../core/usage/prices.ts";
import { usageRecord } from "../../../core/usage/record.ts";
import { createUsageWriter } from "../../../core/usage/writer.ts";

Deno.test("prices: Bedrock and dated ids price as their model; unknown is unknown", () => {
  for (
    const [id, name] of [
      ["us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"],
      ["anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku"],
      ["amazon.nova-lite-v1:0", "nova-lite"],
      ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
      ["claude-haiku-4-5", "claude-haiku-4-5"],
      ["o3", "o3"],
    ]
  ) assert.equal(priceName(id), name, id);
  const price = priceOf({ "llama3": { input: 0, output: 0 }, "gpt-4o": { input: 1, output: 2 } });
  assert.deepEqual(price("llama3"), { input: 0, output: 0 }); // an override may be free
  assert.deepEqual(price("gpt-4o"), { input: 1, output: 2 }); // overrides win
  assert.equal(price("qwen2.5:7b"), undefined);
  assert.equal(price("eu.anthropic.claude-sonnet-4-5-20250929-v1:0")?.output, 15);
});

Deno.test("cost: cached input at the cache price, unknown price → undefined", () => {
  const tokens = tokenCounts({
    prompt_tokens: 1_000_000,
    completion_tokens: 500_000,
    total_tokens: 1_500_000,
    prompt_tokens_details: { cached_tokens: 400_000 },
    completion_tokens_details: { reasoning_tokens: 100_000 },
  });
  assert.deepEqual(tokens, {
    input: 1_000_000,
    cached: 400_000,
    output: 500_000,
    reasoning: 100_000,
  });
  // 600k × $2 + 400k × $0.5 + 500k × $8 = 1.2 + 0.2 + 4 = $5.4
  assert.ok(Math.abs(costUsd(tokens, { input: 2, cached: 0.5, output: 8 })! - 5.4) < 1e-9);
  assert.equal(costUsd(tokens, undefined), undefined);
  assert.equal(costUsd(tokenCounts(undefined), { input: 2, output: 8 }), 0);
});

Deno.test("writer: batches in the background, bounded while the sink stalls, drops counted", async () => {
  let release!: () => void;
  const stalled = new Promise<void>((r) => release = r);
  const batches: number[][] = [];
  const writer = createUsageWriter<number>({
    sink: async (rows) => {
      await stalled;
      batches.push([...rows]);
    },
    batchSize: 10,
    flushMs: 5,
    maxQueued: 25,
  });
  const started = performance.now();
  for (let i = 0; i < 100; i++) writer.write(i); // never blocks
  assert.ok(performance.now() - started < 50);
  // The first batch of 10 is on its way; 25 more wait; the other 65 are dropped and counted.
  assert.equal(writer.queued, 25);
  assert.equal(writer.dropped, 65);
  release();
  await writer.flush();
  assert.deepEqual(batches.flat(), [...Array(35).keys()]);
  assert.equal(writer.queued, 0);
});

Deno.test("writer: records written while a batch is sent are sent after it; close flushes", async () => {
  const seen: number[] = [];
  let failOnce = true;
  const errors: number[] = [];
  const writer = createUsageWriter<number>({
    sink: async (rows) => {
      await new Promise((r) => setTimeout(r, 5));
      if (failOnce) {
        failOnce = false;
        throw new Error("database down");
      }
      seen.push(...rows);
    },
    batchSize: 2,
    flushMs: 1,
    onError: (_e, n) => errors.push(n),
  });
  writer.write(1);
  writer.write(2); // a full batch: sent, and it fails
  writer.write(3); // written while it is on its way
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(seen, [3]);
  assert.deepEqual(errors, [2]);
  assert.equal(writer.dropped, 2);
  writer.write(4);
  await writer.close();
  assert.deepEqual(seen, [3, 4]);
  writer.write(5); // after close: dropped and counted
  assert.equal(writer.dropped, 3);
});

Deno.test("usage record: priced by the deployment's model; unknown price is null, not 0", () => {
  const price = priceOf();
  const now = new Date("2026-12-02T12:00:00Z");
  const usage = { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 };
  const served = usageRecord(
    {
      request_id: "req-1",
      route: "/v1/chat/completions",
      status: 200,
      duration_ms: 123.456,
      model: "smart",
      provider: "aws-us",
      deployment: "aws-us/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      upstream_ms: 45.678,
      usage,
      key_id: "key_1",
      team: "search",
    },
    price,
    now,
  );
  assert.equal(served.time, "2026-12-02T12:00:00.000Z");
  assert.equal(served.model, "smart");
  assert.equal(served.cost_usd, (1000 * 3 + 200 * 15) / 1e6);
  assert.deepEqual([served.latency_ms, served.ttft_ms, served.key_id], [123.46, 45.68, "key_1"]);
  const unknown = usageRecord(
    {
      request_id: "req-2",
      route: "/v1/chat/completions",
      status: 200,
      duration_ms: 1,
      deployment: "local/llama3",
      usage,
    },
    price,
    now,
  );
  assert.equal(unknown.cost_usd, null);
  const failed = usageRecord(
    {
      request_id: "req-3",
      route: "/v1/chat/completions",
      status: 503,
      duration_ms: 1,
      deployment: "local/llama3",
      error_code: "upstream_unavailable",
    },
    price,
    now,
  );
  assert.deepEqual([failed.cost_usd, failed.input_tokens, failed.error_code], [
    0,
    0,
    "upstream_unavailable",
  ]);
});

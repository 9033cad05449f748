import assert from "node:assert/strict";
import { DeploymentStats } from "../../../core/deployments/stats.ts";
import { orderDeployments, type Rankable } from "../../../core/deployments/strategies.ts";
import { seededRandom } from "../../helpers/seeded_random.ts";

const d = (id: string, weight = 1, priority?: number): Rankable => ({ id, weight, priority });
const ids = (list: Rankable[]) => list.map((x) => x.id);

Deno.test("failover: by priority, then as written", () => {
  const ctx = { stats: new DeploymentStats(), random: seededRandom(1), exploration: 0 };
  assert.deepEqual(ids(orderDeployments("failover", [d("a"), d("b"), d("c")], ctx)), [
    "a",
    "b",
    "c",
  ]);
  assert.deepEqual(
    ids(orderDeployments("failover", [d("a", 1, 5), d("b", 1, 1), d("c", 1, 1)], ctx)),
    ["b", "c", "a"],
  );
});

Deno.test("weighted: shares follow the weights (600 draws, fixed seed), every one in the order", () => {
  const ctx = { stats: new DeploymentStats(), random: seededRandom(42), exploration: 0 };
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
  const draws = 600;
  for (let i = 0; i < draws; i++) {
    const order = orderDeployments("weighted", [d("a", 3), d("b", 2), d("c", 1)], ctx);
    assert.deepEqual([...ids(order)].sort(), ["a", "b", "c"]);
    counts[order[0].id]++;
  }
  // Chi-square against 3:2:1 with 2 degrees of freedom: 13.8 is the 0.1% critical value.
  const expected = { a: draws / 2, b: draws / 3, c: draws / 6 };
  const chi = Object.entries(expected).reduce((sum, [k, e]) => sum + (counts[k] - e) ** 2 / e, 0);
  assert.ok(chi < 13.8, `chi-square ${chi.toFixed(2)} for ${JSON.stringify(counts)}`);
  // …and the draw is not degenerate: a clearly skewed split fails the same check.
  const skewed = { a: 400, b: 150, c: 50 };
  const chiSkewed = Object.entries(expected).reduce(
    (sum, [k, e]) => sum + (skewed[k as "a"] - e) ** 2 / e,
    0,
  );
  assert.ok(chiSkewed > 13.8);
});

Deno.test("least_busy: fewest in flight first, ties at random", () => {
  const stats = new DeploymentStats();
  const ctx = { stats, random: seededRandom(7), exploration: 0 };
  const endA = stats.begin("a");
  stats.begin("a");
  stats.begin("b");
  assert.deepEqual(ids(orderDeployments("least_busy", [d("a"), d("b"), d("c")], ctx)), [
    "c",
    "b",
    "a",
  ]);
  endA();
  endA(); // idempotent
  assert.equal(stats.inFlight("a"), 1);
  const firsts = new Set<string>();
  for (let i = 0; i < 50; i++) {
    firsts.add(orderDeployments("least_busy", [d("x"), d("y")], ctx)[0].id);
  }
  assert.deepEqual([...firsts].sort(), ["x", "y"]);
});

Deno.test("latency: unmeasured first, then fastest; exploration sends a share at random", () => {
  const stats = new DeploymentStats();
  stats.succeeded("slow", 300);
  stats.succeeded("fast", 20);
  const exact = { stats, random: seededRandom(3), exploration: 0 };
  assert.deepEqual(
    ids(orderDeployments("latency", [d("slow"), d("fast"), d("new")], exact)),
    ["new", "fast", "slow"],
  );
  const exploring = { stats, random: seededRandom(3), exploration: 0.2 };
  let slowFirst = 0;
  for (let i = 0; i < 1000; i++) {
    if (orderDeployments("latency", [d("slow"), d("fast")], exploring)[0].id === "slow") {
      slowFirst++;
    }
  }
  // 20% explore, half of which pick `slow`: about 100 of 1000.
  assert.ok(slowFirst > 60 && slowFirst < 140, `slow first ${slowFirst} times`);
  // The average moves toward new samples.
  stats.succeeded("fast", 520);
  assert.equal(stats.latencyMs("fast"), 20 + 0.3 * 500);
});

import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { DeploymentStats } from "../../../core/deployments/stats.ts";

const policy = { failures: 3, window_s: 10, cooldown_s: 30 };
const failure = new GatewayError("upstream", "boom");

Deno.test("cooldown: the n-th failure within the window takes a deployment out, then it returns", () => {
  let now = 0;
  const stats = new DeploymentStats(() => now);
  assert.equal(stats.failed("a", failure, policy), 0);
  now = 11_000; // the first failure left the window
  assert.equal(stats.failed("a", failure, policy), 0);
  assert.equal(stats.failed("a", failure, policy), 0);
  assert.equal(stats.coolingMs("a"), 0);
  assert.equal(stats.failed("a", failure, policy), 30_000);
  now += 29_000;
  assert.equal(stats.coolingMs("a"), 1_000);
  now += 1_000;
  assert.equal(stats.coolingMs("a"), 0);
  // Back in rotation with a clean slate: one failure does not take it out again.
  assert.equal(stats.failed("a", failure, policy), 0);
  assert.equal(stats.state("a").coolingMs, 0);
});

Deno.test("cooldown: Retry-After takes it out at once, for the longer of the two", () => {
  let now = 0;
  const stats = new DeploymentStats(() => now);
  const limited = (s: number) => new GatewayError("rate_limited", "slow", { retryAfterSeconds: s });
  assert.equal(stats.failed("a", limited(60), policy), 60_000);
  assert.equal(stats.failed("b", limited(2), policy), 30_000);
  now = 45_000;
  assert.ok(stats.coolingMs("a") > 0);
  assert.equal(stats.coolingMs("b"), 0);
  assert.equal(stats.coolingMs("unknown"), 0);
});

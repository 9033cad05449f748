/**
 * The order an alias tries its deployments in, per strategy (pure: the stats and the random
 * source are passed in). The first is the one that serves; the rest are the failover order.
 *
 * - `failover`: by `priority` (lower first), then as written.
 * - `weighted`: a weighted random draw without replacement (the first by weight, the next among
 *   the rest by weight, …).
 * - `least_busy`: fewest requests in flight first, ties broken at random.
 * - `latency`: lowest smoothed time to first byte first (unmeasured ones first, so each gets
 *   measured); with probability `exploration` the first is drawn at random instead.
 */
import type { DeploymentStats } from "./stats.ts";
import type { Strategy } from "./schema.ts";

/** What ordering needs of a deployment. */
export interface Rankable {
  /** The deployment id (`<provider>/<model>`), the stats key. */
  id: string;
  weight: number;
  priority?: number;
}

/** What ordering reads besides the deployments. */
export interface OrderContext {
  stats: DeploymentStats;
  /** Uniform in [0, 1). */
  random: () => number;
  /** `latency`: the share of random first picks. */
  exploration: number;
}

function weightedDraw<T extends Rankable>(items: T[], random: () => number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, d) => sum + d.weight, 0);
    let point = random() * total;
    let pick = pool.length - 1;
    for (let i = 0; i < pool.length; i++) {
      point -= pool[i].weight;
      if (point < 0) {
        pick = i;
        break;
      }
    }
    out.push(pool.splice(pick, 1)[0]);
  }
  return out;
}

/** Sorts by `key`, ties in random order. */
function sortWithRandomTies<T>(items: T[], key: (item: T) => number, random: () => number): T[] {
  return items.map((item) => ({ item, key: key(item), tie: random() }))
    .sort((a, b) => a.key - b.key || a.tie - b.tie)
    .map((entry) => entry.item);
}

/**
 * The deployments in the order to try them.
 *
 * @example
 * orderDeployments("failover", [{ id: "a/x", weight: 1, priority: 2 }, { id: "b/x", weight: 1, priority: 1 }], ctx);
 * // [b/x, a/x]
 */
export function orderDeployments<T extends Rankable>(
  strategy: Strategy,
  deployments: readonly T[],
  ctx: OrderContext,
): T[] {
  const items = [...deployments];
  if (items.length < 2) return items;
  switch (strategy) {
    case "failover":
      return items.map((item, index) => ({ item, index }))
        .sort((a, b) =>
          (a.item.priority ?? a.index) - (b.item.priority ?? b.index) || a.index - b.index
        )
        .map((entry) => entry.item);
    case "weighted":
      return weightedDraw(items, ctx.random);
    case "least_busy":
      return sortWithRandomTies(items, (d) => ctx.stats.inFlight(d.id), ctx.random);
    case "latency": {
      if (ctx.random() < ctx.exploration) {
        const first = items.splice(Math.floor(ctx.random() * items.length), 1)[0];
        return [
          first,
          ...sortWithRandomTies(items, (d) => ctx.stats.latencyMs(d.id) ?? -1, ctx.random),
        ];
      }
      return sortWithRandomTies(items, (d) => ctx.stats.latencyMs(d.id) ?? -1, ctx.random);
    }
  }
}

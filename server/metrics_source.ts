/**
 * Where `/metrics` gets its numbers: a local registry (one process or worker), or the registries
 * of every worker of `deno task start`, gathered at scrape time over a `BroadcastChannel`.
 */
import {
  createMetricsRegistry,
  mergeSnapshots,
  type MetricsRegistry,
  type MetricsSnapshot,
} from "../core/metrics.ts";
import type { AccessObserver } from "./middleware/access_log.ts";

/** Feeds on finished requests; answers scrapes. */
export interface MetricsSource {
  observe: AccessObserver;
  collect(): Promise<MetricsSnapshot>;
}

/** The metrics of this process (or worker) only. */
export function localMetrics(registry: MetricsRegistry = createMetricsRegistry()): MetricsSource {
  return {
    observe: (r) => registry.observe(r),
    collect: () => Promise.resolve(registry.snapshot()),
  };
}

/** Options of `clusterMetrics`. */
export interface ClusterMetricsOptions {
  /** This worker's registry. */
  registry?: MetricsRegistry;
  /** How many other workers share the channel. */
  peers: number;
  /** Channel name; the same in every worker. */
  channel?: string;
  /** How long a scrape waits for the other workers' snapshots. Default 250 ms. */
  timeoutMs?: number;
}

type Message =
  | { type: "collect"; id: string; from: string }
  | { type: "snapshot"; id: string; from: string; snapshot: MetricsSnapshot };

/**
 * Metrics of all workers: a scrape asks the `peers` other workers for their snapshots and sums
 * them with its own. A worker that does not answer within `timeoutMs` counts with the last
 * snapshot seen from it, so totals do not fall back between scrapes. `close()` leaves the channel.
 */
export function clusterMetrics(
  options: ClusterMetricsOptions,
): MetricsSource & { close(): void } {
  const registry = options.registry ?? createMetricsRegistry();
  const self = crypto.randomUUID();
  const timeoutMs = options.timeoutMs ?? 250;
  const channel = new BroadcastChannel(options.channel ?? "gateway-metrics");
  const lastSeen = new Map<string, MetricsSnapshot>();
  const waiting = new Map<string, (from: string) => void>();

  channel.onmessage = (event: MessageEvent<Message>) => {
    const message = event.data;
    if (message.from === self) return;
    if (message.type === "collect") {
      const reply: Message = {
        type: "snapshot",
        id: message.id,
        from: self,
        snapshot: registry.snapshot(),
      };
      channel.postMessage(reply);
      return;
    }
    lastSeen.set(message.from, message.snapshot);
    waiting.get(message.id)?.(message.from);
  };

  return {
    observe: (r) => registry.observe(r),
    async collect() {
      if (options.peers > 0) {
        const id = crypto.randomUUID();
        const answered = new Set<string>();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          waiting.set(id, (from) => {
            answered.add(from);
            if (answered.size >= options.peers) {
              clearTimeout(timer);
              resolve();
            }
          });
          channel.postMessage({ type: "collect", id, from: self } satisfies Message);
        });
        waiting.delete(id);
      }
      return mergeSnapshots([registry.snapshot(), ...lastSeen.values()]);
    },
    close: () => channel.close(),
  };
}

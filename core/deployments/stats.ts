/**
 * What the router knows about each deployment in this isolate: requests in flight
 * (`least_busy`), recent time to first byte (`latency`), and recent failures with the cooldown
 * they cause. Keyed by deployment id (`<provider>/<model>`), so two aliases sharing a
 * deployment share its health, and a config reload keeps it. Per instance by design: several
 * gateway instances each learn on their own (README, "Deployments and routing").
 */
import type { GatewayError } from "../errors.ts";
import type { CooldownConfig } from "./schema.ts";

/** Weight of the newest sample in the latency average. */
const LATENCY_SMOOTHING = 0.3;

interface Entry {
  inFlight: number;
  /** Times (ms) of the failures still inside the window. */
  failures: number[];
  /** Out of rotation until this time (ms); 0 when in. */
  coolUntil: number;
  /** Smoothed time to first byte (ms), undefined until measured. */
  latencyMs?: number;
}

/** One deployment's state, as `models` listings and tests read it. */
export interface DeploymentState {
  inFlight: number;
  /** Milliseconds until it takes traffic again (0: it does). */
  coolingMs: number;
  latencyMs?: number;
}

/** Per-deployment counters, cooldowns and latencies. */
export class DeploymentStats {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  /** `now` in milliseconds (tests inject a clock). */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  #entry(id: string): Entry {
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      entry = { inFlight: 0, failures: [], coolUntil: 0 };
      this.#entries.set(id, entry);
    }
    return entry;
  }

  /** Counts a request in flight on `id`; the returned function (idempotent) ends it. */
  begin(id: string): () => void {
    const entry = this.#entry(id);
    entry.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      entry.inFlight--;
    };
  }

  /** Records a success and the time its first byte took. */
  succeeded(id: string, firstByteMs: number): void {
    const entry = this.#entry(id);
    entry.latencyMs = entry.latencyMs === undefined
      ? firstByteMs
      : entry.latencyMs + LATENCY_SMOOTHING * (firstByteMs - entry.latencyMs);
  }

  /**
   * Records a failure worth moving on for (429, 5xx, timeout, connection). A `Retry-After`
   * takes the deployment out at once for that long (at least `cooldown_s`); otherwise the
   * `failures`-th failure within `window_s` takes it out for `cooldown_s`. Returns the
   * milliseconds it is now out for (0: still in).
   */
  failed(id: string, error: GatewayError, policy: CooldownConfig): number {
    const entry = this.#entry(id);
    const now = this.#now();
    const cooldownMs = policy.cooldown_s * 1000;
    if (error.retryAfterSeconds !== undefined) {
      entry.coolUntil = Math.max(
        entry.coolUntil,
        now + Math.max(error.retryAfterSeconds * 1000, cooldownMs),
      );
      entry.failures = [];
      return entry.coolUntil - now;
    }
    const windowStart = now - policy.window_s * 1000;
    entry.failures = entry.failures.filter((t) => t > windowStart);
    entry.failures.push(now);
    if (entry.failures.length >= policy.failures && cooldownMs > 0) {
      entry.coolUntil = now + cooldownMs;
      entry.failures = [];
      return cooldownMs;
    }
    return 0;
  }

  /** Milliseconds until `id` takes traffic again (0: it does). */
  coolingMs(id: string): number {
    const entry = this.#entries.get(id);
    if (entry === undefined || entry.coolUntil === 0) return 0;
    const left = entry.coolUntil - this.#now();
    if (left > 0) return left;
    entry.coolUntil = 0;
    return 0;
  }

  /** Requests in flight on `id`. */
  inFlight(id: string): number {
    return this.#entries.get(id)?.inFlight ?? 0;
  }

  /** The smoothed time to first byte of `id`, undefined until measured. */
  latencyMs(id: string): number | undefined {
    return this.#entries.get(id)?.latencyMs;
  }

  /** `id`'s state. */
  state(id: string): DeploymentState {
    return {
      inFlight: this.inFlight(id),
      coolingMs: this.coolingMs(id),
      latencyMs: this.latencyMs(id),
    };
  }
}

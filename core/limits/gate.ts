/**
 * The request gate: what the router asks once per client request (not per failover attempt),
 * right after the model allowlist, before anything is routed — and what it tells when the
 * request is over.
 *
 * A request is gated when its pipeline says what it would spend (`tokenEstimate`: chat,
 * Messages, Responses and embeddings do; token counting and model listings do not). Then, in
 * this order:
 *
 * 1. the budget check ({@link GateOptions.budget}), when one is plugged in: an error it returns
 *    is thrown as it is, before anything is counted;
 * 2. the virtual key's own limits (`rpm_limit`, `tpm_limit`, `max_parallel`), subject
 *    `key:<id>`;
 * 3. the model's limits from the config file (`limits.models`), subject `model:<name>` (the
 *    model id or alias as the client asked for it), counted for every caller.
 *
 * A refusal is the 429 `rate_limit_exceeded` with `Retry-After` (`limiter.ts`); a limiter that
 * cannot count (Redis down, `REDIS_FAIL_CLOSED=true`) the 503. A request refused by its model's
 * limit after its key admitted it gives the key's slot and tokens back, but stays counted once
 * in the key's RPM (the limiter cannot un-count a request). The response headers
 * (`x-ratelimit-*`) are written into the record: those of the key's limits, and the
 * model's where the key sets no such limit; on a 429, those of the limit that refused.
 *
 * An admitted request holds a {@link Pass}; {@link Pass.settle} (idempotent) corrects the
 * reservation to the tokens the record's `usage` shows at that moment (prompt + completion; 0
 * for a request that failed before any was reported) and frees the parallel slots.
 */
import type { GatewayError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { VirtualKeyRecord } from "../store/store.ts";
import {
  type Decision,
  headersOf,
  type Lease,
  type Limits,
  type RateLimiter,
  rateLimitError,
} from "./limiter.ts";

/** Characters per token of the gate's estimate (as `formats/openai/token_estimate.ts`). */
export const ESTIMATE_CHARS_PER_TOKEN = 4;

/** What the gate reads and writes in a request's record (the router's `RouteRecord` has it). */
export interface GateRecord {
  /** The virtual key that made the request, as cached (recorded by authentication). */
  virtualKey?: VirtualKeyRecord;
  /** Set by a pipeline whose request spends tokens, before routing: its estimate of the
   * request's tokens (prompt + the most it may answer), computed only when a TPM limit needs
   * it. Without it the request is not gated. */
  tokenEstimate?: () => number;
  /** The tokens the request used, as the pipeline recorded them. */
  usage?: { prompt_tokens?: number; completion_tokens?: number };
  /** The `x-ratelimit-*` headers of the request's limits, written by the gate. */
  rateLimitHeaders?: Record<string, string>;
}

/** A budget check: the error to refuse the request with (429 `insufficient_quota`), or
 * undefined to let it on. Called before any limit is counted; it must not block. */
export type BudgetCheck = (record: GateRecord) => GatewayError | undefined;

/** An admitted request's hold on its limits. */
export interface Pass {
  /** Settles every lease once with the record's usage; later calls do nothing. */
  settle(): void;
}

/** The gate. */
export interface RequestGate {
  /** Admits the request for `model` (as asked for) or rejects with its 429/503; undefined —
   * at once, without a promise, for the unlimited hot path — when nothing limits it. A budget
   * refusal is thrown. */
  admit(model: string, record: GateRecord): Promise<Pass> | undefined;
}

/** Options of {@link createRequestGate}. */
export interface GateOptions {
  limiter: RateLimiter;
  /** Per-model limits by model id or alias as asked for (config file `limits.models`). */
  models?: Readonly<Record<string, Limits>>;
  /** The budget check (the budgets part plugs in here). */
  budget?: BudgetCheck;
  logger?: Logger;
}

/** A virtual key's limits, or undefined when it sets none. */
export function keyLimits(key: VirtualKeyRecord | undefined): Limits | undefined {
  if (key === undefined) return undefined;
  const { rpmLimit, tpmLimit, maxParallel } = key;
  if (rpmLimit === undefined && tpmLimit === undefined && maxParallel === undefined) {
    return undefined;
  }
  return { rpm: rpmLimit, tpm: tpmLimit, maxParallel };
}

/** Tokens the record's usage shows (prompt + completion), 0 without usage. */
export function usedTokens(record: GateRecord): number {
  const usage = record.usage;
  if (usage === undefined) return 0;
  return (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
}

/** Creates the gate over `options.limiter`. */
export function createRequestGate(options: GateOptions): RequestGate {
  const { limiter } = options;
  const models = new Map(Object.entries(options.models ?? {}));

  const settleAll = (leases: Lease[], tokens: number) => {
    for (const lease of leases) {
      limiter.settle(lease, tokens).catch((error) =>
        options.logger?.warn("rate limit settle failed", { error: String(error) })
      );
    }
  };

  function admit(model: string, record: GateRecord): Promise<Pass> | undefined {
    if (record.tokenEstimate === undefined) return undefined;
    const refusal = options.budget?.(record);
    if (refusal !== undefined) throw refusal;
    const ofKey = keyLimits(record.virtualKey);
    const ofModel = models.get(model);
    if (ofKey === undefined && ofModel === undefined) return undefined;
    return acquire(model, record, ofKey, ofModel);
  }

  async function acquire(
    model: string,
    record: GateRecord,
    ofKey: Limits | undefined,
    ofModel: Limits | undefined,
  ): Promise<Pass> {
    const estimate = record.tokenEstimate!;
    const needsTokens = ofKey?.tpm !== undefined || ofModel?.tpm !== undefined;
    const tokens = needsTokens ? estimate() : 0;
    const leases: Lease[] = [];
    let headers: Record<string, string> = {};
    const subjects = [[`key:${record.virtualKey?.id}`, ofKey], [
      `model:${model}`,
      ofModel,
    ]] as const;
    for (const [subject, limits] of subjects) {
      if (limits === undefined) continue;
      let decision: Decision;
      try {
        decision = await limiter.acquire(subject, limits, tokens);
      } catch (error) {
        settleAll(leases, 0); // the 503 of a limiter that cannot count
        throw error;
      }
      if (!decision.allowed) {
        settleAll(leases, 0);
        record.rateLimitHeaders = headersOf(decision);
        throw rateLimitError(decision);
      }
      leases.push(decision.lease);
      // The key's headers where both set the same limit (the key's are the client's own).
      headers = { ...headersOf(decision), ...headers };
    }
    record.rateLimitHeaders = headers;
    let settled = false;
    return {
      settle() {
        if (settled) return;
        settled = true;
        settleAll(leases, usedTokens(record));
      },
    };
  }

  return { admit };
}

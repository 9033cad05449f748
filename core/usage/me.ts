/**
 * `GET /v1/me` and tRPC `me`: what the caller's own key may do and has spent — its allowlist,
 * limits and budget with the spend of the current period and when it resets — and nothing about
 * other keys. Static `API_KEY` keys, the admin key and an open gateway have no limits.
 */
import type { Caller } from "../keys/authenticate.ts";
import { toKeyObject } from "../keys/schema.ts";
import { type BudgetPeriod, periodBounds, type SpendTracker } from "./budget.ts";

/** A budget and where the key stands on it. */
export interface BudgetView {
  max_budget_usd: number | null;
  budget_period: BudgetPeriod | null;
  /** USD spent in the current period (all time without a period). */
  spent_usd: number;
  /** Null without a budget; never below 0. */
  remaining_usd: number | null;
  /** ISO 8601 of the next reset; null without a period. */
  resets_at: string | null;
  /** ISO 8601 of the current period's start; null without a period. */
  period_start: string | null;
}

/** The answer of `GET /v1/me`. */
export interface MeView {
  object: "gateway.key";
  kind: Caller["kind"];
  admin: boolean;
  /** The virtual key's fields (kind `virtual`), else null. */
  id: string | null;
  name: string | null;
  team: string | null;
  models: string[] | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel: number | null;
  /** Unix seconds, or null. */
  expires_at: number | null;
  /** Null for keys that are not virtual keys (nothing is counted for them). */
  budget: BudgetView | null;
}

/** Rounds USD to a millionth (the records' own precision). */
const money = (usd: number) => Math.round(usd * 1e6) / 1e6;

/**
 * What `caller` sees of itself at `nowMs`.
 *
 * @example
 * describeCaller(caller, spend, Date.now()).budget?.remaining_usd; // 3.25
 */
export function describeCaller(
  caller: Caller,
  spend: SpendTracker | undefined,
  nowMs: number,
): MeView {
  const record = caller.virtual?.record;
  const base: MeView = {
    object: "gateway.key",
    kind: caller.kind,
    admin: caller.admin,
    id: null,
    name: null,
    team: null,
    models: null,
    rpm_limit: null,
    tpm_limit: null,
    max_parallel: null,
    expires_at: null,
    budget: null,
  };
  if (record === undefined) return base;
  // The admin API's field names and nulls; never the metadata, prefix or dates.
  const { id, name, team, models, rpm_limit, tpm_limit, max_parallel, expires_at } = toKeyObject(
    record,
  );
  const period = record.budgetPeriod;
  const { start, end } = periodBounds(period, nowMs);
  const spent = money(spend?.spent(record.id, period) ?? 0);
  const max = record.maxBudgetUsd;
  return {
    ...base,
    ...{ id, name, team, models, rpm_limit, tpm_limit, max_parallel, expires_at },
    budget: {
      max_budget_usd: max ?? null,
      budget_period: period ?? null,
      spent_usd: spent,
      remaining_usd: max === undefined ? null : money(Math.max(0, max - spent)),
      resets_at: end === undefined ? null : new Date(end).toISOString(),
      period_start: period === undefined ? null : new Date(start).toISOString(),
    },
  };
}

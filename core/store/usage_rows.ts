/**
 * Usage records as both backends store them (`usage`, migration 3): the columns, a record's
 * values, and the one summary query (`SELECT … GROUP BY …`) written for either dialect, with its
 * rows turned into {@link UsageGroup}s in the contract's order.
 */
import type { UsageGroup, UsageGroupBy, UsageQuery, UsageRecord } from "./store.ts";

/** The `usage` columns a record fills, in insert order. */
export const USAGE_COLUMNS = [
  "time",
  "request_id",
  "key_id",
  "team",
  "route",
  "model",
  "provider",
  "deployment",
  "input_tokens",
  "cached_tokens",
  "output_tokens",
  "reasoning_tokens",
  "cost_usd",
  "latency_ms",
  "ttft_ms",
  "status",
  "error_code",
] as const;

/** A record's values for {@link USAGE_COLUMNS} (`time` as unix milliseconds). */
export function usageValues(r: UsageRecord): (string | number | null)[] {
  return [
    Date.parse(r.time),
    r.request_id,
    r.key_id,
    r.team,
    r.route,
    r.model,
    r.provider,
    r.deployment,
    r.input_tokens,
    r.cached_tokens,
    r.output_tokens,
    r.reasoning_tokens,
    r.cost_usd,
    r.latency_ms,
    r.ttft_ms,
    r.status,
    r.error_code,
  ];
}

/** Which SQL the summary is written in. */
export type Dialect = "sqlite" | "postgres";

/** The group column of each grouping; `day` is the UTC date of `time`. */
function groupExpression(groupBy: UsageGroupBy, dialect: Dialect): string {
  switch (groupBy) {
    case "key":
      return "key_id";
    case "day":
      return dialect === "sqlite"
        ? "strftime('%Y-%m-%d', time / 1000, 'unixepoch')"
        : "to_char(to_timestamp(time / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
    default:
      return groupBy;
  }
}

/**
 * The summary query of `query` in `dialect`, with its parameters (`?` for SQLite, `$1…` for
 * PostgreSQL). Every value is a parameter.
 *
 * @example
 * usageSummarySql({ keyId: "key_a", groupBy: "model" }, "sqlite");
 * // { text: "SELECT model AS grp, … WHERE key_id = ? GROUP BY 1", params: ["key_a"] }
 */
export function usageSummarySql(
  query: UsageQuery,
  dialect: Dialect,
): { text: string; params: (string | number)[] } {
  const params: (string | number)[] = [];
  const where: string[] = [];
  const add = (condition: string, value: string | number) => {
    params.push(value);
    where.push(condition.replace("?", dialect === "sqlite" ? "?" : `$${params.length}`));
  };
  if (query.from !== undefined) add("time >= ?", query.from);
  if (query.to !== undefined) add("time < ?", query.to);
  if (query.keyId !== undefined) add("key_id = ?", query.keyId);
  if (query.team !== undefined) add("team = ?", query.team);
  if (query.model !== undefined) add("model = ?", query.model);
  const group = query.groupBy === undefined ? "NULL" : groupExpression(query.groupBy, dialect);
  const text = `SELECT ${group} AS grp,
      COUNT(*) AS requests,
      SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END) AS errors,
      SUM(input_tokens) AS input_tokens,
      SUM(cached_tokens) AS cached_tokens,
      SUM(output_tokens) AS output_tokens,
      SUM(reasoning_tokens) AS reasoning_tokens,
      SUM(cost_usd) AS cost_usd,
      SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced_requests
    FROM usage${where.length === 0 ? "" : ` WHERE ${where.join(" AND ")}`}${
    query.groupBy === undefined ? "" : " GROUP BY 1"
  }`;
  return { text, params };
}

/** Sums stay exact to a nano-dollar whatever order a backend adds them in. */
const usd = (value: unknown) => Math.round(Number(value ?? 0) * 1e9) / 1e9;

/** A summary row as a {@link UsageGroup} (numbers may arrive as strings or bigints). */
export function usageGroupFromRow(row: Record<string, unknown>): UsageGroup {
  const n = (value: unknown) => Number(value ?? 0);
  return {
    group: row.grp === null || row.grp === undefined ? null : String(row.grp),
    requests: n(row.requests),
    errors: n(row.errors),
    input_tokens: n(row.input_tokens),
    cached_tokens: n(row.cached_tokens),
    output_tokens: n(row.output_tokens),
    reasoning_tokens: n(row.reasoning_tokens),
    cost_usd: usd(row.cost_usd),
    unpriced_requests: n(row.unpriced_requests),
  };
}

/** Byte order of groups, null last (the same in both backends, whatever their collation). */
function compareGroups(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * The contract's order: by day ascending for `day`; otherwise by cost (highest first), then
 * group (null last).
 */
export function sortUsageGroups(groups: UsageGroup[], groupBy?: UsageGroupBy): UsageGroup[] {
  return groups.sort((a, b) =>
    groupBy === "day"
      ? compareGroups(a.group, b.group)
      : b.cost_usd - a.cost_usd || compareGroups(a.group, b.group)
  );
}

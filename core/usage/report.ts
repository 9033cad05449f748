/**
 * The usage API both transports serve (`GET /admin/usage`, tRPC `admin.usage`): its query
 * (`from`, `to`, `key`, `team`, `model`, `group_by`) validated into a {@link UsageQuery} — bad
 * values are 400s naming the parameter — and the store's sums as a list.
 */
import { GatewayError } from "../errors.ts";
import { fromStore } from "../store/errors.ts";
import {
  USAGE_GROUPS,
  type UsageGroup,
  type UsageGroupBy,
  type UsageQuery,
  type UsageRepository,
} from "../store/store.ts";

/** The usage query as a client sends it: strings from HTTP, strings or numbers from tRPC. */
export interface UsageParams {
  /** ISO 8601 (`2027-01-15`, `2027-01-15T10:00:00Z`) or unix seconds; inclusive. */
  from?: string | number;
  /** The same forms; exclusive. */
  to?: string | number;
  /** A virtual key's id. */
  key?: string;
  team?: string;
  model?: string;
  group_by?: string;
}

/** The answer: the groups, and the query they answer (times as ISO 8601, null when open). */
export interface UsageReport {
  object: "list";
  data: UsageGroup[];
  from: string | null;
  to: string | null;
  group_by: UsageGroupBy | null;
}

const PARAMS = new Set(["from", "to", "key", "team", "model", "group_by"]);
const UNIX_SECONDS = /^\d{1,12}(\.\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const invalid = (param: string, message: string) =>
  new GatewayError("invalid_request", message, { param });

/** Whether `YYYY-MM-DD` names a day of the calendar (its month has that day). */
function isCalendarDate(date: string): boolean {
  const [y, m, d] = date.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

/** A time parameter in unix milliseconds (a date without a time zone is UTC). */
function instant(value: string | number, param: string): number {
  const text = String(value).trim();
  let ms = Number.NaN;
  if (typeof value === "number" || UNIX_SECONDS.test(text)) ms = Number(text) * 1000;
  else if (ISO_DATE.test(text)) {
    const dateOnly = text.length === 10;
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text);
    ms = Date.parse(dateOnly || zoned ? text : `${text}Z`);
    if (!isCalendarDate(text.slice(0, 10))) ms = Number.NaN; // 2027-02-30 is not rolled over
  }
  if (!Number.isFinite(ms) || ms < 0) {
    throw invalid(
      param,
      `${param} must be an ISO 8601 date or time (2027-01-15, 2027-01-15T10:00:00Z) or unix seconds; got '${text}'.`,
    );
  }
  return Math.floor(ms);
}

/** A text filter: absent when empty. */
function text(value: unknown, param: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string") throw invalid(param, `${param} must be a string.`);
  return value;
}

/**
 * Validates a usage query; errors name the parameter (unknown parameters too).
 *
 * @example
 * parseUsageQuery({ from: "2027-01-01", group_by: "day" });
 * // { from: 1798761600000, groupBy: "day" }
 */
export function parseUsageQuery(params: Record<string, unknown>): UsageQuery {
  for (const name of Object.keys(params)) {
    if (!PARAMS.has(name)) {
      throw invalid(
        name,
        `Unknown parameter '${name}'; use from, to, key, team, model or group_by.`,
      );
    }
  }
  const query: UsageQuery = {};
  for (const param of ["from", "to"] as const) {
    const value = params[param];
    if (value === undefined || value === "") continue;
    if (typeof value !== "string" && typeof value !== "number") {
      throw invalid(param, `${param} must be an ISO 8601 date or time or unix seconds.`);
    }
    query[param] = instant(value, param);
  }
  if (query.from !== undefined && query.to !== undefined && query.to < query.from) {
    throw invalid("to", "to must not be before from.");
  }
  const keyId = text(params.key, "key");
  const team = text(params.team, "team");
  const model = text(params.model, "model");
  if (keyId !== undefined) query.keyId = keyId;
  if (team !== undefined) query.team = team;
  if (model !== undefined) query.model = model;
  const groupBy = text(params.group_by, "group_by");
  if (groupBy !== undefined) {
    if (!(USAGE_GROUPS as readonly string[]).includes(groupBy)) {
      throw invalid("group_by", `group_by must be one of ${USAGE_GROUPS.join(", ")}.`);
    }
    query.groupBy = groupBy as UsageGroupBy;
  }
  return query;
}

/**
 * The usage report of `params` over `repo` (a failing store is a 503 `store_unavailable`).
 *
 * @example
 * await usageReport(store.usage, { group_by: "model" }); // { object: "list", data: [...], ... }
 */
export async function usageReport(
  repo: UsageRepository,
  params: Record<string, unknown>,
): Promise<UsageReport> {
  const query = parseUsageQuery(params);
  const iso = (ms: number | undefined) => ms === undefined ? null : new Date(ms).toISOString();
  return {
    object: "list",
    data: await fromStore(repo.summarize(query)),
    from: iso(query.from),
    to: iso(query.to),
    group_by: query.groupBy ?? null,
  };
}

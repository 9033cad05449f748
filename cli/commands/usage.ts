/**
 * `usage [--from --to --key --team --model --group-by] [--json]`: the gateway's usage and cost,
 * through tRPC `admin.usage` with the admin key (as `keys`). A table of the groups — requests,
 * errors, tokens, cost, unpriced requests — and a total line; `--json` prints the gateway's
 * answer as it is. Times are ISO 8601 dates or date-times (UTC) or unix seconds.
 */
import { type CommandSpec, flag, type Parsed, stringOpt } from "../args.ts";
import type { CliContext } from "../context.ts";
import { explainError, UsageError } from "../errors.ts";
import { table } from "../render.ts";
import { createGatewayClient } from "../../routers/client.ts";
import { adminKey } from "./keys.ts";

const GROUPS = ["key", "team", "model", "provider", "day"] as const;
type GroupBy = typeof GROUPS[number];

/** The command's spec. */
export const spec: CommandSpec = {
  name: "usage",
  summary: "Usage and cost by key, team, model, provider or day (admin key).",
  usage: [
    "usage [--from TIME] [--to TIME] [--key ID] [--team TEAM] [--model MODEL]",
    "      [--group-by key|team|model|provider|day] [--json]",
  ],
  options: {
    from: {
      type: "string",
      description:
        "from this time on (inclusive): 2027-01-01, 2027-01-01T08:00:00Z or unix seconds",
      valueName: "TIME",
    },
    to: { type: "string", description: "before this time (exclusive)", valueName: "TIME" },
    key: { type: "string", description: "one virtual key's id", valueName: "ID" },
    team: { type: "string", description: "one team", valueName: "TEAM" },
    model: { type: "string", description: "one model or alias as asked for", valueName: "MODEL" },
    "group-by": {
      type: "string",
      description: "key, team, model, provider or day (UTC); default: the totals",
      valueName: "GROUP",
    },
    json: { type: "boolean", description: "print the gateway's answer as JSON" },
  },
  details: `The admin key: --api-key, else GATEWAY_API_KEY when set, else ADMIN_API_KEY, else
API_KEY's first key. One record per API request reaches the store within about a second.
COST is the sum of the known costs; UNPRICED counts requests whose model has no price (set one
under prices: in the config file): their cost is unknown, not zero.`,
};

/** A USD amount: cents for large sums, six decimals for small ones. */
export function formatUsd(usd: number): string {
  if (usd === 0) return "$0";
  return usd >= 100
    ? `$${usd.toFixed(2)}`
    : `$${usd.toFixed(6).replace(/0+$/, "").replace(/\.$/, "")}`;
}

interface Group {
  group: string | null;
  requests: number;
  errors: number;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  unpriced_requests: number;
}

/** The table of a report (and a total line when there are several groups). */
export function usageTable(
  data: Group[],
  groupBy: GroupBy | null,
  style?: CliContext["style"],
): string {
  if (data.length === 0 || (groupBy === null && data[0].requests === 0)) {
    return "No usage recorded in this range.\n";
  }
  const row = (label: string, g: Group) => [
    label,
    String(g.requests),
    String(g.errors),
    String(g.input_tokens),
    String(g.cached_tokens),
    String(g.output_tokens),
    String(g.reasoning_tokens),
    formatUsd(g.cost_usd),
    String(g.unpriced_requests),
  ];
  const label = (g: Group) =>
    g.group ?? (groupBy === null ? "total" : groupBy === "key" ? "(no key)" : "(none)");
  const rows = data.map((g) => row(label(g), g));
  if (groupBy !== null && data.length > 1) {
    const sum = (field: keyof Omit<Group, "group">) =>
      data.reduce((total, g) => total + g[field], 0);
    rows.push(row("total", {
      group: null,
      requests: sum("requests"),
      errors: sum("errors"),
      input_tokens: sum("input_tokens"),
      cached_tokens: sum("cached_tokens"),
      output_tokens: sum("output_tokens"),
      reasoning_tokens: sum("reasoning_tokens"),
      cost_usd: Math.round(sum("cost_usd") * 1e9) / 1e9,
      unpriced_requests: sum("unpriced_requests"),
    }));
  }
  return table(
    [
      (groupBy ?? "usage").toUpperCase(),
      "REQUESTS",
      "ERRORS",
      "INPUT",
      "CACHED",
      "OUTPUT",
      "REASONING",
      "COST",
      "UNPRICED",
    ],
    rows,
    style,
  ) + "\n";
}

/** Runs `usage`. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  if (parsed.positionals.length > 0) {
    throw new UsageError(`usage takes no arguments, got '${parsed.positionals[0]}'.`);
  }
  const groupBy = stringOpt(parsed, "group-by");
  if (groupBy !== undefined && !(GROUPS as readonly string[]).includes(groupBy)) {
    throw new UsageError(`--group-by must be one of ${GROUPS.join(", ")}, got '${groupBy}'.`);
  }
  const apiKey = adminKey(ctx, parsed);
  const client = createGatewayClient({ url: ctx.url, apiKey });
  const input = {
    from: stringOpt(parsed, "from"),
    to: stringOpt(parsed, "to"),
    key: stringOpt(parsed, "key"),
    team: stringOpt(parsed, "team"),
    model: stringOpt(parsed, "model"),
    group_by: groupBy as GroupBy | undefined,
  };
  let report;
  try {
    report = await client.admin.usage.query(input);
  } catch (error) {
    throw explainError(error, { url: ctx.url, apiKeyGiven: apiKey !== undefined });
  }
  if (flag(parsed, "json")) {
    ctx.out(JSON.stringify(report, null, 2) + "\n");
    return 0;
  }
  const range = report.from === null && report.to === null
    ? "all time"
    : `${report.from ?? "the start"} to ${report.to ?? "now"}`;
  ctx.out(`Usage, ${range}:\n` + usageTable(report.data, report.group_by, ctx.style));
  return 0;
}

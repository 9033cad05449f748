/**
 * `models`: the gateway's models as a table (id, provider, created), then its aliases with their
 * deployments (strategy, weight, priority, and whether each takes traffic now), or JSON.
 */
import { type CommandSpec, flag, type Parsed } from "../args.ts";
import type { CliContext } from "../context.ts";
import { explainError } from "../errors.ts";
import { formatDate, table } from "../render.ts";

/** The command's spec. */
export const spec: CommandSpec = {
  name: "models",
  summary: "List the models the gateway serves.",
  usage: ["models [--json]"],
  options: { json: { type: "boolean", description: "print the raw list as JSON" } },
};

/** Runs `models`. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  let list;
  try {
    list = await ctx.client().models.list.query();
  } catch (error) {
    throw explainError(error, ctx.errorContext());
  }
  if (flag(parsed, "json")) {
    ctx.out(JSON.stringify(list, null, 2) + "\n");
    return 0;
  }
  const rows = [...list.data].sort((a, b) =>
    a.owned_by.localeCompare(b.owned_by) || a.id.localeCompare(b.id)
  )
    .map((m) => [m.id, m.owned_by, m.created > 0 ? formatDate(m.created) : "-"]);
  ctx.out(table(["ID", "PROVIDER", "CREATED"], rows, ctx.style) + "\n");
  if (list.aliases.length > 0) {
    const deployments = list.aliases.flatMap((alias) =>
      alias.deployments.map((d, i) => [
        i === 0 ? alias.name : "",
        i === 0 ? alias.strategy : "",
        d.deployment,
        String(d.weight),
        d.priority === undefined ? "-" : String(d.priority),
        d.cooling_ms > 0 ? `cooling down ${Math.ceil(d.cooling_ms / 1000)} s` : "ready",
      ])
    );
    ctx.out(
      "\n" +
        table(
          ["ALIAS", "STRATEGY", "DEPLOYMENT", "WEIGHT", "PRIORITY", "STATE"],
          deployments,
          ctx.style,
        ) +
        "\n",
    );
  }
  return 0;
}

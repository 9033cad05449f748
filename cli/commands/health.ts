/**
 * `health`: the gateway's status, version and providers.
 */
import { type CommandSpec, flag, type Parsed } from "../args.ts";
import type { CliContext } from "../context.ts";
import { explainError } from "../errors.ts";
import { table } from "../render.ts";

/** The command's spec. */
export const spec: CommandSpec = {
  name: "health",
  summary: "Check that the gateway answers, and show its version and providers.",
  usage: ["health [--json]"],
  options: { json: { type: "boolean", description: "print the report as JSON" } },
};

/** Runs `health`: exit status 0 when the gateway reports ok. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  let report;
  try {
    report = await ctx.client().health.query();
  } catch (error) {
    throw explainError(error, ctx.errorContext());
  }
  if (flag(parsed, "json")) {
    ctx.out(JSON.stringify(report, null, 2) + "\n");
  } else {
    const { style } = ctx;
    const ok = report.status === "ok";
    ctx.out(
      `${
        ok ? style.green("●") : style.red("●")
      } ${ctx.url}: ${report.status} (version ${report.version})\n`,
    );
    const rows = Object.entries(report.providers as Record<string, string>).map((
      [name, state],
    ) => [name, state]);
    ctx.out(table(["PROVIDER", "STATE"], rows, style) + "\n");
  }
  return report.status === "ok" ? 0 : 1;
}

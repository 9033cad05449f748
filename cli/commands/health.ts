/**
 * `health`: the gateway's status, version and providers, from `GET /health` — which needs no
 * key, so no key is sent and none is needed.
 */
import { type CommandSpec, flag, type Parsed } from "../args.ts";
import type { CliContext } from "../context.ts";
import { CliError, explainError } from "../errors.ts";
import { table } from "../render.ts";

/** The command's spec. */
export const spec: CommandSpec = {
  name: "health",
  summary: "Check that the gateway answers, and show its version and providers.",
  usage: ["health [--json]"],
  options: { json: { type: "boolean", description: "print the report as JSON" } },
};

/** The part of the `GET /health` answer the command reads. */
interface HealthAnswer {
  status: string;
  version?: string;
  providers?: Record<string, unknown>;
}

async function fetchHealth(url: string): Promise<HealthAnswer> {
  const response = await fetch(`${url}/health`, { headers: { accept: "application/json" } });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const report = body as HealthAnswer | undefined;
  if (typeof report?.status !== "string") {
    throw new CliError(
      `Unexpected answer from ${url}/health (${response.status}): check that --url or GATEWAY_URL points at an LLM gateway.`,
    );
  }
  return report;
}

/** Runs `health`: exit status 0 when the gateway reports ok. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  let report: HealthAnswer;
  try {
    report = await fetchHealth(ctx.url);
  } catch (error) {
    throw explainError(error, ctx.errorContext());
  }
  if (flag(parsed, "json")) {
    ctx.out(JSON.stringify(report, null, 2) + "\n");
  } else {
    const { style } = ctx;
    const ok = report.status === "ok";
    ctx.out(
      `${ok ? style.green("●") : style.red("●")} ${ctx.url}: ${report.status} (version ${
        report.version ?? "unknown"
      })\n`,
    );
    const rows = Object.entries(report.providers ?? {}).map((
      [name, state],
    ) => [name, typeof state === "string" ? state : JSON.stringify(state)]);
    ctx.out(table(["PROVIDER", "STATE"], rows, style) + "\n");
  }
  return report.status === "ok" ? 0 : 1;
}

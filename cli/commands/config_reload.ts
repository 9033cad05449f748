/**
 * `config reload`: asks the running gateway to reload its config file in every worker (tRPC
 * `config.reload`, what SIGHUP does) and prints the outcome — `reloaded FILE: N providers
 * (ids)`, or the file's problems one per line on stderr (exit status 1; the gateway keeps its
 * previous config).
 */
import type { CliContext } from "../context.ts";
import { CliError, explainError } from "../errors.ts";

/** The gateway's error code of a failed call, if it carries one. */
function gatewayCode(error: unknown): string | undefined {
  const data = (error as { data?: { gateway?: { code?: unknown } } } | null)?.data;
  const code = data?.gateway?.code;
  return typeof code === "string" ? code : undefined;
}

/** Reloads the gateway's config file: 0 when it did, 1 (and why) when it did not. */
export async function reloadGatewayConfig(ctx: CliContext, json: boolean): Promise<number> {
  let result;
  try {
    result = await ctx.client().config.reload.mutate();
  } catch (error) {
    const code = gatewayCode(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === "invalid_config") {
      // The message: one sentence, then one line per problem.
      const problems = message.split("\n").slice(1);
      ctx.err(`Not reloaded: the gateway keeps its previous config. Fix these and try again:\n`);
      for (const line of problems) ctx.err(`${line}\n`);
      return 1;
    }
    if (code === "no_config_file") throw new CliError(message);
    throw explainError(error, ctx.errorContext());
  }
  if (json) {
    ctx.out(JSON.stringify(result, null, 2) + "\n");
    return 0;
  }
  const count = result.providers.length;
  ctx.out(
    `reloaded ${result.file}: ${count} provider${count === 1 ? "" : "s"} (${
      result.providers.join(", ")
    })\n`,
  );
  return 0;
}

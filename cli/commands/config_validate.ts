/**
 * `config validate [FILE]`: checks a gateway config file the way the gateway does at start-up
 * (parse, `${VAR}` from the environment and `.env`, each provider's settings) without reaching
 * any gateway. FILE defaults to `GATEWAY_CONFIG`, then `./gateway.yaml`.
 */
import { ConfigFileError, configFilePath, loadConfigFile } from "../../core/config_file/load.ts";
import { mergeEnv } from "../../core/dotenv.ts";
import { KIND_SETTINGS } from "../../core/providers/kind_settings.ts";
import type { CliContext } from "../context.ts";

const exists = (path: string) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
};

/** Validates the file: `ok: N providers (ids)` and 0, or one line per problem and 1. */
export function validateConfigFile(ctx: CliContext, given: string | undefined): number {
  const file = configFilePath(given ?? ctx.setting("GATEWAY_CONFIG"), exists);
  if (file === undefined) {
    ctx.err("No config file: GATEWAY_CONFIG is unset and ./gateway.yaml does not exist.\n");
    return 1;
  }
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "not found" : (error as Error).message;
    ctx.err(`${file}: cannot read the config file: ${reason}\n`);
    return 1;
  }
  try {
    const { instances } = loadConfigFile(
      text,
      file,
      mergeEnv(ctx.env, ctx.dotenv),
      KIND_SETTINGS,
    );
    const ids = instances.map((i) => i.id);
    ctx.out(`ok: ${ids.length} provider${ids.length === 1 ? "" : "s"} (${ids.join(", ")})\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigFileError)) throw error;
    for (const line of error.problems) ctx.err(`${line}\n`);
    return 1;
  }
}

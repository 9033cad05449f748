/**
 * tRPC `config.reload` (mutation): reloads the gateway's config file in every worker — what
 * SIGHUP does — and answers once this worker has reloaded: `{reloaded: true, file, providers}`,
 * or a 400 `invalid_config` whose message lists the file's problems (the old config stays in
 * force), or a 404 `no_config_file` when the gateway runs without one.
 */
import { GatewayError } from "../core/errors.ts";
import { authedProcedure, router } from "./trpc.ts";

/** The outcome of one isolate's reload (what `RouterDeps.reload` resolves with). */
export type ReloadResult =
  /** The file was loaded and the new handler serves new requests. */
  | { reloaded: true; file: string; providers: string[] }
  /** The file (or building from it) failed: the old config is kept. One line per problem. */
  | { reloaded: false; reason: "invalid_config"; file: string; problems: string[] }
  /** The gateway was started without a config file: nothing to reload. */
  | { reloaded: false; reason: "no_config_file" }
  /** A worker did not answer in time (only seen by the launcher). */
  | { reloaded: false; reason: "no_answer" };

/** The first line of the 400 answer's message; one line per problem follows it. */
const RELOAD_FAILED = "The config file was not reloaded; the previous config stays in force:";

/** What `config.reload` answers when there is nothing to reload. */
const NO_FILE =
  "Reload is not available: the gateway was started without a config file (GATEWAY_CONFIG, ./gateway.yaml); restart it with one.";

/** The error a failed reload is reported as. */
function reloadError(result: Exclude<ReloadResult, { reloaded: true }>): GatewayError {
  switch (result.reason) {
    case "invalid_config":
      return new GatewayError("invalid_request", [RELOAD_FAILED, ...result.problems].join("\n"), {
        code: "invalid_config",
      });
    case "no_config_file":
      return new GatewayError("not_found", NO_FILE, { code: "no_config_file" });
    case "no_answer":
      return new GatewayError("unavailable", "The reload did not finish in time; try again.", {
        code: "reload_timeout",
      });
  }
}

/** The config router. */
export const configRouter = router({
  reload: authedProcedure.mutation(async ({ ctx }) => {
    if (ctx.reload === undefined) throw reloadError({ reloaded: false, reason: "no_config_file" });
    const result = await ctx.reload();
    if (!result.reloaded) throw reloadError(result);
    return { reloaded: true as const, file: result.file, providers: result.providers };
  }),
});

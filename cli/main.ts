/**
 * The gateway's command-line client (`deno task cli <command>`): finds the command, parses its
 * arguments, runs it and turns every failure into one line on stderr and a non-zero exit
 * status (2 for usage mistakes).
 */
import { VERSION } from "../core/version.ts";
import {
  type CommandSpec,
  flag,
  helpText,
  parseCommand,
  type Parsed,
  splitCommand,
} from "./args.ts";
import * as chat from "./commands/chat.ts";
import * as config from "./commands/config.ts";
import * as embed from "./commands/embed.ts";
import * as health from "./commands/health.ts";
import * as history from "./commands/history.ts";
import * as keys from "./commands/keys.ts";
import * as models from "./commands/models.ts";
import * as usage from "./commands/usage.ts";
import { type CliContext, createContext, type Io, processIo } from "./context.ts";
import { CliError, UsageError } from "./errors.ts";
import { createStyle, useColor, writeAll } from "./render.ts";
import type { Env } from "./settings.ts";

interface Command {
  spec: CommandSpec;
  run(ctx: CliContext, parsed: Parsed): Promise<number>;
}

/** The commands, by name. */
export const COMMANDS: Record<string, Command> = {
  chat,
  embed,
  models,
  health,
  history,
  config,
  keys,
  usage,
};

const ROOT_SPEC: CommandSpec = {
  name: "",
  summary: `LLM gateway CLI ${VERSION}: chat with models and manage the gateway over its tRPC API.`,
  usage: ["<command> [options]", "<command> --help"],
  options: {},
  details: `Commands:
${Object.values(COMMANDS).map((c) => `  ${c.spec.name.padEnd(9)}${c.spec.summary}`).join("\n")}

Connection: --url / GATEWAY_URL (default http://127.0.0.1:$PORT, PORT 8000), --api-key /
GATEWAY_API_KEY (default API_KEY's first key); read from the environment, then .env.

Without the task runner's "Task cli …" line: deno task -q cli <command>. As a command that
runs from any directory: deno task install-cli, then llm-gateway <command>.`,
};

/** Runs the CLI with `argv`; resolves with the exit status. */
export async function main(argv: string[], env: Env, io: Io): Promise<number> {
  const { command, rest } = splitCommand(argv);
  const noColor = argv.includes("--no-color");
  const errStyle = createStyle(
    useColor({ isTerminal: io.stderrIsTerminal, noColorEnv: env.NO_COLOR, noColorFlag: noColor }),
  );
  try {
    if (command === undefined) {
      const parsed = parseCommand(ROOT_SPEC, rest);
      if (flag(parsed, "version")) {
        writeAll(io.stdout, `llm-gateway ${VERSION}\n`);
        return 0;
      }
      writeAll(io.stdout, helpText(ROOT_SPEC));
      return flag(parsed, "help") ? 0 : 2;
    }
    if (command === "help") {
      const target = rest.find((a) => !a.startsWith("-"));
      writeAll(io.stdout, helpText(target && COMMANDS[target] ? COMMANDS[target].spec : ROOT_SPEC));
      return 0;
    }
    const cmd = COMMANDS[command];
    if (cmd === undefined) {
      throw new UsageError(
        `Unknown command '${command}': use one of ${
          Object.keys(COMMANDS).join(", ")
        } (see --help).`,
      );
    }
    const parsed = parseCommand(cmd.spec, rest);
    if (flag(parsed, "help")) {
      writeAll(io.stdout, helpText(cmd.spec));
      return 0;
    }
    if (flag(parsed, "version")) {
      writeAll(io.stdout, `llm-gateway ${VERSION}\n`);
      return 0;
    }
    return await cmd.run(createContext(parsed, env, io), parsed);
  } catch (error) {
    if (error instanceof CliError) {
      writeAll(io.stderr, `${errStyle.red("error:")} ${error.message}\n`);
      return error.exitCode;
    }
    writeAll(
      io.stderr,
      `${errStyle.red("error:")} ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
}

if (import.meta.main) {
  const code = await main(Deno.args, Deno.env.toObject(), processIo());
  // Pending stdin reads or SSE connections must not keep the process alive.
  Deno.exit(code);
}

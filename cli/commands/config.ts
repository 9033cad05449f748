/**
 * `config show | get KEY | set [KEY VALUE] | unset KEY | validate [FILE] | reload`: effective
 * configuration with sources, validated edits of the `.env` file that keep its other lines and
 * comments, a check of the gateway config file, and the running gateway's reload of it.
 */
import { type CommandSpec, flag, type Parsed } from "../args.ts";
import { type CliContext, readDotenv } from "../context.ts";
import { setEnvValue, unsetEnvValue } from "../env_file.ts";
import { CliError, UsageError } from "../errors.ts";
import { reloadGatewayConfig } from "./config_reload.ts";
import { validateConfigFile } from "./config_validate.ts";
import { createLineEditor } from "../line_editor.ts";
import { type LineSource, plainLineSource } from "../line_source.ts";
import { createLineReader } from "../lines.ts";
import { table } from "../render.ts";
import { displayValue, findKey, KNOWN_KEYS, resolveKey, validateEdit } from "../settings.ts";

/** The command's spec. */
export const spec: CommandSpec = {
  name: "config",
  summary: "Show the effective configuration, edit the .env file, check or reload the config file.",
  usage: [
    "config show [--json]",
    "config get KEY",
    "config set KEY VALUE",
    "config set               interactive prompts",
    "config unset KEY",
    "config validate [FILE]   check a gateway config file (default GATEWAY_CONFIG, ./gateway.yaml)",
    "config reload [--json]   make the running gateway reload its config file (like SIGHUP)",
  ],
  options: {
    json: { type: "boolean", description: "show as JSON (secrets masked)" },
    reveal: { type: "boolean", description: "`get`: print a secret unmasked" },
  },
  details: `Sources: environment (wins), .env, default. Secrets are masked (sk-…abcd).
Values are validated like the gateway does before .env is written; other lines and
comments of .env are kept.

Keys: ${KNOWN_KEYS.map((k) => k.key).join(", ")}`,
};

function knownKey(name: string | undefined): string {
  if (name === undefined) throw new UsageError("Missing KEY: see `deno task cli config --help`.");
  const known = findKey(name);
  if (known === undefined) {
    throw new UsageError(
      `Unknown key '${name}': \`deno task cli config show\` lists the known keys.`,
    );
  }
  return known.key;
}

async function writeChanges(
  ctx: CliContext,
  changes: Record<string, string | undefined>,
): Promise<void> {
  const { text, values } = readDotenv(ctx.envFile);
  const problem = validateEdit(ctx.env, values, changes);
  if (problem !== undefined) {
    throw new CliError(`Not saved: ${problem.replace(/\.?$/, "")}.`);
  }
  let next = text;
  for (const [key, value] of Object.entries(changes)) {
    next = value === undefined ? unsetEnvValue(next, key) : setEnvValue(next, key, value);
  }
  // .env holds secrets: readable by its owner only, also when it already existed.
  await Deno.writeTextFile(ctx.envFile, next, { mode: 0o600 });
  if (Deno.build.os !== "windows") await Deno.chmod(ctx.envFile, 0o600);
  for (const [key, value] of Object.entries(changes)) {
    ctx.out(
      value === undefined
        ? `Removed ${key} from ${ctx.envFile}\n`
        : `Set ${key}=${displayValue(key, value)} in ${ctx.envFile}\n`,
    );
    const fromEnv = ctx.env[key];
    if (fromEnv !== undefined && fromEnv !== "") {
      ctx.err(
        ctx.errStyle.yellow(
          `note: ${key} is also set in the environment, which takes precedence over ${ctx.envFile}.\n`,
        ),
      );
    }
  }
}

/** The line editor on a terminal (secrets typed without echo), plain lines otherwise. */
function promptSource(ctx: CliContext): LineSource {
  const { io } = ctx;
  return io.stdinIsTerminal
    ? createLineEditor({
      input: io.stdin,
      output: io.stdout,
      setRaw: io.setRaw,
      columns: io.columns,
    })
    : plainLineSource(createLineReader(io.stdin), io.stdout);
}

async function interactiveSet(ctx: CliContext): Promise<number> {
  const lines = promptSource(ctx);
  const changes: Record<string, string | undefined> = {};
  ctx.out(`Editing ${ctx.envFile}. Enter keeps the current value, "-" removes it.\n`);
  try {
    for (const known of KNOWN_KEYS.filter((k) => k.prompt)) {
      const current = resolveKey(known.key, ctx.env, ctx.dotenv);
      const answer = await lines.read(
        `${ctx.style.bold(known.key)} ${ctx.style.dim(`(${known.description})`)} [${
          displayValue(known.key, current.value)
        }]${known.secret ? ctx.style.dim(" (typing is not shown)") : ""}: `,
        { secret: known.secret === true },
      );
      if (answer.kind === "interrupt") {
        ctx.out("Cancelled; nothing saved.\n");
        return 130;
      }
      if (answer.kind === "eof") {
        if (!ctx.io.stdinIsTerminal) ctx.out("\n");
        break;
      }
      const value = answer.text.trim();
      if (value === "") continue;
      if (value === "-") {
        if (ctx.dotenv[known.key] !== undefined) changes[known.key] = undefined;
        continue;
      }
      changes[known.key] = value;
    }
  } finally {
    lines.close();
  }
  if (Object.keys(changes).length === 0) {
    ctx.out("No changes.\n");
    return 0;
  }
  await writeChanges(ctx, changes);
  return 0;
}

/** Runs `config`. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  const [sub, ...args] = parsed.positionals;
  switch (sub ?? "show") {
    case "show": {
      const resolved = KNOWN_KEYS.map((k) => resolveKey(k.key, ctx.env, ctx.dotenv));
      if (flag(parsed, "json")) {
        ctx.out(
          JSON.stringify(
            Object.fromEntries(
              resolved.map((
                r,
              ) => [r.key, {
                value: r.value === undefined ? null : displayValue(r.key, r.value),
                source: r.source,
              }]),
            ),
            null,
            2,
          ) + "\n",
        );
        return 0;
      }
      const { style } = ctx;
      const source = (s: string) =>
        s === "environment" ? style.yellow(s) : s === ".env" ? style.cyan(s) : style.dim(s);
      ctx.out(
        table(
          ["KEY", "VALUE", "SOURCE"],
          resolved.map((r) => [r.key, displayValue(r.key, r.value), source(r.source)]),
          style,
        ) + "\n",
      );
      ctx.out(style.dim(`(.env file: ${ctx.envFile})\n`));
      return 0;
    }
    case "get": {
      if (args.length !== 1) throw new UsageError("Usage: deno task cli config get KEY.");
      const key = knownKey(args[0]);
      const r = resolveKey(key, ctx.env, ctx.dotenv);
      if (r.value === undefined) {
        ctx.err(`${key} is not set.\n`);
        return 1;
      }
      ctx.out(`${flag(parsed, "reveal") ? r.value : displayValue(key, r.value)}\n`);
      return 0;
    }
    case "set": {
      if (args.length === 0) return await interactiveSet(ctx);
      if (args.length !== 2) {
        throw new UsageError(
          "Usage: deno task cli config set KEY VALUE (quote VALUE if it has spaces).",
        );
      }
      await writeChanges(ctx, { [knownKey(args[0])]: args[1] });
      return 0;
    }
    case "unset": {
      if (args.length !== 1) throw new UsageError("Usage: deno task cli config unset KEY.");
      const key = knownKey(args[0]);
      if (ctx.dotenv[key] === undefined) {
        ctx.out(`${key} is not in ${ctx.envFile}; nothing to do.\n`);
        return 0;
      }
      await writeChanges(ctx, { [key]: undefined });
      return 0;
    }
    case "validate": {
      if (args.length > 1) throw new UsageError("Usage: deno task cli config validate [FILE].");
      return validateConfigFile(ctx, args[0]);
    }
    case "reload": {
      if (args.length > 0) throw new UsageError("Usage: deno task cli config reload [--json].");
      return await reloadGatewayConfig(ctx, flag(parsed, "json"));
    }
    default:
      throw new UsageError(
        `Unknown config command '${sub}': use show, get, set, unset, validate or reload.`,
      );
  }
}

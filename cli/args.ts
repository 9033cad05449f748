/**
 * Command-line parsing on `node:util` `parseArgs`: global options shared by every command,
 * per-command options, generated `--help` text, and typed accessors that turn mistakes into
 * {@link UsageError}s.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";

/** One option of a command. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  description: string;
  /** Placeholder shown in help, e.g. `NAME`. */
  valueName?: string;
}

/** A command's name, usage lines, options and help text. */
export interface CommandSpec {
  name: string;
  summary: string;
  usage: string[];
  options: Record<string, OptionSpec>;
  /** Extra help paragraphs (subcommands, examples). */
  details?: string;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: "string", description: "gateway URL (env GATEWAY_URL)", valueName: "URL" },
  "api-key": { type: "string", description: "client key (env GATEWAY_API_KEY)", valueName: "KEY" },
  "env-file": {
    type: "string",
    description: "the .env file to read and edit (./.env)",
    valueName: "PATH",
  },
  "no-color": { type: "boolean", description: "no colours (also NO_COLOR=1)" },
  help: { type: "boolean", short: "h", description: "show help" },
  version: { type: "boolean", short: "V", description: "show the version" },
};

/** Parsed values and positionals. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Splits argv into the command name and the rest: the command is the first argument that is
 * not an option or the value of a global option.
 *
 * @example
 * splitCommand(["--url", "http://x", "models", "--json"]);
 * // { command: "models", rest: ["--url", "http://x", "--json"] }
 */
export function splitCommand(argv: string[]): { command?: string; rest: string[] } {
  const takesValue = new Set(
    Object.entries(GLOBAL_OPTIONS).filter(([, o]) => o.type === "string").map(([k]) => `--${k}`),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") break;
    if (takesValue.has(arg)) {
      i++;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      return { command: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
    }
  }
  return { rest: argv };
}

/** Parses a command's arguments (its options plus the global ones). */
export function parseCommand(spec: CommandSpec, argv: string[]): Parsed {
  const options = Object.fromEntries(
    Object.entries({ ...GLOBAL_OPTIONS, ...spec.options }).map(([name, o]) => [
      name,
      o.short ? { type: o.type, short: o.short } : { type: o.type },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed["values"], positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `${message.replace(/\.?$/, "")}: see \`deno task cli ${spec.name} --help\`.`,
    );
  }
}

/** A string option's value, if given. */
export function stringOpt(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === "string" ? v : undefined;
}

/** A boolean option's value. */
export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** A number option within `[min, max]` (integers only when `integer`). */
export function numberOpt(
  parsed: Parsed,
  name: string,
  range: { min: number; max: number; integer?: boolean },
): number | undefined {
  const raw = stringOpt(parsed, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (
    raw.trim() === "" || !Number.isFinite(n) || n < range.min || n > range.max ||
    (range.integer && !Number.isInteger(n))
  ) {
    const kind = range.integer ? "an integer" : "a number";
    throw new UsageError(
      `--${name} must be ${kind} between ${range.min} and ${range.max}, got '${raw}'.`,
    );
  }
  return n;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const short = o.short ? `-${o.short}, ` : "    ";
    const value = o.type === "string" ? ` ${o.valueName ?? "VALUE"}` : "";
    return [`  ${short}--${name}${value}`, o.description];
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${left.padEnd(width)}  ${right}`);
}

/** The `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  const parts = [
    `${spec.summary}\n`,
    "Usage:",
    ...spec.usage.map((u) => `  deno task cli ${u}`),
  ];
  if (Object.keys(spec.options).length > 0) {
    parts.push("", "Options:", ...optionLines(spec.options));
  }
  parts.push("", "Global options:", ...optionLines(GLOBAL_OPTIONS));
  if (spec.details) parts.push("", spec.details.trimEnd());
  return parts.join("\n") + "\n";
}

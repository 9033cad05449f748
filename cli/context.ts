/**
 * What every command gets: the real environment, the `.env` file (path and parsed values),
 * the connection (URL and key from flags, environment, `.env`, defaults), colours, output
 * writers, the typed gateway client and the history store.
 */
import { parseDotenv } from "../core/dotenv.ts";
import { createGatewayClient, type GatewayClient } from "../routers/client.ts";
import { flag, type Parsed, stringOpt } from "./args.ts";
import { CliError, type ErrorContext } from "./errors.ts";
import { createHistoryStore, type HistoryStore } from "./history_store.ts";
import { createStyle, type Style, type SyncWriter, useColor, writeAll } from "./render.ts";
import { type Env, resolveKey } from "./settings.ts";

/** Standard streams the CLI uses (injectable for tests). */
export interface Io {
  stdin: ReadableStream<Uint8Array>;
  stdinIsTerminal: boolean;
  stdout: SyncWriter;
  stdoutIsTerminal: boolean;
  stderr: SyncWriter;
  stderrIsTerminal: boolean;
  /** Switches the terminal on stdin to raw mode or back (only called when it is a terminal). */
  setRaw(raw: boolean): void;
  /** The terminal's width in columns (80 when unknown). */
  columns(): number;
}

/** The process's real streams. */
export function processIo(): Io {
  return {
    stdin: Deno.stdin.readable,
    stdinIsTerminal: Deno.stdin.isTerminal(),
    stdout: Deno.stdout,
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stderr: Deno.stderr,
    stderrIsTerminal: Deno.stderr.isTerminal(),
    setRaw: (raw) => Deno.stdin.setRaw(raw),
    columns: () => {
      try {
        return Deno.consoleSize().columns || 80;
      } catch {
        return 80;
      }
    },
  };
}

/** A command's context. */
export interface CliContext {
  io: Io;
  env: Env;
  envFile: string;
  /** Values in the `.env` file (empty when it does not exist). */
  dotenv: Record<string, string>;
  /** Looks a key up: environment, then `.env`, then its default. */
  setting(key: string): string | undefined;
  url: string;
  apiKey: string | undefined;
  /** Colours for stdout and stderr. */
  style: Style;
  errStyle: Style;
  out(text: string): void;
  err(text: string): void;
  client(): GatewayClient;
  history(): HistoryStore;
  errorContext(model?: string): ErrorContext;
}

/** Reads a `.env` file; a missing file is empty. */
export function readDotenv(path: string): { text: string; values: Record<string, string> } {
  try {
    const text = Deno.readTextFileSync(path);
    return { text, values: parseDotenv(text) };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return { text: "", values: {} };
    throw new CliError(`Cannot read ${path}: ${(error as Error).message}.`);
  }
}

/** Builds the context from the parsed global options. */
export function createContext(parsed: Parsed, env: Env, io: Io): CliContext {
  const envFile = stringOpt(parsed, "env-file") ?? ".env";
  const { values: dotenv } = readDotenv(envFile);
  const setting = (key: string) => resolveKey(key, env, dotenv).value;
  const noColorFlag = flag(parsed, "no-color");
  const style = createStyle(
    useColor({ isTerminal: io.stdoutIsTerminal, noColorEnv: env.NO_COLOR, noColorFlag }),
  );
  const errStyle = createStyle(
    useColor({ isTerminal: io.stderrIsTerminal, noColorEnv: env.NO_COLOR, noColorFlag }),
  );
  const url = (stringOpt(parsed, "url") ?? setting("GATEWAY_URL")!).replace(/\/+$/, "");
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new CliError(
      `The gateway URL '${url}' is not an http(s) URL: fix --url or GATEWAY_URL.`,
      2,
    );
  }
  const apiKey = stringOpt(parsed, "api-key") ?? setting("GATEWAY_API_KEY");
  let client: GatewayClient | undefined;
  let history: HistoryStore | undefined;
  return {
    io,
    env,
    envFile,
    dotenv,
    setting,
    url,
    apiKey,
    style,
    errStyle,
    out: (text) => writeAll(io.stdout, text),
    err: (text) => writeAll(io.stderr, text),
    client: () => client ??= createGatewayClient({ url, apiKey }),
    history: () => history ??= createHistoryStore(setting("CHAT_HISTORY_DIR")!),
    errorContext: (model) => ({ url, model, apiKeyGiven: apiKey !== undefined }),
  };
}

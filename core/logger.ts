/**
 * Structured JSON-lines logging with a level threshold. The sink is injected so tests can
 * capture lines and `main.ts` can write to stdout.
 */
import type { LogLevel } from "./config.ts";

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Fields attached to one log line. */
export type LogFields = Record<string, unknown>;

/** A levelled structured logger. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** A logger whose list of redacted secrets can grow (a reloaded config file's new keys). */
export interface RedactingLogger extends Logger {
  /** Redacts `secrets` too from now on (strings shorter than 4 characters are ignored). */
  redact(secrets: readonly string[]): void;
}

/**
 * Creates a logger that writes one JSON object per line to `sink` for messages at or above
 * `level`. `secrets` (and those added later with `redact`) are replaced by `[redacted]`
 * wherever they appear in a line.
 *
 * @example
 * const log = createLogger("warn", console.log); log.info("dropped"); log.warn("kept");
 */
export function createLogger(
  level: LogLevel,
  sink: (line: string) => void,
  secrets: readonly string[] = [],
  now: () => Date = () => new Date(),
): RedactingLogger {
  const threshold = SEVERITY[level];
  const hidden = new Set<string>();
  const redact = (more: readonly string[]) => {
    for (const secret of more) if (secret.length >= 4) hidden.add(secret);
  };
  redact(secrets);
  const write = (lvl: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (SEVERITY[lvl] < threshold) return;
    let line = JSON.stringify({ time: now().toISOString(), level: lvl, msg, ...fields });
    for (const secret of hidden) line = line.replaceAll(secret, "[redacted]");
    sink(line);
  };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    redact,
  };
}

/** A logger that drops everything (tests, tools). */
export const silentLogger: Logger = createLogger("error", () => {});

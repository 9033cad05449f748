/**
 * Terminal output helpers: colours (only on a TTY, `NO_COLOR` honoured), aligned tables,
 * secret masking, a spinner, and synchronous writes that never interleave.
 */

const encoder = new TextEncoder();

/** Something text can be written to synchronously (Deno.stdout, Deno.stderr). */
export interface SyncWriter {
  writeSync(p: Uint8Array): number;
}

/** Writes all of `text` to `writer`. */
export function writeAll(writer: SyncWriter, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(writer.writeSync(bytes));
}

/** ANSI styling functions; identity functions when colour is off. */
export interface Style {
  enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  magenta(s: string): string;
}

/**
 * Whether to colour a stream: it must be a terminal, `NO_COLOR` must be unset or empty and
 * `--no-color` must not have been given.
 *
 * @example
 * useColor({ isTerminal: true, noColorEnv: "1", noColorFlag: false }); // false
 */
export function useColor(
  opts: { isTerminal: boolean; noColorEnv: string | undefined; noColorFlag: boolean },
): boolean {
  return opts.isTerminal && (opts.noColorEnv === undefined || opts.noColorEnv === "") &&
    !opts.noColorFlag;
}

/** Creates a {@link Style}. */
export function createStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s;
  return {
    enabled,
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
  };
}

/** Removes ANSI escape sequences (for width computations and tests). */
export function stripAnsi(s: string): string {
  // deno-lint-ignore no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
}

/**
 * Formats rows as left-aligned columns under a header, two spaces apart; no trailing spaces.
 *
 * @example
 * table(["id", "n"], [["a", "1"]]); // "id  n\na   1"
 */
export function table(headers: string[], rows: string[][], style?: Style): string {
  const widths = headers.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => stripAnsi(r[i] ?? "").length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) =>
      i === cells.length - 1 ? c : c + " ".repeat(widths[i] - stripAnsi(c).length)
    ).join("  ").trimEnd();
  const head = line(headers);
  return [style ? style.bold(head) : head, ...rows.map(line)].join("\n");
}

/**
 * Masks a secret, keeping a hint of its start and end: `sk-…abcd`. Short secrets are fully
 * hidden. Comma-separated lists are masked item by item.
 *
 * @example
 * maskSecret("sk-proj-1234567890abcd"); // "sk-…abcd"
 */
export function maskSecret(value: string): string {
  if (value.includes(",")) {
    return value.split(",").map((v) => maskSecret(v.trim())).join(",");
  }
  if (value === "") return "";
  if (value.length < 12) return "****";
  return `${value.slice(0, 3)}…${value.slice(-4)}`;
}

/** A unix timestamp (seconds) as `YYYY-MM-DD`. */
export function formatDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** An ISO timestamp as `YYYY-MM-DD HH:MM` (UTC). */
export function formatDateTime(iso: string): string {
  return iso.slice(0, 16).replace("T", " ");
}

/** Shortens `text` to one line of at most `max` characters. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** A spinner shown on a terminal until {@link Spinner.stop}; a no-op when `enabled` is false. */
export class Spinner {
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;
  constructor(
    private readonly writer: SyncWriter,
    private readonly enabled: boolean,
    private readonly label = "thinking…",
  ) {}

  /** Starts drawing. */
  start(): void {
    if (!this.enabled || this.#timer !== undefined) return;
    const draw = () => {
      writeAll(this.writer, `\r\x1b[2K${FRAMES[this.#frame++ % FRAMES.length]} ${this.label}`);
    };
    draw();
    this.#timer = setInterval(draw, 80);
  }

  /** Stops and erases the spinner line. Safe to call more than once. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    writeAll(this.writer, "\r\x1b[2K");
  }
}

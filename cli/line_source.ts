/**
 * Where the REPL and `config set` read what the user types: the line editor on a terminal
 * (cli/line_editor.ts), or plain lines from piped stdin ({@link plainLineSource}).
 */
import type { LineReader } from "./lines.ts";
import type { PromptHistory } from "./prompt_history.ts";
import { type SyncWriter, writeAll } from "./render.ts";

/** What one read gave. */
export type ReadResult =
  | { kind: "line"; text: string }
  | { kind: "eof" }
  /** Ctrl-C; `text` is what was typed (and is now discarded). */
  | { kind: "interrupt"; text: string };

/** Options of one read. */
export interface ReadOptions {
  /** ↑/↓ browse these entries (the line editor only). */
  history?: PromptHistory;
  /** Nothing typed is shown (secrets). */
  secret?: boolean;
}

/** A source of typed lines. */
export interface LineSource {
  /** Shows `prompt` and reads one entry (a paste may hold several lines). */
  read(prompt: string, options?: ReadOptions): Promise<ReadResult>;
  /** Restores the terminal; safe to call more than once. */
  close(): void;
}

/** Lines from a non-terminal stdin: the prompt is written, the next line read. */
export function plainLineSource(lines: LineReader, out: SyncWriter): LineSource {
  return {
    async read(prompt) {
      writeAll(out, prompt);
      const line = await lines.next();
      return line === null ? { kind: "eof" } : { kind: "line", text: line };
    },
    close() {},
  };
}

/**
 * The prompt on a terminal: raw mode while the user types, so the editing keys work (←/→,
 * Home/End, Ctrl-A/E/W/U/K, Delete, Alt-B/F), ↑/↓ browse the prompt history, a bracketed paste
 * (enabled with `ESC[?2004h` while reading) is inserted as it is — several lines and their
 * indentation — and Enter sends it all as one entry. Ctrl-C and Ctrl-D are returned to the
 * caller; outside a read the terminal is back in cooked mode, so Ctrl-C during an answer is a
 * signal again.
 */
import { createKeyDecoder, decodeKeys, type KeyEvent } from "./keys.ts";
import * as edit from "./line_buffer.ts";
import { redraw } from "./line_render.ts";
import type { LineSource, ReadOptions, ReadResult } from "./line_source.ts";
import { type SyncWriter, writeAll } from "./render.ts";

/** What the editor needs from the terminal. */
export interface Terminal {
  input: ReadableStream<Uint8Array>;
  output: SyncWriter;
  /** Switches raw mode on or off. */
  setRaw(raw: boolean): void;
  /** The terminal's width in columns. */
  columns(): number;
}

const PASTE_ON = "\x1b[?2004h";
const PASTE_OFF = "\x1b[?2004l";

/** Creates the line editor on `terminal`. */
export function createLineEditor(terminal: Terminal): LineSource {
  const reader = terminal.input.getReader();
  const decoder = new TextDecoder();
  const keys = createKeyDecoder();
  /** Keys read but not used yet (typed ahead after an Enter). */
  let queued: KeyEvent[] = [];
  let raw = false;
  const out = (s: string) => writeAll(terminal.output, s);
  const setRaw = (on: boolean) => {
    if (raw === on) return;
    raw = on;
    terminal.setRaw(on);
    out(on ? PASTE_ON : PASTE_OFF);
  };

  async function nextKeys(): Promise<KeyEvent[] | null> {
    if (queued.length > 0) {
      const k = queued;
      queued = [];
      return k;
    }
    while (true) {
      const { value, done } = await reader.read();
      if (done) return null;
      const events = decodeKeys(keys, decoder.decode(value, { stream: true }));
      if (events.length > 0) return events;
    }
  }

  async function read(prompt: string, options: ReadOptions = {}): Promise<ReadResult> {
    const history = options.history?.entries() ?? [];
    let index = history.length;
    let draft = "";
    let buffer = edit.bufferOf();
    let cursorRow = 0;
    const draw = () => {
      const r = redraw(
        { prompt, ...buffer, cursorRow, secret: options.secret },
        terminal.columns(),
      );
      cursorRow = r.cursorRow;
      out(r.output);
    };
    const finish = (suffix: string) => {
      buffer = edit.bufferOf(buffer.text);
      draw();
      out(suffix + "\r\n");
    };
    setRaw(true);
    try {
      draw();
      while (true) {
        const events = await nextKeys();
        if (events === null) {
          finish("");
          return { kind: "eof" };
        }
        for (let i = 0; i < events.length; i++) {
          const e = events[i];
          if (e.kind === "text") {
            buffer = edit.insert(buffer, e.text);
            continue;
          }
          if (e.kind === "paste") {
            buffer = edit.insert(buffer, e.text.replace(/\r\n?/g, "\n"));
            continue;
          }
          switch (e.name) {
            case "enter":
              queued = events.slice(i + 1);
              finish("");
              return { kind: "line", text: buffer.text };
            case "interrupt":
              queued = events.slice(i + 1);
              finish("^C");
              return { kind: "interrupt", text: buffer.text };
            case "eof":
              if (buffer.text === "") {
                queued = events.slice(i + 1);
                finish("");
                return { kind: "eof" };
              }
              buffer = edit.deleteForward(buffer);
              break;
            case "up":
              if (index > 0) {
                if (index === history.length) draft = buffer.text;
                buffer = edit.bufferOf(history[--index]);
              }
              break;
            case "down":
              if (index < history.length) {
                index++;
                buffer = edit.bufferOf(index === history.length ? draft : history[index]);
              }
              break;
            case "clear-screen":
              out("\x1b[H\x1b[2J");
              cursorRow = 0;
              break;
            case "backspace":
              buffer = edit.backspace(buffer);
              break;
            case "delete":
              buffer = edit.deleteForward(buffer);
              break;
            case "left":
              buffer = edit.left(buffer);
              break;
            case "right":
              buffer = edit.right(buffer);
              break;
            case "home":
              buffer = edit.home(buffer);
              break;
            case "end":
              buffer = edit.end(buffer);
              break;
            case "word-left":
              buffer = edit.wordLeft(buffer);
              break;
            case "word-right":
              buffer = edit.wordRight(buffer);
              break;
            case "kill-word":
              buffer = edit.killWord(buffer);
              break;
            case "kill-line":
              buffer = edit.killLine(buffer);
              break;
            case "kill-to-end":
              buffer = edit.killToEnd(buffer);
              break;
            default: {
              const never: never = e.name;
              throw new Error(`unhandled key ${never}`);
            }
          }
        }
        draw();
      }
    } finally {
      setRaw(false);
    }
  }

  return {
    read,
    close() {
      setRaw(false);
      reader.releaseLock();
    },
  };
}

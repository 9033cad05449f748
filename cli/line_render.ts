/**
 * Drawing the prompt and the text being edited: where each position lands on a terminal of a
 * given width (wrapped lines, several lines from a paste) and the escape sequences that redraw
 * the edit area and put the cursor back. Pure.
 */
import { stripAnsi } from "./render.ts";

/** Tabs are drawn as this many spaces (so the cursor arithmetic stays exact). */
const TAB = "    ";

/** The text as drawn: tabs widened, other control characters shown as `^X`. */
function displayOf(text: string): string {
  return text.replace(/\t/g, TAB).replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x08\x0b-\x1f\x7f]/g,
    (c) => c === "\x7f" ? "^?" : `^${String.fromCharCode(c.charCodeAt(0) + 64)}`,
  );
}

/** Columns one code point takes: 0 for combining marks, 2 for wide (CJK, emoji), else 1. */
function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || /\p{M}/u.test(ch)) return 0;
  const wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

/** Width in columns of text without control characters. */
function width(s: string): number {
  let n = 0;
  for (const ch of s) n += charWidth(ch);
  return n;
}

/** A row and column relative to the first row of the edit area. */
export interface Position {
  row: number;
  col: number;
}

/**
 * Where offset `index` of `text` is drawn after a prompt `promptWidth` wide, on `columns`.
 *
 * @example
 * positionOf(2, "abcdef", 6, 4); // { row: 2, col: 0 }
 */
export function positionOf(
  promptWidth: number,
  text: string,
  index: number,
  columns: number,
): Position {
  const lines = text.slice(0, index).split("\n");
  let row = 0;
  for (let i = 0; i < lines.length; i++) {
    const w = (i === 0 ? promptWidth : 0) + width(displayOf(lines[i]));
    if (i < lines.length - 1) {
      row += Math.max(1, Math.ceil(w / columns));
    } else {
      return { row: row + Math.floor(w / columns), col: w % columns };
    }
  }
  return { row, col: 0 };
}

/** The output of one redraw. */
export interface Redraw {
  output: string;
  /** The cursor's row afterwards, relative to the first row of the edit area. */
  cursorRow: number;
}

/**
 * Redraws the edit area: up to its first row (the cursor is on `cursorRow`), clear to the end
 * of the screen, prompt and text (nothing of it when `secret`), then the cursor to `cursor`.
 */
export function redraw(
  state: { prompt: string; text: string; cursor: number; cursorRow: number; secret?: boolean },
  columns: number,
): Redraw {
  const cols = Math.max(columns, 10);
  const text = state.secret ? "" : state.text;
  const cursor = state.secret ? 0 : state.cursor;
  const promptWidth = width(stripAnsi(state.prompt));
  let out = state.cursorRow > 0 ? `\x1b[${state.cursorRow}A` : "";
  out += "\r\x1b[J" + state.prompt + displayOf(text).replace(/\n/g, "\r\n");
  const endPos = positionOf(promptWidth, text, text.length, cols);
  // At an exact multiple of the width the terminal holds the cursor on the last column:
  // move it to the next row so the arithmetic matches.
  if (endPos.col === 0 && endPos.row > 0 && !text.endsWith("\n")) out += "\r\n";
  const target = positionOf(promptWidth, text, cursor, cols);
  const up = endPos.row - target.row;
  if (up > 0) out += `\x1b[${up}A`;
  out += "\r";
  if (target.col > 0) out += `\x1b[${target.col}C`;
  return { output: out, cursorRow: target.row };
}

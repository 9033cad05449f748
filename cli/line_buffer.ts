/**
 * The text being edited at a prompt and its cursor, with the editing operations the line
 * editor binds to keys (insert, move by character or word, Home/End, delete, kill word, kill
 * to start or end). Pure: every operation returns a new buffer. Positions are UTF-16 indexes
 * that never split a surrogate pair.
 */

/** Text and cursor position. */
export interface LineBuffer {
  text: string;
  cursor: number;
}

/** An empty buffer, or one holding `text` with the cursor at its end. */
export function bufferOf(text = ""): LineBuffer {
  return { text, cursor: text.length };
}

const isLow = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 0xdc00 && c <= 0xdfff;
};

function prevIndex(s: string, i: number): number {
  if (i <= 0) return 0;
  return i >= 2 && isLow(s, i - 1) ? i - 2 : i - 1;
}

function nextIndex(s: string, i: number): number {
  if (i >= s.length) return s.length;
  return isLow(s, i + 1) ? i + 2 : i + 1;
}

const isWordChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);

/** Start of the line (within a multi-line text) the cursor is on. */
function lineStart(b: LineBuffer): number {
  return b.text.lastIndexOf("\n", b.cursor - 1) + 1;
}

/** End of the line the cursor is on. */
function lineEnd(b: LineBuffer): number {
  const at = b.text.indexOf("\n", b.cursor);
  return at < 0 ? b.text.length : at;
}

/**
 * Inserts `text` at the cursor.
 *
 * @example
 * insert({ text: "ac", cursor: 1 }, "b"); // { text: "abc", cursor: 2 }
 */
export function insert(b: LineBuffer, text: string): LineBuffer {
  return {
    text: b.text.slice(0, b.cursor) + text + b.text.slice(b.cursor),
    cursor: b.cursor + text.length,
  };
}

/** The cursor one character left. */
export function left(b: LineBuffer): LineBuffer {
  return { ...b, cursor: prevIndex(b.text, b.cursor) };
}

/** The cursor one character right. */
export function right(b: LineBuffer): LineBuffer {
  return { ...b, cursor: nextIndex(b.text, b.cursor) };
}

/** The cursor at the start of its line (Home, Ctrl-A). */
export function home(b: LineBuffer): LineBuffer {
  return { ...b, cursor: lineStart(b) };
}

/** The cursor at the end of its line (End, Ctrl-E). */
export function end(b: LineBuffer): LineBuffer {
  return { ...b, cursor: lineEnd(b) };
}

function wordStartBefore(s: string, i: number): number {
  let j = i;
  while (j > 0 && !isWordChar(s[j - 1])) j--;
  while (j > 0 && isWordChar(s[j - 1])) j--;
  return j;
}

function wordEndAfter(s: string, i: number): number {
  let j = i;
  while (j < s.length && !isWordChar(s[j])) j++;
  while (j < s.length && isWordChar(s[j])) j++;
  return j;
}

/** The cursor at the start of the previous word. */
export function wordLeft(b: LineBuffer): LineBuffer {
  return { ...b, cursor: wordStartBefore(b.text, b.cursor) };
}

/** The cursor after the next word. */
export function wordRight(b: LineBuffer): LineBuffer {
  return { ...b, cursor: wordEndAfter(b.text, b.cursor) };
}

/** Deletes the character before the cursor (Backspace). */
export function backspace(b: LineBuffer): LineBuffer {
  const from = prevIndex(b.text, b.cursor);
  return { text: b.text.slice(0, from) + b.text.slice(b.cursor), cursor: from };
}

/** Deletes the character under the cursor (Delete). */
export function deleteForward(b: LineBuffer): LineBuffer {
  const to = nextIndex(b.text, b.cursor);
  return { text: b.text.slice(0, b.cursor) + b.text.slice(to), cursor: b.cursor };
}

/**
 * Deletes the word before the cursor, and the spaces after it (Ctrl-W).
 *
 * @example
 * killWord(bufferOf("say hello there")); // { text: "say hello ", cursor: 10 }
 */
export function killWord(b: LineBuffer): LineBuffer {
  let from = b.cursor;
  while (from > 0 && /\s/.test(b.text[from - 1])) from--;
  while (from > 0 && !/\s/.test(b.text[from - 1])) from--;
  return { text: b.text.slice(0, from) + b.text.slice(b.cursor), cursor: from };
}

/** Deletes from the start of the line to the cursor (Ctrl-U). */
export function killLine(b: LineBuffer): LineBuffer {
  const from = lineStart(b);
  return { text: b.text.slice(0, from) + b.text.slice(b.cursor), cursor: from };
}

/** Deletes from the cursor to the end of the line (Ctrl-K). */
export function killToEnd(b: LineBuffer): LineBuffer {
  return { text: b.text.slice(0, b.cursor) + b.text.slice(lineEnd(b)), cursor: b.cursor };
}

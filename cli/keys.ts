/**
 * Terminal input decoded into key events: printable text, editing keys (arrows, Home/End,
 * Delete, Ctrl-A/E/W/U/K…), escape sequences (CSI and SS3, unknown ones dropped so `^[[A` never
 * becomes text) and bracketed pastes (`ESC[200~ … ESC[201~`, one event with the text as pasted).
 * Pure and incremental: a sequence cut between two reads is completed by the next one.
 */

/** A named editing key. */
export type KeyName =
  | "enter"
  | "backspace"
  | "delete"
  | "left"
  | "right"
  | "up"
  | "down"
  | "home"
  | "end"
  | "word-left"
  | "word-right"
  | "kill-word"
  | "kill-line"
  | "kill-to-end"
  | "interrupt"
  | "eof"
  | "clear-screen";

/** One decoded key event. */
export type KeyEvent =
  | { kind: "text"; text: string }
  | { kind: "paste"; text: string }
  | { kind: "key"; name: KeyName };

const PASTE_START = "\x1b[200~";
const PASTE_END = "\x1b[201~";

const CONTROL: Record<string, KeyName> = {
  "\r": "enter",
  "\n": "enter",
  "\x7f": "backspace",
  "\x08": "backspace",
  "\x01": "home",
  "\x05": "end",
  "\x02": "left",
  "\x06": "right",
  "\x10": "up",
  "\x0e": "down",
  "\x17": "kill-word",
  "\x15": "kill-line",
  "\x0b": "kill-to-end",
  "\x03": "interrupt",
  "\x04": "eof",
  "\x0c": "clear-screen",
};

/** CSI / SS3 sequences by their parameter-and-final part (after `ESC[` or `ESCO`). */
const SEQUENCES: Record<string, KeyName> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
  "1~": "home",
  "7~": "home",
  "4~": "end",
  "8~": "end",
  "3~": "delete",
  "1;5C": "word-right",
  "1;5D": "word-left",
  "1;3C": "word-right",
  "1;3D": "word-left",
};

/** ESC followed by one character (Alt-key). */
const ALT: Record<string, KeyName> = {
  b: "word-left",
  f: "word-right",
  "\x7f": "kill-word",
  "\x08": "kill-word",
};

/** Decoder state between reads. */
export interface KeyDecoder {
  /** Input not decoded yet (an incomplete escape sequence or paste). */
  pending: string;
}

/** A fresh decoder. */
export function createKeyDecoder(): KeyDecoder {
  return { pending: "" };
}

/**
 * Decodes `input` (appended to what was pending) into key events.
 *
 * @example
 * decodeKeys(createKeyDecoder(), "ab\x1b[D\r");
 * // [{kind:"text",text:"ab"}, {kind:"key",name:"left"}, {kind:"key",name:"enter"}]
 */
export function decodeKeys(decoder: KeyDecoder, input: string): KeyEvent[] {
  const s = decoder.pending + input;
  decoder.pending = "";
  const events: KeyEvent[] = [];
  const pushText = (text: string) => {
    const last = events.at(-1);
    if (last?.kind === "text") last.text += text;
    else events.push({ kind: "text", text });
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "\x1b") {
      if (s.startsWith(PASTE_START, i)) {
        const end = s.indexOf(PASTE_END, i + PASTE_START.length);
        if (end < 0) {
          decoder.pending = s.slice(i);
          return events;
        }
        events.push({ kind: "paste", text: s.slice(i + PASTE_START.length, end) });
        i = end + PASTE_END.length;
        continue;
      }
      const next = s[i + 1];
      if (next === undefined) {
        decoder.pending = s.slice(i);
        return events;
      }
      if (next === "[" || next === "O") {
        // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E.
        let j = i + 2;
        while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x3f) j++;
        if (j >= s.length) {
          decoder.pending = s.slice(i);
          return events;
        }
        const name = SEQUENCES[s.slice(i + 2, j + 1)];
        if (name !== undefined) events.push({ kind: "key", name });
        i = j + 1;
        continue;
      }
      const alt = ALT[next];
      if (alt !== undefined) events.push({ kind: "key", name: alt });
      i += 2;
      continue;
    }
    const control = CONTROL[c];
    if (control !== undefined) {
      // A CR LF pair is one Enter.
      if (c === "\r" && s[i + 1] === "\n") i++;
      events.push({ kind: "key", name: control });
      i++;
      continue;
    }
    if (c === "\t" || c.charCodeAt(0) >= 0x20) pushText(c);
    i++;
  }
  return events;
}

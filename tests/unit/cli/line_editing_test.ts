/**
 * The pieces of the line editor: key decoding (escape sequences, bracketed paste, input cut
 * between reads), buffer editing operations, and where the cursor lands when drawn.
 */
import assert from "node:assert/strict";
import { createKeyDecoder, decodeKeys, type KeyEvent } from "../../../cli/keys.ts";
import * as edit from "../../../cli/line_buffer.ts";
import { positionOf, redraw } from "../../../cli/line_render.ts";

const key = (name: string): KeyEvent => ({ kind: "key", name } as KeyEvent);
const text = (t: string): KeyEvent => ({ kind: "text", text: t });

Deno.test("decodeKeys: editing keys and escape sequences, never as text", async (t) => {
  const rows: Array<{ name: string; input: string; expected: KeyEvent[] }> = [
    { name: "text and Enter", input: "hi\r", expected: [text("hi"), key("enter")] },
    {
      name: "arrows (CSI and SS3)",
      input: "\x1b[A\x1b[B\x1b[C\x1b[D\x1bOA",
      expected: [key("up"), key("down"), key("right"), key("left"), key("up")],
    },
    {
      name: "Home/End in their variants",
      input: "\x1b[H\x1b[F\x1b[1~\x1b[4~\x1bOH\x1b[7~\x1b[8~",
      expected: [
        key("home"),
        key("end"),
        key("home"),
        key("end"),
        key("home"),
        key("home"),
        key(
          "end",
        ),
      ],
    },
    {
      name: "Ctrl keys",
      input: "\x01\x05\x17\x15\x0b\x03\x04\x7f\x0c",
      expected: [
        key("home"),
        key("end"),
        key("kill-word"),
        key("kill-line"),
        key("kill-to-end"),
        key("interrupt"),
        key("eof"),
        key("backspace"),
        key("clear-screen"),
      ],
    },
    {
      name: "Delete, Ctrl/Alt arrows, Alt-B/F",
      input: "\x1b[3~\x1b[1;5C\x1b[1;5D\x1bb\x1bf",
      expected: [
        key("delete"),
        key("word-right"),
        key("word-left"),
        key("word-left"),
        key("word-right"),
      ],
    },
    {
      name: "unknown sequences are dropped",
      input: "a\x1b[15~b\x1b[1;2Pc",
      expected: [text("abc")],
    },
    {
      name: "bracketed paste: one event, lines and indentation as pasted",
      input: "x\x1b[200~def f():\r    return 1\x1b[A\r\x1b[201~\r",
      expected: [
        text("x"),
        { kind: "paste", text: "def f():\r    return 1\x1b[A\r" },
        key("enter"),
      ],
    },
    { name: "CR LF is one Enter", input: "a\r\nb", expected: [text("a"), key("enter"), text("b")] },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      assert.deepEqual(decodeKeys(createKeyDecoder(), row.input), row.expected);
    });
  }
});

Deno.test("decodeKeys: a sequence or paste cut between reads is completed by the next", () => {
  const d = createKeyDecoder();
  assert.deepEqual(decodeKeys(d, "a\x1b"), [text("a")]);
  assert.deepEqual(decodeKeys(d, "[A"), [key("up")]);
  assert.deepEqual(decodeKeys(d, "\x1b[20"), []);
  assert.deepEqual(decodeKeys(d, "0~one\rtwo"), []);
  assert.deepEqual(decodeKeys(d, "\x1b[201~"), [{ kind: "paste", text: "one\rtwo" }]);
});

Deno.test("line buffer: insert, move, Home/End, word moves, deletes and kills", () => {
  let b = edit.bufferOf("world");
  b = edit.insert(edit.home(b), "hello ");
  assert.deepEqual(b, { text: "hello world", cursor: 6 });
  b = edit.end(b);
  assert.equal(b.cursor, 11);
  assert.deepEqual(edit.killWord(b), { text: "hello ", cursor: 6 });
  assert.deepEqual(edit.killLine(edit.left(edit.left(b))), { text: "ld", cursor: 0 });
  assert.deepEqual(edit.killToEnd(edit.wordLeft(b)), { text: "hello ", cursor: 6 });
  assert.equal(edit.wordLeft(edit.wordLeft(b)).cursor, 0);
  assert.equal(edit.wordRight(edit.home(b)).cursor, 5);
  assert.deepEqual(edit.backspace(b), { text: "hello worl", cursor: 10 });
  assert.deepEqual(edit.deleteForward(edit.home(b)), { text: "ello world", cursor: 0 });
  assert.deepEqual(edit.backspace(edit.bufferOf("")), { text: "", cursor: 0 });
  // A surrogate pair is one character.
  const emoji = edit.bufferOf("a😀");
  assert.deepEqual(edit.backspace(emoji), { text: "a", cursor: 1 });
  assert.equal(edit.left(emoji).cursor, 1);
  // Home/End and Ctrl-U stay within the cursor's line of a multi-line text.
  const two = { text: "one\ntwo", cursor: 6 };
  assert.equal(edit.home(two).cursor, 4);
  assert.equal(edit.end({ ...two, cursor: 1 }).cursor, 3);
  assert.deepEqual(edit.killLine(two), { text: "one\no", cursor: 4 });
});

Deno.test("line render: positions on wrapped and multi-line text; redraw puts the cursor back", () => {
  assert.deepEqual(positionOf(5, "abc", 3, 80), { row: 0, col: 8 });
  assert.deepEqual(positionOf(2, "abcdef", 6, 4), { row: 2, col: 0 });
  assert.deepEqual(positionOf(2, "ab\ncd", 5, 80), { row: 1, col: 2 });
  assert.deepEqual(positionOf(2, "a\tb", 3, 80), { row: 0, col: 8 });
  assert.deepEqual(positionOf(0, "日本é", 3, 80), { row: 0, col: 5 }, "wide and combined");
  assert.deepEqual(
    positionOf(0, "e\u0301x", 3, 80),
    { row: 0, col: 2 },
    "a combining mark takes none",
  );
  const r = redraw({ prompt: "\x1b[1m> \x1b[22m", text: "ab\ncd", cursor: 1, cursorRow: 0 }, 80);
  assert.equal(r.cursorRow, 0);
  assert.equal(r.output, "\r\x1b[J\x1b[1m> \x1b[22mab\r\ncd\x1b[1A\r\x1b[3C");
  const again = redraw({ prompt: "> ", text: "x", cursor: 1, cursorRow: 1 }, 80);
  assert.ok(again.output.startsWith("\x1b[1A\r\x1b[J> x"));
  const secret = redraw(
    { prompt: "key: ", text: "sk-123", cursor: 6, cursorRow: 0, secret: true },
    80,
  );
  assert.ok(!secret.output.includes("sk-123"));
});

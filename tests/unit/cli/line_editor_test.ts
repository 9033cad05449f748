/**
 * The line editor over an in-memory terminal: raw mode and bracketed paste only while
 * reading, keys applied, typed-ahead lines kept for the next read, ↑/↓ history, Ctrl-C and
 * Ctrl-D returned, secrets never drawn.
 */
import assert from "node:assert/strict";
import { createLineEditor } from "../../../cli/line_editor.ts";
import type { PromptHistory } from "../../../cli/prompt_history.ts";

function terminal(...chunks: string[]) {
  const encoder = new TextEncoder();
  let output = "";
  const raw: boolean[] = [];
  return {
    raw,
    output: () => output,
    terminal: {
      input: ReadableStream.from(chunks.map((c) => encoder.encode(c))),
      output: {
        writeSync(p: Uint8Array) {
          output += new TextDecoder().decode(p);
          return p.length;
        },
      },
      setRaw: (on: boolean) => void raw.push(on),
      columns: () => 80,
    },
  };
}

const history = (entries: string[]): PromptHistory => ({
  entries: () => entries,
  add: () => Promise.resolve(),
});

Deno.test("line editor: keys edit the line; raw mode and paste mode only while reading", async () => {
  const t = terminal("ab\x1b[D", "c\x01>\r");
  const editor = createLineEditor(t.terminal);
  assert.deepEqual(await editor.read("> "), { kind: "line", text: ">acb" });
  assert.deepEqual(t.raw, [true, false]);
  assert.ok(t.output().startsWith("\x1b[?2004h"));
  assert.ok(t.output().endsWith("\r\n\x1b[?2004l"));
  assert.deepEqual(await editor.read("> "), { kind: "eof" });
  editor.close();
});

Deno.test("line editor: typed-ahead lines are kept for the next read; paste is one entry", async () => {
  const t = terminal("one\rtwo\r\x1b[200~a\r  b\x1b[201~\r");
  const editor = createLineEditor(t.terminal);
  assert.deepEqual(await editor.read("> "), { kind: "line", text: "one" });
  assert.deepEqual(await editor.read("> "), { kind: "line", text: "two" });
  assert.deepEqual(await editor.read("> "), { kind: "line", text: "a\n  b" });
  editor.close();
});

Deno.test("line editor: ↑/↓ browse the history and come back to the draft", async () => {
  const t = terminal("dra\x1b[A\x1b[A\x1b[B\x1b[B\x1b[Bft\r", "\x1b[A\x1b[A\x1b[A\r");
  const editor = createLineEditor(t.terminal);
  const h = history(["first", "second"]);
  assert.deepEqual(await editor.read("> ", { history: h }), { kind: "line", text: "draft" });
  assert.deepEqual(await editor.read("> ", { history: h }), { kind: "line", text: "first" });
  editor.close();
});

Deno.test("line editor: Ctrl-C returns the discarded text, Ctrl-D ends only an empty line", async () => {
  const t = terminal("typed\x03", "ab\x01\x04\r", "\x04");
  const editor = createLineEditor(t.terminal);
  assert.deepEqual(await editor.read("> "), { kind: "interrupt", text: "typed" });
  assert.deepEqual(await editor.read("> "), { kind: "line", text: "b" });
  assert.deepEqual(await editor.read("> "), { kind: "eof" });
  editor.close();
});

Deno.test("line editor: a secret is read but never drawn", async () => {
  const t = terminal("sk-very-secret-123\r");
  const editor = createLineEditor(t.terminal);
  assert.deepEqual(await editor.read("key: ", { secret: true }), {
    kind: "line",
    text: "sk-very-secret-123",
  });
  assert.ok(!t.output().includes("secret"));
  editor.close();
});

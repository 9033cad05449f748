import assert from "node:assert/strict";
import {
  createStyle,
  maskSecret,
  oneLine,
  Spinner,
  stripAnsi,
  table,
  useColor,
} from "../../../cli/render.ts";

Deno.test("useColor: only on a terminal, NO_COLOR and --no-color honoured", () => {
  assert.equal(useColor({ isTerminal: true, noColorEnv: undefined, noColorFlag: false }), true);
  assert.equal(useColor({ isTerminal: true, noColorEnv: "", noColorFlag: false }), true);
  assert.equal(useColor({ isTerminal: true, noColorEnv: "1", noColorFlag: false }), false);
  assert.equal(useColor({ isTerminal: false, noColorEnv: undefined, noColorFlag: false }), false);
  assert.equal(useColor({ isTerminal: true, noColorEnv: undefined, noColorFlag: true }), false);
});

Deno.test("createStyle: escapes when enabled, identity otherwise", () => {
  assert.equal(createStyle(true).red("x"), "\x1b[31mx\x1b[39m");
  assert.equal(createStyle(false).red("x"), "x");
  assert.equal(stripAnsi(createStyle(true).bold(createStyle(true).cyan("y"))), "y");
});

Deno.test("table aligns columns, ignoring colour codes, without trailing spaces", () => {
  const style = createStyle(true);
  const text = table(["ID", "P"], [[style.cyan("long-id"), "x"], ["a", "yy"]]);
  assert.equal(stripAnsi(text), "ID       P\nlong-id  x\na        yy");
});

Deno.test("maskSecret", () => {
  assert.equal(maskSecret("sk-proj-0123456789abcd"), "sk-…abcd");
  assert.equal(maskSecret("short"), "****");
  assert.equal(maskSecret("a-long-secret-1111, b-long-secret-2222"), "a-l…1111,b-l…2222");
  assert.equal(maskSecret(""), "");
});

Deno.test("oneLine flattens and shortens", () => {
  assert.equal(oneLine("a\n b  c", 10), "a b c");
  assert.equal(oneLine("abcdefghij", 5), "abcd…");
});

Deno.test("Spinner draws on a terminal and erases its line; silent otherwise", async () => {
  let written = "";
  const writer = {
    writeSync: (p: Uint8Array) => (written += new TextDecoder().decode(p), p.length),
  };
  const spinner = new Spinner(writer, true);
  spinner.start();
  await new Promise((r) => setTimeout(r, 100));
  spinner.stop();
  spinner.stop();
  assert.ok(written.startsWith("\r\x1b[2K⠋ thinking…"), written);
  assert.ok(written.endsWith("\r\x1b[2K"));
  written = "";
  const silent = new Spinner(writer, false);
  silent.start();
  silent.stop();
  assert.equal(written, "");
});

import assert from "node:assert/strict";
import {
  type CommandSpec,
  flag,
  helpText,
  numberOpt,
  parseCommand,
  splitCommand,
  stringOpt,
} from "../../../cli/args.ts";
import { UsageError } from "../../../cli/errors.ts";

const spec: CommandSpec = {
  name: "demo",
  summary: "A demo.",
  usage: ["demo [--n N]"],
  options: {
    n: { type: "string", description: "a number", valueName: "N" },
    model: { type: "string", short: "m", description: "model" },
    json: { type: "boolean", description: "json" },
  },
};

Deno.test("splitCommand finds the command after global options", async (t) => {
  const rows: Array<[string[], string | undefined, string[]]> = [
    [["models", "--json"], "models", ["--json"]],
    [["--url", "http://x", "health"], "health", ["--url", "http://x"]],
    [["--api-key", "k", "--no-color", "chat", "hi"], "chat", [
      "--api-key",
      "k",
      "--no-color",
      "hi",
    ]],
    [["--url=http://x", "models"], "models", ["--url=http://x"]],
    [["--version"], undefined, ["--version"]],
    [[], undefined, []],
  ];
  for (const [argv, command, rest] of rows) {
    await t.step(argv.join(" ") || "(empty)", () => {
      const split = splitCommand(argv);
      assert.equal(split.command, command);
      assert.deepEqual(split.rest, rest);
    });
  }
});

Deno.test("parseCommand: command and global options, positionals, strictness", () => {
  const parsed = parseCommand(spec, ["-m", "gpt", "--url", "http://x", "a", "b", "--json"]);
  assert.equal(stringOpt(parsed, "model"), "gpt");
  assert.equal(stringOpt(parsed, "url"), "http://x");
  assert.equal(flag(parsed, "json"), true);
  assert.equal(flag(parsed, "help"), false);
  assert.deepEqual(parsed.positionals, ["a", "b"]);
  assert.throws(() => parseCommand(spec, ["--nope"]), (e) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /--nope.*`deno task cli demo --help`/);
    return true;
  });
  assert.throws(() => parseCommand(spec, ["--model"]), UsageError);
});

Deno.test("numberOpt validates ranges", () => {
  const range = { min: 0, max: 2 };
  assert.equal(numberOpt(parseCommand(spec, ["--n", "0"]), "n", range), 0);
  assert.equal(numberOpt(parseCommand(spec, ["--n", "1.5"]), "n", range), 1.5);
  assert.equal(numberOpt(parseCommand(spec, []), "n", range), undefined);
  for (const bad of ["3", "-1", "x", ""]) {
    assert.throws(() => numberOpt(parseCommand(spec, ["--n", bad]), "n", range), UsageError, bad);
  }
  assert.throws(
    () => numberOpt(parseCommand(spec, ["--n", "1.5"]), "n", { ...range, integer: true }),
    /must be an integer/,
  );
});

Deno.test("helpText lists usage, options and global options", () => {
  const text = helpText(spec);
  assert.match(text, /^A demo\.\n\nUsage:\n {2}deno task cli demo \[--n N\]\n/);
  assert.match(text, /-m, --model VALUE\s+model/);
  assert.match(text, /Global options:\n[\s\S]*--api-key KEY/);
});

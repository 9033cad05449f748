import assert from "node:assert/strict";
import fc from "fast-check";
import { parseDotenv } from "../../../core/dotenv.ts";
import { formatEnvValue, setEnvValue, unsetEnvValue } from "../../../cli/env_file.ts";

Deno.test("setEnvValue / unsetEnvValue keep other lines", async (t) => {
  const rows: Array<{ name: string; run: () => string; expected: string }> = [
    { name: "append to empty", run: () => setEnvValue("", "A", "1"), expected: "A=1\n" },
    {
      name: "append after a file without final newline",
      run: () => setEnvValue("# c\nB=2", "A", "1"),
      expected: "# c\nB=2\nA=1\n",
    },
    {
      name: "replace in place, comments and blanks kept",
      run: () => setEnvValue("# top\n\nA=old\n# tail\n", "A", "new"),
      expected: "# top\n\nA=new\n# tail\n",
    },
    {
      name: "export prefix kept",
      run: () => setEnvValue("export A=1\n", "A", "2"),
      expected: "export A=2\n",
    },
    {
      name: "last definition is the one rewritten",
      run: () => setEnvValue("A=1\nA=2\n", "A", "3"),
      expected: "A=1\nA=3\n",
    },
    {
      name: "a key that is a prefix of another is not confused",
      run: () => setEnvValue("AB=1\n", "A", "2"),
      expected: "AB=1\nA=2\n",
    },
    {
      name: "commented-out definitions are left alone",
      run: () => setEnvValue("# A=1\n", "A", "2"),
      expected: "# A=1\nA=2\n",
    },
    { name: "CRLF kept", run: () => setEnvValue("B=1\r\n", "A", "2"), expected: "B=1\r\nA=2\r\n" },
    {
      name: "unset removes every definition only",
      run: () => unsetEnvValue("# keep\nA=1\nB=2\nexport A=3\n", "A"),
      expected: "# keep\nB=2\n",
    },
    { name: "unset of the only line", run: () => unsetEnvValue("A=1\n", "A"), expected: "" },
  ];
  for (const row of rows) {
    await t.step(row.name, () => assert.equal(row.run(), row.expected));
  }
});

Deno.test("formatEnvValue quotes only when needed", () => {
  assert.equal(formatEnvValue("http://x:1/v1"), "http://x:1/v1");
  assert.equal(formatEnvValue("a,b"), "a,b");
  assert.equal(formatEnvValue("a b"), "'a b'");
  assert.equal(formatEnvValue("x #y"), "'x #y'");
  assert.equal(formatEnvValue(""), "");
  assert.equal(formatEnvValue("it's"), `"it's"`);
  assert.equal(formatEnvValue("l1\nl2"), `"l1\\nl2"`);
});

Deno.test("values written by setEnvValue read back identically with parseDotenv", () => {
  const key = fc.constantFrom("A", "PORT", "API_KEY", "X_1");
  // parseDotenv cannot represent a literal backslash before n or " inside double quotes.
  const value = fc.string({ maxLength: 30 }).filter((v) =>
    !v.includes("\\") && !v.includes("\r") && v.trim() === v && !/^['"]/.test(v) &&
    !(v.includes("'") && v.includes('"'))
  );
  const text = fc.array(fc.constantFrom("# comment", "", "OTHER=1", "export Z='q r'"), {
    maxLength: 4,
  }).map((lines) => lines.join("\n"));
  fc.assert(fc.property(text, key, value, (base, k, v) => {
    const written = setEnvValue(base, k, v);
    const parsed = parseDotenv(written);
    assert.equal(parsed[k], v);
    assert.deepEqual({ ...parsed, [k]: undefined }, { ...parseDotenv(base), [k]: undefined });
    assert.equal(parseDotenv(unsetEnvValue(written, k))[k], undefined);
  }));
});

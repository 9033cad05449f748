import assert from "node:assert/strict";
import { mergeEnv, parseDotenv } from "../../core/dotenv.ts";

Deno.test("parseDotenv reads keys, comments, export, quotes", () => {
  const text = [
    "# a comment",
    "",
    "PORT=9000",
    "export HOST=0.0.0.0",
    'API_KEY="a,b" ',
    "SINGLE='x # not a comment'",
    "INLINE=value # trailing comment",
    'MULTI="line1\\nline2"',
    "EMPTY=",
    "not a pair",
  ].join("\n");
  assert.deepEqual(parseDotenv(text), {
    PORT: "9000",
    HOST: "0.0.0.0",
    API_KEY: "a,b",
    SINGLE: "x # not a comment",
    INLINE: "value",
    MULTI: "line1\nline2",
    EMPTY: "",
  });
});

Deno.test("parseDotenv handles CRLF", () => {
  assert.deepEqual(parseDotenv("A=1\r\nB=2\r\n"), { A: "1", B: "2" });
});

Deno.test("mergeEnv: the real environment wins over .env", () => {
  assert.deepEqual(mergeEnv({ PORT: "1", X: undefined }, { PORT: "2", HOST: "h", X: "x" }), {
    PORT: "1",
    HOST: "h",
    X: "x",
  });
});

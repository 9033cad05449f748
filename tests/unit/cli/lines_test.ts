import assert from "node:assert/strict";
import { createLineReader } from "../../../cli/lines.ts";

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return ReadableStream.from(parts.map((p) => encoder.encode(p)));
}

Deno.test("line reader: lines across chunks, CRLF, last line without newline, end", async () => {
  const lines = createLineReader(streamOf("a\r\nb", "c\n\nlast"));
  assert.equal(await lines.next(), "a");
  assert.equal(await lines.next(), "bc");
  assert.equal(await lines.next(), "");
  assert.equal(await lines.next(), "last");
  assert.equal(await lines.next(), null);
  assert.equal(await lines.next(), null);
});

Deno.test("line reader: rest() returns what was not read", async () => {
  const lines = createLineReader(streamOf("first\nsecond\n", "third"));
  assert.equal(await lines.next(), "first");
  assert.equal(await lines.rest(), "second\nthird");
  assert.equal(await lines.next(), null);
});

import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { checkDepth, readBodyBytes, readJson } from "../../../server/body.ts";

const nested = (depth: number) => JSON.parse("[".repeat(depth) + "]".repeat(depth));

/** A request whose body arrives as `chunks` (no content-length unless given). */
function chunked(chunks: Uint8Array[], headers: HeadersInit = {}, fail?: Error): Request {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else if (fail !== undefined) controller.error(fail);
      else controller.close();
    },
  });
  return new Request("http://gateway.test/", { method: "POST", body, headers });
}

const bytes = (n: number, fill = 97) => new Uint8Array(n).fill(fill);

async function rejectsWith(promise: Promise<unknown>, kind: string, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof GatewayError, String(error));
    assert.equal(error.kind, kind);
    assert.equal(error.code, code);
    return true;
  });
}

Deno.test("checkDepth: the limit is inclusive, deeper is a 400 naming it", async (t) => {
  const rows = [
    { name: "scalar", value: 1, max: 8, ok: true },
    { name: "null", value: null, max: 8, ok: true },
    { name: "at the limit", value: nested(8), max: 8, ok: true },
    { name: "one deeper", value: nested(9), max: 8, ok: false },
    { name: "objects count too", value: { a: { b: { c: {} } } }, max: 3, ok: false },
    {
      name: "wide but shallow",
      value: { a: Array.from({ length: 1000 }, () => ({})) },
      max: 3,
      ok: true,
    },
    { name: "deep in a later sibling", value: [1, [], { x: nested(10) }], max: 8, ok: false },
    { name: "100k levels, no stack overflow", value: nested(100_000), max: 128, ok: false },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      if (row.ok) return checkDepth(row.value, row.max);
      assert.throws(() => checkDepth(row.value, row.max), (error: unknown) => {
        assert.ok(error instanceof GatewayError);
        assert.equal(error.kind, "invalid_request");
        assert.equal(error.code, "too_deep");
        assert.match(
          error.message,
          new RegExp(`deeper than ${row.max} levels \\(MAX_JSON_DEPTH\\)`),
        );
        return true;
      });
    });
  }
});

Deno.test("readBodyBytes: declared length, chunked growth, limits, read failures", async (t) => {
  await t.step("content-length: one buffer of that size", async () => {
    const out = await readBodyBytes(
      chunked([bytes(3), bytes(4)], { "content-length": "7" }),
      100,
    );
    assert.equal(out.byteLength, 7);
    assert.equal(out.buffer.byteLength, 7);
  });
  await t.step("chunked: grows past the first guess, keeps every byte in order", async () => {
    const parts = Array.from({ length: 40 }, (_, i) => bytes(1000, 65 + (i % 26)));
    const out = await readBodyBytes(chunked(parts), 1_000_000);
    assert.equal(out.byteLength, 40_000);
    assert.equal(out[0], 65);
    assert.equal(out[39_999], 65 + (39 % 26));
  });
  await t.step("a declared length over the limit: 413 before reading", async () => {
    await rejectsWith(
      readBodyBytes(chunked([bytes(10)], { "content-length": "101" }), 100),
      "too_large",
      "request_too_large",
    );
  });
  await t.step("a chunked body over the limit: 413 while reading", async () => {
    await rejectsWith(
      readBodyBytes(chunked([bytes(60), bytes(60)]), 100),
      "too_large",
      "request_too_large",
    );
  });
  await t.step("exactly the limit is accepted", async () => {
    assert.equal((await readBodyBytes(chunked([bytes(60), bytes(40)]), 100)).byteLength, 100);
  });
  await t.step("a body that fails mid-read is a 400 invalid_body", async () => {
    await rejectsWith(
      readBodyBytes(chunked([bytes(10)], {}, new Error("connection reset")), 100),
      "invalid_request",
      "invalid_body",
    );
  });
  await t.step("no body: empty", async () => {
    assert.equal((await readBodyBytes(new Request("http://gateway.test/"), 10)).byteLength, 0);
  });
});

Deno.test("readJson: parses, refuses bad JSON and deep nesting", async () => {
  const limits = { maxBytes: 1_000_000, maxDepth: 16 };
  const post = (text: string) =>
    new Request("http://gateway.test/", { method: "POST", body: text });
  assert.deepEqual(await readJson(post('{"a":[1,{"b":"é"}]}'), limits), { a: [1, { b: "é" }] });
  await rejectsWith(readJson(post("{"), limits), "invalid_request", "invalid_json");
  await rejectsWith(readJson(post(""), limits), "invalid_request", "invalid_json");
  await rejectsWith(
    readJson(post("[".repeat(17) + "]".repeat(17)), limits),
    "invalid_request",
    "too_deep",
  );
});

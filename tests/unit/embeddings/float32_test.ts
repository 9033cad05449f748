import assert from "node:assert/strict";
import { decodeFloat32Base64, encodeFloat32Base64 } from "../../../core/embeddings/float32.ts";
import { mapBounded } from "../../../core/providers/embed_input.ts";

Deno.test("base64 float32: little-endian bytes, round trip, invalid input", async (t) => {
  const rows: Array<{ name: string; vector: number[]; base64: string }> = [
    { name: "1, 0", vector: [1, 0], base64: "AACAPwAAAAA=" },
    { name: "-2.5", vector: [-2.5], base64: "AAAgwA==" },
    { name: "empty", vector: [], base64: "" },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      assert.equal(encodeFloat32Base64(row.vector), row.base64);
      assert.deepEqual(decodeFloat32Base64(row.base64), row.vector);
    });
  }
  await t.step("values are rounded to float32, as the bytes carry them", () => {
    const vector = [0.1, -0.333333333, 1e-8];
    assert.deepEqual(
      decodeFloat32Base64(encodeFloat32Base64(vector)),
      vector.map((v) => Math.fround(v)),
    );
  });
  await t.step("not base64, or not a whole number of floats", () => {
    assert.equal(decodeFloat32Base64("%%%"), undefined);
    assert.equal(decodeFloat32Base64("AAAA"), undefined, "3 bytes");
  });
});

Deno.test("mapBounded: order kept, at most `limit` in flight, stops after a failure", async () => {
  let inFlight = 0;
  let max = 0;
  const out = await mapBounded([5, 1, 4, 2, 3, 0, 6], 3, async (n, i) => {
    inFlight++;
    max = Math.max(max, inFlight);
    await new Promise((resolve) => setTimeout(resolve, n * 2));
    inFlight--;
    return `${i}:${n}`;
  });
  assert.deepEqual(out, ["0:5", "1:1", "2:4", "3:2", "4:3", "5:0", "6:6"]);
  assert.equal(max, 3);
  const started: number[] = [];
  await assert.rejects(
    mapBounded([0, 1, 2, 3, 4, 5], 1, (n) => {
      started.push(n);
      return n === 1 ? Promise.reject(new Error("boom")) : Promise.resolve(n);
    }),
    /boom/,
  );
  assert.deepEqual(started, [0, 1], "no call after the failure");
});

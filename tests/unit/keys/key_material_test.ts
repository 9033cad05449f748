import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  generateKey,
  hashKey,
  isVirtualKey,
  newKeyId,
  randomBase62,
  visiblePrefix,
} from "../../../core/keys/key_material.ts";

Deno.test("generateKey: sk-gw- and 40 base62 characters, different every time", () => {
  const keys = new Set(Array.from({ length: 1000 }, generateKey));
  assert.equal(keys.size, 1000);
  for (const key of keys) {
    assert.match(key, /^sk-gw-[0-9A-Za-z]{40}$/);
    assert.ok(isVirtualKey(key));
  }
  assert.match(newKeyId(), /^key_[0-9A-Za-z]{24}$/);
});

Deno.test("randomBase62: every character appears, none far from uniform", () => {
  const counts = new Map<string, number>();
  for (const c of randomBase62(62_000)) counts.set(c, (counts.get(c) ?? 0) + 1);
  assert.equal(counts.size, 62);
  for (const [c, n] of counts) assert.ok(n > 800 && n < 1200, `${c}: ${n} of ~1000`);
});

Deno.test("hashKey is SHA-256 hex; visiblePrefix keeps sk-gw- and 4 characters", () => {
  const key = "sk-gw-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd";
  assert.equal(hashKey(key), createHash("sha256").update(key).digest("hex"));
  assert.match(hashKey(key), /^[0-9a-f]{64}$/);
  assert.equal(visiblePrefix(key), "sk-gw-AbCd");
  assert.equal(isVirtualKey("sk-static"), false);
});

Deno.test("newKeyId: ids sort (byte order) by creation time", () => {
  const times = [0, 61, 62, 3843, 3844, 1_800_000_000_000, 1_800_000_000_001, 1_900_000_000_000];
  const ids = times.map((t) => newKeyId(t));
  const sorted = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.deepEqual(sorted, ids);
  for (const id of ids) assert.match(id, /^key_[0-9A-Za-z]{24}$/);
  // Many in one millisecond still sort by creation (listings page by id).
  const now = Date.now() + 10_000_000;
  const burst = Array.from({ length: 50 }, () => newKeyId(now));
  assert.deepEqual([...burst].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), burst);
});

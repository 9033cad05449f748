import assert from "node:assert/strict";
import { createKeyChecker, keyFromHeaders } from "../../core/auth.ts";

Deno.test("createKeyChecker: no keys → auth off", () => {
  const check = createKeyChecker([]);
  assert.equal(check(null), true);
  assert.equal(check("anything"), true);
});

Deno.test("createKeyChecker: accepts each configured key, rejects others", () => {
  const check = createKeyChecker(["alpha", "beta-key"]);
  assert.equal(check("alpha"), true);
  assert.equal(check("beta-key"), true);
  for (const bad of [null, undefined, "", "alph", "alphaa", "beta", "ALPHA", "beta-kez"]) {
    assert.equal(check(bad), false, String(bad));
  }
});

Deno.test("keyFromHeaders: Bearer or x-api-key", () => {
  assert.equal(keyFromHeaders(new Headers({ authorization: "Bearer  k1 " })), "k1");
  assert.equal(keyFromHeaders(new Headers({ authorization: "bearer k2" })), "k2");
  assert.equal(keyFromHeaders(new Headers({ "x-api-key": "k3" })), "k3");
  assert.equal(
    keyFromHeaders(new Headers({ authorization: "Basic abc", "x-api-key": "k4" })),
    "k4",
  );
  assert.equal(keyFromHeaders(new Headers()), null);
});

import assert from "node:assert/strict";
import { cached } from "../../core/cache.ts";
import { errorType, GatewayError, toGatewayError } from "../../core/errors.ts";
import { createLogger } from "../../core/logger.ts";

Deno.test("cached: reuses within the TTL, shares concurrent loads, reloads after", async () => {
  let clock = 0;
  let loads = 0;
  const get = cached(() => Promise.resolve(++loads), 100, () => clock);
  assert.deepEqual(await Promise.all([get(), get()]), [1, 1]);
  clock = 99;
  assert.equal(await get(), 1);
  clock = 100;
  assert.equal(await get(), 2);
});

Deno.test("cached: a failed load is not cached", async () => {
  let calls = 0;
  const get = cached(
    () => (++calls === 1 ? Promise.reject(new Error("x")) : Promise.resolve(calls)),
    1000,
  );
  await assert.rejects(get());
  assert.equal(await get(), 2);
});

Deno.test("createLogger: threshold, JSON lines, secrets redacted", () => {
  const lines: string[] = [];
  const log = createLogger("info", (l) => lines.push(l), ["sk-supersecret"], () => new Date(0));
  log.debug("hidden");
  log.info("shown", { key: "sk-supersecret", n: 1 });
  log.error("bad");
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]), {
    time: "1970-01-01T00:00:00.000Z",
    level: "info",
    msg: "shown",
    key: "[redacted]",
    n: 1,
  });
  assert.equal(JSON.parse(lines[1]).level, "error");
});

Deno.test("createLogger: redact() hides secrets added later (a reloaded file's keys)", () => {
  const lines: string[] = [];
  const log = createLogger("info", (l) => lines.push(l), ["sk-first-key"]);
  log.info("before", { key: "sk-added-later" });
  log.redact(["sk-added-later", "abc"]);
  log.info("after", { key: "sk-added-later", old: "sk-first-key", short: "abc" });
  assert.equal(JSON.parse(lines[0]).key, "sk-added-later");
  const after = JSON.parse(lines[1]);
  assert.deepEqual([after.key, after.old], ["[redacted]", "[redacted]"]);
  assert.equal(after.short, "abc", "shorter than 4 characters: not a secret worth hiding");
});

Deno.test("GatewayError: default codes, types, internal wrapping", () => {
  const e = new GatewayError("rate_limited", "x", { retryAfterSeconds: 3 });
  assert.equal(e.code, "rate_limit_exceeded");
  assert.equal(e.retryAfterSeconds, 3);
  assert.equal(errorType(e), "rate_limit_error");
  assert.equal(
    errorType(new GatewayError("not_found", "m", { code: "model_not_found" })),
    "invalid_request_error",
  );
  assert.equal(errorType(new GatewayError("not_found", "r")), "not_found_error");
  const wrapped = toGatewayError(new Error("boom /secret/path"));
  assert.equal(wrapped.kind, "internal");
  assert.equal(wrapped.code, "internal_error");
  assert.doesNotMatch(wrapped.message, /secret/);
});

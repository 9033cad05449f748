/**
 * The spawned gateway over real sockets: the body limit for declared and chunked uploads, bad
 * input and unknown routes — and it keeps serving afterwards.
 */
import assert from "node:assert/strict";
import { chatBody } from "../helpers/app.ts";
import { spawnGateway } from "../helpers/server.ts";

/** A body sent with `transfer-encoding: chunked` (no content-length). */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at += 512));
    },
  });
}

Deno.test("spawned gateway: 413 for big bodies, declared or chunked; 400/404/405; still serving", async (t) => {
  await using gw = await spawnGateway({ MAX_REQUEST_BYTES: "2048" });
  const url = `${gw.url}/v1/chat/completions`;
  const big = JSON.stringify(chatBody("mock-echo", "x".repeat(10_000)));
  const headers = { "content-type": "application/json" };

  await t.step("declared content-length over the limit", async () => {
    const res = await fetch(url, { method: "POST", headers, body: big });
    assert.equal(res.status, 413);
    const { error } = await res.json();
    assert.equal(error.code, "request_too_large");
    assert.equal(error.type, "invalid_request_error");
  });

  await t.step("chunked upload over the limit", async () => {
    const res = await fetch(url, { method: "POST", headers, body: chunked(big) });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).error.code, "request_too_large");
  });

  await t.step("chunked upload under the limit is served", async () => {
    const res = await fetch(url, {
      method: "POST",
      headers,
      body: chunked(JSON.stringify(chatBody("mock-echo", "chunked ok"))),
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).choices[0].message.content, "chunked ok");
  });

  await t.step("not JSON → 400", async () => {
    const res = await fetch(url, { method: "POST", headers, body: "{ nope" });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, "invalid_json");
  });

  await t.step("unknown route → 404, wrong method → 405", async () => {
    const missing = await fetch(`${gw.url}/v1/nothing-here`);
    assert.equal(missing.status, 404);
    assert.equal((await missing.json()).error.code, "not_found");
    const wrong = await fetch(url);
    assert.equal(wrong.status, 405);
    assert.equal((await wrong.json()).error.code, "method_not_allowed");
  });

  await t.step("still serving, every response has an x-request-id", async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...headers, "x-request-id": "e2e-final" },
      body: JSON.stringify(chatBody("mock-echo", "alive")),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-request-id"), "e2e-final");
    await res.body?.cancel();
  });
  const statuses = gw.logs().filter((l) => l.msg === "request").map((l) => l.status);
  assert.deepEqual(statuses, [200, 413, 413, 200, 400, 404, 405, 200], "one log line each");
});

/**
 * Unknown routes: a 404 that suggests the route a client probably meant, in OpenAI's envelope —
 * and in Anthropic's under `/v1/messages/…`, where Anthropic clients call.
 */
import assert from "node:assert/strict";
import { testApp } from "../helpers/app.ts";

Deno.test("unknown routes: 404 with a suggestion, in the envelope of the route family", async (t) => {
  const gw = testApp();
  await t.step("missing /v1", async () => {
    const res = await gw.post("/chat/completions", {});
    assert.equal(res.status, 404);
    const { error } = await res.json();
    assert.equal(error.code, "not_found");
    assert.equal(
      error.message,
      "Unknown route: POST /chat/completions; did you mean /v1/chat/completions?",
    );
  });
  await t.step("no close route: no suggestion", async () => {
    const { error } = await (await gw.get("/nothing/here")).json();
    assert.equal(error.message, "Unknown route: GET /nothing/here.");
  });
  await t.step("under /v1/messages/: Anthropic's envelope", async () => {
    const res = await gw.post("/v1/messages/batches", {});
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.type, "error");
    assert.equal(body.error.type, "not_found_error");
    assert.match(body.error.message, /Unknown route: POST \/v1\/messages\/batches/);
  });
});

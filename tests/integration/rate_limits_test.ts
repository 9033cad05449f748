/**
 * Rate limits on requests, in process through the real app (virtual keys created through
 * `/admin/keys` on a real SQLite store, the real `openai` SDK provider against the fake OpenAI
 * upstream, the in-memory limiter): RPM (the N+1th request is a 429 with `Retry-After` and
 * OpenAI's `x-ratelimit-*` headers), TPM (reservations refunded to the actual usage, overruns
 * counted), and `max_parallel` with open streams and slots that come back after errors,
 * cancellations and aborts. Failover, per-model limits, other routes, tRPC and Redis are in
 * `rate_limits_routes_test.ts`.
 */
import assert from "node:assert/strict";
import { chatBody } from "../helpers/app.ts";
import {
  completion,
  errorReply,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import {
  bearer,
  chat,
  gateway,
  keyWith,
  limitHeaders,
  MODEL,
  refusal,
  STATIC,
  until,
} from "../helpers/rate_limits.ts";

Deno.test("RPM: the N+1th request is a 429 with Retry-After and x-ratelimit-* headers", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { rpm_limit: 3 });
    fake.respondWith(() => completion());
    for (const remaining of ["2", "1", "0"]) {
      const res = await chat(gw, key);
      assert.equal(res.status, 200);
      const headers = limitHeaders(res);
      assert.equal(headers["x-ratelimit-limit-requests"], "3");
      assert.equal(headers["x-ratelimit-remaining-requests"], remaining);
      assert.match(headers["x-ratelimit-reset-requests"], /^(\d+m)?\d+(\.\d+)?s$|^\d+ms$/);
      // Only the limits that are set have headers.
      assert.equal(headers["x-ratelimit-limit-tokens"], undefined);
    }
    const res = await gw.post("/v1/chat/completions", chatBody(MODEL), bearer(key));
    const retryAfter = Number(res.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 61, `retry-after ${retryAfter}`);
    assert.equal(limitHeaders(res)["x-ratelimit-remaining-requests"], "0");
    assert.equal(limitHeaders(res)["x-ratelimit-limit-requests"], "3");
    const error = await refusal(res);
    assert.equal(error.type, "rate_limit_error");
    assert.equal(error.code, "rate_limit_exceeded");
    assert.match(error.message, /requests per minute \(RPM\): limit 3, used 3/);
    assert.equal(fake.chatRequests.length, 3, "the refused request never went upstream");
    // Another key, and a static key, are not affected (and the static key gets no headers).
    const other = await keyWith(gw, { rpm_limit: 3 });
    assert.equal((await chat(gw, other)).status, 200);
    const unlimited = await chat(gw, STATIC);
    assert.equal(unlimited.status, 200);
    assert.deepEqual(limitHeaders(unlimited), {});
    // The Anthropic envelope carries the same 429 and headers.
    const messages = await gw.post("/v1/messages", {
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: "user", content: "hi" }],
    }, { ...bearer(key), "anthropic-version": "2023-06-01" });
    assert.equal(messages.status, 429);
    assert.ok(messages.headers.get("retry-after"));
    assert.equal(limitHeaders(messages)["x-ratelimit-limit-requests"], "3");
    assert.equal((await messages.json()).error.type, "rate_limit_error");
  } finally {
    await gw.close();
  }
});

Deno.test("TPM: reservations are refunded to the actual usage, so later requests get in", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { tpm_limit: 100 });
    const usage = { prompt_tokens: 6, completion_tokens: 4, total_tokens: 10 };
    // "Hello there" is 3 tokens by the estimate; max_tokens 40: each request reserves 43.
    const body = chatBody(MODEL, "Hello there", { max_tokens: 40 });
    for (let i = 0; i < 6; i++) fake.script(completion({ content: "ok", usage }));
    for (let i = 0; i < 6; i++) {
      const res = await chat(gw, key, body);
      assert.equal(res.status, 200, `request ${i + 1}`);
      const headers = limitHeaders(res);
      assert.equal(headers["x-ratelimit-limit-tokens"], "100");
      // After it: the earlier requests' actual 10 each, and this one's reservation of 43.
      assert.equal(headers["x-ratelimit-remaining-tokens"], String(100 - 10 * i - 43));
      assert.equal(headers["x-ratelimit-limit-requests"], undefined);
    }
    // Without refunds the third request would have been refused (3 × 43 > 100).
    const res = await gw.post("/v1/chat/completions", body, bearer(key));
    const error = await refusal(res);
    assert.match(error.message, /tokens per minute \(TPM\): limit 100, used 60, requested 43/);
    assert.ok(Number(res.headers.get("retry-after")) >= 1);
  } finally {
    await gw.close();
  }
});

Deno.test("TPM: an answer over its reservation is counted; a request alone over the limit is refused for good", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { tpm_limit: 100 });
    fake.script(completion({
      content: "long",
      usage: { prompt_tokens: 10, completion_tokens: 89, total_tokens: 99 },
    }));
    // No max_tokens: the reservation is the prompt's 3 tokens; the answer used 99.
    const first = await chat(gw, key);
    assert.equal(first.status, 200);
    assert.equal(limitHeaders(first)["x-ratelimit-remaining-tokens"], "97");
    const res = await gw.post("/v1/chat/completions", chatBody(MODEL), bearer(key));
    assert.match((await refusal(res)).message, /TPM\): limit 100, used 99, requested 3/);
    // A request whose own estimate is over the limit: no Retry-After (waiting cannot help).
    const fresh = await keyWith(gw, { tpm_limit: 100 });
    const big = await gw.post(
      "/v1/chat/completions",
      chatBody(MODEL, "hi", { max_tokens: 500 }),
      bearer(fresh),
    );
    assert.equal(big.headers.get("retry-after"), null);
    assert.match((await refusal(big)).message, /Request too large for tokens per minute/);
    assert.equal(fake.chatRequests.length, 1);
  } finally {
    await gw.close();
  }
});

Deno.test("max_parallel: open streams hold their slots; a cancelled stream gives its slot back", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { max_parallel: 2, rpm_limit: 100 });
    const open = () => streamReply(textDeltas(["Hi", " there"]), { end: "hang" });
    fake.script(open(), open(), open());
    const streaming = chatBody(MODEL, "hi", { stream: true });
    const one = await gw.post("/v1/chat/completions", streaming, bearer(key));
    const two = await gw.post("/v1/chat/completions", streaming, bearer(key));
    assert.equal(one.status, 200);
    assert.equal(two.status, 200);
    // Streams carry the headers too.
    assert.equal(limitHeaders(two)["x-ratelimit-remaining-requests"], "98");
    const reader = one.body!.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /chat\.completion\.chunk/);
    const third = await gw.post("/v1/chat/completions", streaming, bearer(key));
    const error = await refusal(third);
    assert.match(error.message, /Too many requests in flight: the limit is 2 at once/);
    assert.equal(limitHeaders(third)["x-ratelimit-limit-requests"], "100");
    await reader.cancel(); // the client leaves mid-stream
    await two.body!.cancel(); // … and before reading anything
    const after = await gw.post("/v1/chat/completions", streaming, bearer(key));
    assert.equal(after.status, 200, "both slots came back");
    await after.body!.cancel();
    // Encoded streams (here Anthropic events) too, cancelled before a byte was read.
    for (let i = 0; i < 3; i++) {
      fake.script(open());
      const encoded = await gw.post(
        "/v1/chat/completions?target_format=bedrock_claude",
        streaming,
        bearer(key),
      );
      assert.equal(encoded.status, 200, `encoded stream ${i + 1}`);
      await encoded.body!.cancel();
    }
  } finally {
    await gw.close();
  }
});

Deno.test("max_parallel: slots come back after upstream errors, failed streams and client aborts", async () => {
  await using fake = await startFakeOpenAI();
  const gw = gateway(fake);
  try {
    const key = await keyWith(gw, { max_parallel: 1 });
    const next = async (expected: number) => {
      fake.script(completion());
      const res = await chat(gw, key);
      assert.equal(res.status, expected);
    };
    fake.script(errorReply(400));
    assert.equal((await chat(gw, key)).status, 400);
    await next(200);
    fake.script(errorReply(500));
    assert.equal((await chat(gw, key)).status, 502);
    await next(200);
    // A stream cut after its first chunk (the error is an event of the 200 stream).
    fake.script(streamReply(textDeltas(["a", "b"]), { end: "drop" }));
    const cut = await gw.post(
      "/v1/chat/completions",
      chatBody(MODEL, "hi", { stream: true }),
      bearer(key),
    );
    assert.equal(cut.status, 200);
    assert.match(await cut.text(), /"error"/);
    await next(200);
    // A non-streaming request the client gives up on while the upstream is still thinking.
    fake.script({ kind: "hang" });
    const abort = new AbortController();
    const pending = gw.post("/v1/chat/completions", chatBody(MODEL), bearer(key), abort.signal);
    await until(() => fake.chatRequests.length === 7, "the hanging request upstream");
    abort.abort();
    await pending.then((r) => r.body?.cancel(), () => {});
    await until(async () => {
      fake.script(completion());
      return (await chat(gw, key)).status === 200;
    }, "the aborted request's slot");
    // A model the router does not know: refused after admission, the slot comes back.
    const unknown = await chat(gw, key, chatBody("no-such-model-x"));
    assert.equal(unknown.status, 404);
    await next(200);
  } finally {
    await gw.close();
  }
});

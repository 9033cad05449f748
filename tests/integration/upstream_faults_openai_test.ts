/**
 * OpenAI upstream faults through the gateway (real `openai` SDK, fault servers): every deadline
 * is kept (first byte within `UPSTREAM_TIMEOUT_MS` whatever the retries; never silent longer
 * than it), retries are the gateway's own (`UPSTREAM_MAX_RETRIES + 1` attempts for retryable
 * failures, one log line each), `Retry-After` is honoured or answered at once, a cut stream is an
 * error, and a too-large answer is a 502.
 */
import assert from "node:assert/strict";
import {
  completion,
  errorReply,
  hang,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { startFaultServer } from "../fakes/fault_server.ts";
import { chatBody, testApp } from "../helpers/app.ts";
import { attemptLogs, eventually, timed } from "../helpers/faults.ts";
import { parseSse } from "../helpers/sse.ts";

const MODEL = "gpt-4o-mini";
/** Generous: the machine is shared; the old behaviour took ×(retries + 1) or forever. */
const LIMIT_MS = 15_000;

const post = (gw: ReturnType<typeof testApp>, stream: boolean) => () =>
  gw.post("/v1/chat/completions", chatBody(MODEL, "x", { stream }));

function errorOf(text: string): { type: string; code: string; message: string } {
  return JSON.parse(text).error;
}

/** The last `data:` payload of an SSE body, parsed (`[DONE]` as the string). */
function lastData(text: string): unknown {
  const data = parseSse(text).at(-1)?.data ?? "";
  return data === "[DONE]" ? data : JSON.parse(data);
}

for (const stream of [false, true]) {
  const mode = stream ? "stream" : "JSON";

  Deno.test(`OpenAI hang before headers (${mode}): one 504 within the budget, no retry`, async () => {
    await using faults = startFaultServer();
    const gw = testApp({
      OPENAI_API_KEY: "test",
      OPENAI_BASE_URL: `${faults.url}/v1`,
      UPSTREAM_TIMEOUT_MS: "1500",
      UPSTREAM_MAX_RETRIES: "2",
    });
    faults.script({ kind: "hang" }, { kind: "hang" }, { kind: "hang" });
    const res = await timed(LIMIT_MS, "hang before headers", post(gw, stream));
    assert.equal(res.status, 504);
    assert.equal(errorOf(res.text).code, "upstream_timeout");
    assert.ok(res.totalMs >= 1_400, `not before the deadline (${res.totalMs} ms)`);
    assert.ok(res.totalMs < 3_500, `the budget is not multiplied by retries (${res.totalMs} ms)`);
    assert.equal(faults.requests.length, 1, "a timeout that used the budget is not retried");
    assert.equal(attemptLogs(gw).length, 1);
    assert.equal(attemptLogs(gw)[0].error_code, "upstream_timeout");
  });

  Deno.test(`OpenAI reset connection (${mode}): UPSTREAM_MAX_RETRIES + 1 attempts, then 503`, async () => {
    await using faults = startFaultServer(); // every request: reset
    const gw = testApp({
      OPENAI_API_KEY: "test",
      OPENAI_BASE_URL: `${faults.url}/v1`,
      UPSTREAM_TIMEOUT_MS: "20000",
      UPSTREAM_MAX_RETRIES: "3",
    });
    const res = await timed(LIMIT_MS, "reset", post(gw, stream));
    assert.equal(res.status, 503);
    assert.equal(errorOf(res.text).code, "upstream_unavailable");
    assert.equal(faults.requests.length, 4);
    const logs = attemptLogs(gw);
    assert.deepEqual(logs.map((l) => l.attempt), [1, 2, 3, 4]);
    assert.ok(logs.every((l) => l.error_code === "upstream_unavailable"));
    assert.deepEqual(logs.map((l) => l.retry_in_ms === null), [false, false, false, true]);
  });
}

Deno.test("OpenAI hang mid-body (JSON): 504 after UPSTREAM_TIMEOUT_MS of silence", async () => {
  await using faults = startFaultServer();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: `${faults.url}/v1`,
    UPSTREAM_TIMEOUT_MS: "1500",
    UPSTREAM_MAX_RETRIES: "2",
  });
  faults.script({ kind: "stall", body: '{"id":"chatcmpl-1","object":"chat.compl' });
  const res = await timed(LIMIT_MS, "hang mid-body", post(gw, false));
  assert.equal(res.status, 504);
  assert.equal(errorOf(res.text).code, "upstream_timeout");
  assert.ok(res.totalMs >= 1_400 && res.totalMs < 3_500, `${res.totalMs} ms`);
  assert.equal(faults.requests.length, 1);
  await eventually(() => faults.requests[0].aborted, "the stalled upstream call is closed");
});

Deno.test("OpenAI hang mid-stream: the stream ends with an upstream_timeout error event", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_TIMEOUT_MS: "1500",
    UPSTREAM_MAX_RETRIES: "2",
  });
  fake.script(streamReply(textDeltas(["partial"]).slice(0, 2), { end: "hang" }));
  const res = await timed(LIMIT_MS, "hang mid-stream", post(gw, true));
  assert.equal(res.status, 200);
  const last = lastData(res.text) as { error: { code: string } };
  assert.equal(last.error.code, "upstream_timeout");
  assert.ok(!res.text.includes("[DONE]"));
  assert.ok(res.totalMs >= 1_400 && res.totalMs < 3_500, `${res.totalMs} ms`);
  assert.equal(fake.chatRequests.length, 1);
  assert.equal(await fake.chatRequests[0].outcome, "aborted");
});

Deno.test("a slow stream that never pauses for UPSTREAM_TIMEOUT_MS is not cut", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_TIMEOUT_MS: "1000",
  });
  // 8 chunks 400 ms apart: 3 s in all, three times the idle limit, never idle for it.
  fake.script(streamReply(textDeltas(["a", "b", "c", "d", "e", "f"]), { chunkDelayMs: 400 }));
  const res = await timed(LIMIT_MS, "slow stream", post(gw, true));
  assert.equal(res.status, 200);
  assert.equal(lastData(res.text), "[DONE]");
  assert.ok(res.totalMs >= 2_500, `${res.totalMs} ms`);
});

Deno.test("a truncated OpenAI stream (no finish_reason, no [DONE]) ends with an error event", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  fake.script(streamReply(textDeltas(["partial", " text"]).slice(0, 3), { end: "close" }));
  const res = await timed(LIMIT_MS, "truncated stream", post(gw, true));
  assert.equal(res.status, 200);
  assert.ok(!res.text.includes("[DONE]"), "no [DONE] is made up");
  const last = lastData(res.text) as { error: { type: string; code: string } };
  assert.equal(last.error.type, "api_error");
  assert.equal(last.error.code, "upstream_error");
  assert.equal(gw.accessLogs().at(-1)?.error_code, "upstream_error");
});

Deno.test("a stream with finish_reason but no [DONE] (lenient servers) still succeeds", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  fake.script(streamReply(textDeltas(["whole"]), { end: "close" }));
  const res = await timed(LIMIT_MS, "no [DONE]", post(gw, true));
  assert.equal(res.status, 200);
  assert.equal(lastData(res.text), "[DONE]");
});

Deno.test("OpenAI 429 with a Retry-After within the budget is waited out, then retried", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_TIMEOUT_MS: "5000",
    UPSTREAM_MAX_RETRIES: "2",
  });
  fake.script(errorReply(429, { retryAfter: 1 }), completion({ content: "after the wait" }));
  const res = await timed(LIMIT_MS, "429 then ok", post(gw, false));
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.text).choices[0].message.content, "after the wait");
  assert.ok(res.totalMs >= 950, `Retry-After honoured (${res.totalMs} ms)`);
  assert.equal(fake.chatRequests.length, 2);
  assert.equal(attemptLogs(gw)[0].retry_in_ms, 1000);
});

Deno.test("OpenAI 429 with a Retry-After past the budget is answered at once", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_TIMEOUT_MS: "2000",
    UPSTREAM_MAX_RETRIES: "2",
  });
  for (const stream of [false, true]) {
    fake.script(errorReply(429, { retryAfter: 3 }));
    const res = await timed(LIMIT_MS, "429 past the budget", post(gw, stream));
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "3");
    assert.equal(errorOf(res.text).code, "rate_limit_exceeded");
    assert.ok(res.totalMs < 1_000, `answered at once (${res.totalMs} ms)`);
  }
  assert.equal(fake.chatRequests.length, 2, "one attempt each");
});

Deno.test("OpenAI hanging upstream: 504 within the budget with retries, call aborted", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_TIMEOUT_MS: "1500",
    UPSTREAM_MAX_RETRIES: "2",
  });
  fake.script(hang(), hang(), hang());
  const res = await timed(LIMIT_MS, "hang", post(gw, false));
  assert.equal(res.status, 504);
  assert.ok(res.totalMs < 3_500, `${res.totalMs} ms, not 3 × 1500`);
  assert.equal(fake.chatRequests.length, 1);
  assert.equal(await fake.chatRequests[0].outcome, "aborted");
});

Deno.test("MAX_RESPONSE_BYTES: a larger OpenAI answer is a 502, declared or not", async (t) => {
  await using faults = startFaultServer();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: `${faults.url}/v1`,
    MAX_RESPONSE_BYTES: "100000",
    UPSTREAM_MAX_RETRIES: "2",
  });
  const big = JSON.stringify({
    id: "chatcmpl-big",
    object: "chat.completion",
    created: 0,
    model: MODEL,
    choices: [{ index: 0, message: { role: "assistant", content: "x".repeat(200_000) } }],
  });
  await t.step("content-length over the bound", async () => {
    faults.script({ kind: "respond", body: big });
    const res = await timed(LIMIT_MS, "big declared", post(gw, false));
    assert.equal(res.status, 502);
    assert.match(errorOf(res.text).message, /MAX_RESPONSE_BYTES/);
  });
  await t.step("chunked body growing past the bound", async () => {
    faults.script({ kind: "respond", chunked: true, body: big });
    const res = await timed(LIMIT_MS, "big undeclared", post(gw, false));
    assert.equal(res.status, 502);
    assert.match(errorOf(res.text).message, /MAX_RESPONSE_BYTES/);
  });
  await t.step("an answer within the bound is fine", async () => {
    faults.script({ kind: "respond", body: big.replace("x".repeat(200_000), "small") });
    const res = await timed(LIMIT_MS, "small", post(gw, false));
    assert.equal(res.status, 200);
    assert.equal(JSON.parse(res.text).choices[0].message.content, "small");
  });
  assert.equal(faults.requests.length, 3, "a too-large answer is not retried");
});

Deno.test("MAX_RESPONSE_BYTES also bounds one stream event (no unbounded SSE buffer)", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    MAX_RESPONSE_BYTES: "100000",
  });
  fake.script(streamReply(textDeltas(["ok", "x".repeat(200_000)])));
  const res = await timed(LIMIT_MS, "big event", post(gw, true));
  assert.equal(res.status, 200);
  const last = lastData(res.text) as { error: { code: string; message: string } };
  assert.equal(last.error.code, "upstream_error");
  assert.match(last.error.message, /MAX_RESPONSE_BYTES/);
  // Many small events adding up to more than the bound are fine: only one event is buffered.
  fake.script(streamReply(textDeltas(Array.from({ length: 30 }, () => "y".repeat(5_000)))));
  const many = await timed(LIMIT_MS, "many events", post(gw, true));
  assert.equal(lastData(many.text), "[DONE]");
});

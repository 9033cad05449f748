/**
 * Upstream failures map to SPEC §3.4 statuses, before a stream starts (ordinary HTTP errors)
 * and after (one last `data: {"error": …}` event).
 */
import assert from "node:assert/strict";
import {
  errorReply,
  hang,
  startFakeOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/openai_upstream.ts";
import { chatBody, testApp } from "../helpers/app.ts";
import { freePort } from "../helpers/server.ts";
import { readDataEvents } from "../helpers/sse.ts";

interface ErrorRow {
  name: string;
  upstream: number;
  retryAfter?: number;
  status: number;
  type: string;
  code: string;
}

const ROWS: ErrorRow[] = [
  {
    name: "400 → 400",
    upstream: 400,
    status: 400,
    type: "invalid_request_error",
    code: "invalid_value",
  },
  {
    name: "401 → 403 upstream_access_denied",
    upstream: 401,
    status: 403,
    type: "permission_error",
    code: "upstream_access_denied",
  },
  {
    name: "403 → 403 upstream_access_denied",
    upstream: 403,
    status: 403,
    type: "permission_error",
    code: "upstream_access_denied",
  },
  {
    name: "404 → 404 model_not_found",
    upstream: 404,
    status: 404,
    type: "invalid_request_error",
    code: "model_not_found",
  },
  {
    name: "429 → 429 with Retry-After",
    upstream: 429,
    retryAfter: 7,
    status: 429,
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
  },
  { name: "500 → 502", upstream: 500, status: 502, type: "api_error", code: "upstream_error" },
  {
    name: "503 → 503",
    upstream: 503,
    status: 503,
    type: "api_error",
    code: "upstream_unavailable",
  },
];

async function expectError(res: Response, row: Omit<ErrorRow, "name" | "upstream">) {
  assert.equal(res.status, row.status);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = await res.json();
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message", "param", "type"]);
  assert.equal(body.error.type, row.type);
  assert.equal(body.error.code, row.code);
  assert.equal(typeof body.error.message, "string");
  if (row.retryAfter !== undefined) {
    assert.equal(res.headers.get("retry-after"), String(row.retryAfter));
  }
  return body;
}

for (const stream of [false, true]) {
  Deno.test(`upstream errors map to SPEC statuses (${stream ? "stream" : "JSON"})`, async (t) => {
    await using fake = await startFakeOpenAI();
    const gw = testApp({ OPENAI_API_KEY: "sk-test-secret", OPENAI_BASE_URL: fake.url });
    for (const row of ROWS) {
      await t.step(row.name, async () => {
        fake.script(errorReply(row.upstream, { retryAfter: row.retryAfter }));
        const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", { stream }));
        const body = await expectError(res, row);
        assert.ok(!JSON.stringify(body).includes("sk-test-secret"));
      });
    }
    assert.equal(fake.chatRequests.length, ROWS.length, "no retries with UPSTREAM_MAX_RETRIES=0");
  });
}

Deno.test("an upstream 401 is the gateway's problem: the message does not blame the client", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "sk-wrong", OPENAI_BASE_URL: fake.url });
  fake.script(errorReply(401));
  const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"));
  const body = await res.json();
  assert.equal(res.status, 403);
  assert.match(body.error.message, /OPENAI_API_KEY/);
  assert.ok(!body.error.message.includes("sk-"), "no key fragment from the upstream message");
});

Deno.test("the upstream's 400 message and param reach the client", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  fake.script(errorReply(400, {
    message: "Unsupported value: 'temperature' does not support 0.5 with this model.",
    param: "temperature",
    code: "unsupported_value",
  }));
  const res = await gw.post("/v1/chat/completions", chatBody("o3-mini", "x", { temperature: 0.5 }));
  assert.equal(res.status, 400);
  const body = await res.json();
  assert.equal(body.error.param, "temperature");
  assert.equal(body.error.code, "unsupported_value");
  assert.match(body.error.message, /does not support 0.5/);
});

Deno.test("retries: UPSTREAM_MAX_RETRIES retries a 429 then succeeds", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_MAX_RETRIES: "2",
  });
  fake.script(errorReply(429, { retryAfter: 0 }), errorReply(503), streamReply(textDeltas(["ok"])));
  const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", { stream: true }));
  assert.equal(res.status, 200);
  const events = await readDataEvents(res);
  assert.equal(events.at(-1), "[DONE]");
  assert.equal(fake.chatRequests.length, 3);
});

Deno.test("connection refused → 503 upstream_unavailable", async () => {
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: `http://127.0.0.1:${freePort()}/v1`,
  });
  for (const stream of [false, true]) {
    const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", { stream }));
    await expectError(res, { status: 503, type: "api_error", code: "upstream_unavailable" });
  }
});

Deno.test("UPSTREAM_TIMEOUT_MS → 504 upstream_timeout, and the upstream call is aborted", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_TIMEOUT_MS: "150",
  });
  for (const stream of [false, true]) {
    fake.script(hang());
    const started = performance.now();
    const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", { stream }));
    await expectError(res, { status: 504, type: "api_error", code: "upstream_timeout" });
    assert.ok(performance.now() - started < 5_000);
    assert.equal(await fake.chatRequests.at(-1)!.outcome, "aborted");
  }
});

Deno.test("a slow upstream within the timeout is fine", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_TIMEOUT_MS: "5000",
  });
  fake.script(
    streamReply(textDeltas(["slow", " but", " fine"]), { delayMs: 100, chunkDelayMs: 20 }),
  );
  const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", { stream: true }));
  assert.equal(res.status, 200);
  const events = await readDataEvents(res);
  const text = events.slice(0, -1).map((e) =>
    (e as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? ""
  ).join("");
  assert.equal(text, "slow but fine");
});

Deno.test("error after the stream started → last event data: {error}, no [DONE]", async (t) => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  for (const end of ["error", "drop"] as const) {
    await t.step(`upstream ${end}s mid-stream`, async () => {
      fake.script(streamReply(textDeltas(["partial", " answer"]).slice(0, 2), { end }));
      const res = await gw.post(
        "/v1/chat/completions",
        chatBody("gpt-4o-mini", "x", { stream: true }),
      );
      assert.equal(res.status, 200, "headers were committed with the first chunk");
      const events = await readDataEvents(res);
      assert.notEqual(events.at(-1), "[DONE]");
      assert.ok(!events.includes("[DONE]"));
      const last = events.at(-1) as { error: Record<string, unknown> };
      assert.equal(last.error.type, "api_error");
      assert.equal(last.error.code, "upstream_error");
      assert.equal(typeof last.error.message, "string");
      assert.ok(!String(last.error.message).includes("at "), "no stack trace");
      const first = events[0] as { choices: Array<{ delta: { content?: string } }> };
      assert.equal(first.choices[0].delta.content, "");
      assert.equal(events.length, 3);
    });
  }
  const log = gw.accessLogs().at(-1)!;
  assert.equal(log.status, 200);
  assert.equal(log.error_code, "upstream_error");
});

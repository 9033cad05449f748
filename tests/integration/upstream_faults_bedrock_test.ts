/**
 * Bedrock upstream faults through the gateway (real AWS SDK, fake Bedrock and fault servers), on
 * Converse, ConverseStream and the native InvokeModel paths: deadlines kept, the gateway's own
 * retries (`UPSTREAM_MAX_RETRIES + 1` attempts, no SDK retries on top), a reset is 503 not 504,
 * `Retry-After` honoured or answered at once, a cut native Claude stream is an error, and a
 * too-large JSON answer is a 502.
 */
import assert from "node:assert/strict";
import { startFaultServer } from "../fakes/fault_server.ts";
import { textFrames } from "../fakes/bedrock_runtime.ts";
import { chatBody } from "../helpers/app.ts";
import { attemptLogs, eventually, timed } from "../helpers/faults.ts";
import { parseSse } from "../helpers/sse.ts";
import { bedrockGateway, runtimeRequests } from "./bedrock_harness.ts";
import {
  chunkFrames,
  CLAUDE_MODEL,
  claudeBody,
  claudeTextEvents,
  nativeStream,
} from "./formats_harness.ts";

const MODEL = "amazon.nova-lite-v1:0"; // Converse only
const LIMIT_MS = 15_000;

function errorOf(text: string): { type: string; code: string; message: string } {
  return JSON.parse(text).error;
}

/** The request bodies of each Bedrock path, by name. */
const PATHS = [
  { name: "Converse", body: chatBody(MODEL, "x") },
  { name: "ConverseStream", body: chatBody(MODEL, "x", { stream: true }) },
  { name: "InvokeModel (Claude)", body: claudeBody(CLAUDE_MODEL) },
  {
    name: "InvokeModelWithResponseStream (Claude)",
    body: claudeBody(CLAUDE_MODEL, { stream: true }),
  },
];

for (const path of PATHS) {
  Deno.test(`Bedrock reset connection (${path.name}): retried, then 503 upstream_unavailable`, async () => {
    await using faults = startFaultServer(); // every request: reset
    await using h = bedrockGateway({
      aws: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: faults.url },
      env: { UPSTREAM_TIMEOUT_MS: "20000", UPSTREAM_MAX_RETRIES: "3" },
    });
    const res = await timed(LIMIT_MS, "reset", () => h.gw.post("/v1/chat/completions", path.body));
    assert.equal(res.status, 503, res.text);
    assert.equal(errorOf(res.text).code, "upstream_unavailable");
    assert.equal(faults.requests.length, 4, "UPSTREAM_MAX_RETRIES + 1 attempts, no SDK retries");
    const logs = attemptLogs(h.gw);
    assert.deepEqual(logs.map((l) => l.attempt), [1, 2, 3, 4]);
    assert.ok(logs.every((l) => l.provider === "bedrock"));
  });

  Deno.test(`Bedrock hang before headers (${path.name}): one 504 within the budget`, async () => {
    await using faults = startFaultServer();
    await using h = bedrockGateway({
      aws: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: faults.url },
      env: { UPSTREAM_TIMEOUT_MS: "1500", UPSTREAM_MAX_RETRIES: "2" },
    });
    faults.script({ kind: "hang" }, { kind: "hang" }, { kind: "hang" });
    const res = await timed(LIMIT_MS, "hang", () => h.gw.post("/v1/chat/completions", path.body));
    assert.equal(res.status, 504);
    assert.equal(errorOf(res.text).code, "upstream_timeout");
    assert.ok(res.totalMs >= 1_400 && res.totalMs < 3_500, `${res.totalMs} ms`);
    assert.equal(faults.requests.length, 1);
    await eventually(() => faults.requests[0].aborted, "the upstream call is closed");
  });
}

Deno.test("Bedrock hang mid-body (Converse JSON): 504, not a held request", async () => {
  await using faults = startFaultServer();
  await using h = bedrockGateway({
    aws: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: faults.url },
    env: { UPSTREAM_TIMEOUT_MS: "1500", UPSTREAM_MAX_RETRIES: "2" },
  });
  faults.script({ kind: "stall", body: '{"output":{"message":{"role":"assis' });
  const res = await timed(
    LIMIT_MS,
    "stall",
    () => h.gw.post("/v1/chat/completions", PATHS[0].body),
  );
  assert.equal(res.status, 504);
  assert.ok(res.totalMs < 3_500, `${res.totalMs} ms`);
  assert.equal(faults.requests.length, 1);
});

Deno.test("Bedrock hang mid-stream (ConverseStream and native Claude): error event after the idle limit", async (t) => {
  await using h = bedrockGateway({
    env: { UPSTREAM_TIMEOUT_MS: "1500", UPSTREAM_MAX_RETRIES: "2" },
  });
  await t.step("ConverseStream", async () => {
    h.fake.enqueue({ kind: "stream", frames: textFrames(["Hel"]).slice(0, 2), hang: true });
    const res = await timed(
      LIMIT_MS,
      "converse hang",
      () => h.gw.post("/v1/chat/completions", PATHS[1].body),
    );
    assert.equal(res.status, 200);
    const last = JSON.parse(parseSse(res.text).at(-1)!.data);
    assert.equal(last.error.code, "upstream_timeout");
    assert.ok(res.totalMs >= 1_400 && res.totalMs < 3_500, `${res.totalMs} ms`);
  });
  await t.step("native Claude", async () => {
    const events = claudeTextEvents(["Hel"]).slice(0, 3);
    h.fake.enqueue({ kind: "stream", frames: chunkFrames(events), hang: true });
    const res = await timed(
      LIMIT_MS,
      "native hang",
      () => h.gw.post("/v1/messages", PATHS[3].body),
    );
    assert.equal(res.status, 200);
    const last = parseSse(res.text).at(-1)!;
    assert.equal(last.event, "error");
    assert.match(last.data, /sent nothing for 1500 ms/);
    assert.ok(res.totalMs >= 1_400 && res.totalMs < 3_500, `${res.totalMs} ms`);
  });
});

Deno.test("a cut native Claude stream (no message_stop) ends with an error event", async (t) => {
  await using h = bedrockGateway();
  const events = claudeTextEvents(["Hel", "lo"]);
  const cuts = [
    { name: "after a text delta", events: events.slice(0, 4) },
    {
      name: "after message_delta",
      events: events.filter((e) => (e as { type: string }).type !== "message_stop"),
    },
  ];
  for (const cut of cuts) {
    await t.step(cut.name, async () => {
      h.fake.enqueue(nativeStream(cut.events));
      const res = await timed(
        LIMIT_MS,
        "cut stream",
        () => h.gw.post("/v1/messages", PATHS[3].body),
      );
      assert.equal(res.status, 200);
      const sse = parseSse(res.text);
      assert.ok(!sse.some((e) => e.event === "message_stop"));
      assert.equal(sse.at(-1)?.event, "error");
      assert.equal(JSON.parse(sse.at(-1)!.data).error.type, "api_error");
    });
  }
  await t.step("a whole stream still ends with message_stop", async () => {
    h.fake.enqueue(nativeStream(events));
    const res = await timed(
      LIMIT_MS,
      "whole stream",
      () => h.gw.post("/v1/messages", PATHS[3].body),
    );
    assert.equal(parseSse(res.text).at(-1)?.event, "message_stop");
  });
});

Deno.test("Bedrock 429 with Retry-After within the budget: waited out, then retried", async () => {
  await using h = bedrockGateway({
    env: { UPSTREAM_TIMEOUT_MS: "5000", UPSTREAM_MAX_RETRIES: "2" },
  });
  h.fake.enqueue({ kind: "error", type: "ThrottlingException", headers: { "retry-after": "1" } });
  const res = await timed(
    LIMIT_MS,
    "429 then ok",
    () => h.gw.post("/v1/chat/completions", PATHS[0].body),
  );
  assert.equal(res.status, 200);
  assert.ok(res.totalMs >= 950, `Retry-After honoured (${res.totalMs} ms)`);
  assert.equal(runtimeRequests(h.fake).length, 2);
});

Deno.test("Bedrock 429 with Retry-After past the budget: answered at once with its Retry-After", async () => {
  await using h = bedrockGateway({
    env: { UPSTREAM_TIMEOUT_MS: "2000", UPSTREAM_MAX_RETRIES: "2" },
  });
  const throttle = {
    kind: "error" as const,
    type: "ThrottlingException",
    headers: { "retry-after": "1" },
  };
  h.fake.enqueue(throttle, throttle, throttle);
  const res = await timed(LIMIT_MS, "429s", () => h.gw.post("/v1/chat/completions", PATHS[0].body));
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "1");
  // The first Retry-After fits (1 s of 2 s); the second would pass the deadline: no third wait.
  assert.equal(runtimeRequests(h.fake).length, 2);
  assert.ok(res.totalMs >= 950 && res.totalMs < 1_900, `${res.totalMs} ms`);
});

Deno.test("UPSTREAM_MAX_RETRIES holds after many failures (no SDK retry token bucket)", async () => {
  await using faults = startFaultServer(); // every request: reset
  await using h = bedrockGateway({
    aws: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: faults.url },
    env: { UPSTREAM_TIMEOUT_MS: "20000", UPSTREAM_MAX_RETRIES: "2" },
  });
  // The SDK's bucket (500 tokens, 10 per retry of a connection error) ran dry after ~17 such
  // requests and then stopped retrying without a word.
  const statuses = await Promise.all(
    Array.from({ length: 24 }, async () => {
      const res = await timed(
        LIMIT_MS,
        "reset",
        () => h.gw.post("/v1/chat/completions", PATHS[0].body),
      );
      return res.status;
    }),
  );
  assert.deepEqual(new Set(statuses), new Set([503]));
  assert.equal(faults.requests.length, 24 * 3, "3 attempts for each of the 24 requests");
  assert.equal(attemptLogs(h.gw).length, 24 * 3);
});

Deno.test("MAX_RESPONSE_BYTES: a larger Bedrock JSON answer is a 502", async (t) => {
  await using faults = startFaultServer();
  await using h = bedrockGateway({
    aws: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: faults.url },
    env: { MAX_RESPONSE_BYTES: "100000", UPSTREAM_MAX_RETRIES: "2" },
  });
  const answer = (text: string) =>
    JSON.stringify({
      output: { message: { role: "assistant", content: [{ text }] } },
      stopReason: "end_turn",
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    });
  for (const chunked of [false, true]) {
    await t.step(chunked ? "chunked" : "content-length", async () => {
      faults.script({ kind: "respond", chunked, body: answer("x".repeat(200_000)) });
      const res = await timed(
        LIMIT_MS,
        "big",
        () => h.gw.post("/v1/chat/completions", PATHS[0].body),
      );
      assert.equal(res.status, 502, res.text);
      assert.match(errorOf(res.text).message, /MAX_RESPONSE_BYTES/);
    });
  }
  faults.script({ kind: "respond", body: answer("small") });
  const res = await timed(
    LIMIT_MS,
    "small",
    () => h.gw.post("/v1/chat/completions", PATHS[0].body),
  );
  assert.equal(res.status, 200);
  assert.equal(JSON.parse(res.text).choices[0].message.content, "small");
  assert.equal(faults.requests.length, 3, "a too-large answer is not retried");
});

/**
 * One structured JSON access-log line per request (request id, route, status, model, provider,
 * durations, usage), written when a stream ends; `LOG_LEVEL` applied; secrets never logged.
 * The in-process logger has no redaction list, so a secret that reached a line would show.
 */
import assert from "node:assert/strict";
import { errorReply, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody, testApp } from "../helpers/app.ts";

Deno.test("access log: one JSON line per request with the request's facts", async () => {
  const gw = testApp();
  const res = await gw.post("/v1/chat/completions", chatBody("mock-echo", "two words"), {
    "x-request-id": "log-1",
  });
  await res.body?.cancel();
  assert.equal(gw.logLines.length, 1);
  const line = JSON.parse(gw.logLines[0]);
  assert.equal(line.level, "info");
  assert.equal(line.msg, "request");
  assert.equal(typeof line.time, "string");
  assert.ok(!Number.isNaN(Date.parse(line.time)));
  assert.equal(line.request_id, "log-1");
  assert.equal(line.method, "POST");
  assert.equal(line.route, "/v1/chat/completions");
  assert.equal(line.status, 200);
  assert.equal(line.model, "mock-echo");
  assert.equal(line.provider, "mock");
  assert.deepEqual(line.usage, { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 });
  assert.equal(typeof line.duration_ms, "number");
  assert.equal(typeof line.upstream_ms, "number");
  assert.ok(line.duration_ms >= line.upstream_ms);
  assert.equal(line.error_code, undefined);
});

Deno.test("access log: streams are logged once, after the end, with usage even if not asked", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  fake.script(streamReply(textDeltas(["a", "b"]), { chunkDelayMs: 5 }));
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("openai/gpt-4o-mini", "x", { stream: true }),
  );
  assert.equal(gw.accessLogs().length, 0, "not logged before the stream ends");
  await res.text();
  const logs = gw.accessLogs();
  assert.equal(logs.length, 1);
  assert.equal(logs[0].status, 200);
  assert.equal(logs[0].provider, "openai");
  assert.equal(logs[0].model, "openai/gpt-4o-mini");
  assert.equal((logs[0].usage as { total_tokens: number }).total_tokens, 18);
});

Deno.test("access log: errors carry their code; every route is logged", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  fake.script(errorReply(429, { retryAfter: 1 }));
  const requests: Array<() => Promise<Response>> = [
    () => gw.post("/v1/chat/completions", chatBody("gpt-4o-mini")),
    () => gw.post("/v1/chat/completions", "{"),
    () => gw.get("/nope"),
    () => gw.get("/health"),
    () => gw.get("/v1/models/mock-echo"),
  ];
  for (const send of requests) await (await send()).body?.cancel();
  const logs = gw.accessLogs();
  assert.equal(logs.length, requests.length);
  assert.deepEqual(
    logs.map((l) => [l.route, l.path, l.status, l.error_code ?? null]),
    [
      ["/v1/chat/completions", "/v1/chat/completions", 429, "rate_limit_exceeded"],
      ["/v1/chat/completions", "/v1/chat/completions", 400, "invalid_json"],
      ["unmatched", "/nope", 404, "not_found"],
      ["/health", "/health", 200, null],
      ["/v1/models/:id", "/v1/models/mock-echo", 200, null],
    ],
  );
  assert.equal(logs[0].provider, "openai");
  assert.equal(new Set(logs.map((l) => l.request_id)).size, requests.length);
});

Deno.test("access log: LOG_LEVEL=warn drops info lines, keeps warnings", async () => {
  await using fake = await startFakeOpenAI();
  fake.scriptModels(errorReply(500));
  const gw = testApp({ LOG_LEVEL: "warn", OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  await (await gw.post("/v1/chat/completions", chatBody("mock-echo"))).body?.cancel();
  await (await gw.get("/v1/models")).body?.cancel();
  assert.equal(gw.accessLogs().length, 0);
  assert.ok(gw.logs().length >= 1);
  assert.ok(gw.logs().every((l) => l.level === "warn" || l.level === "error"));
});

Deno.test("secrets never appear in logs or responses", async () => {
  const upstreamKey = "sk-live-UPSTREAM-SECRET-1234";
  const clientKey = "client-SECRET-5678";
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    API_KEY: `${clientKey},other-key-000`,
    OPENAI_API_KEY: upstreamKey,
    OPENAI_BASE_URL: fake.url,
    LOG_LEVEL: "debug",
  });
  const auth = { authorization: `Bearer ${clientKey}` };
  fake.script(
    streamReply(textDeltas(["ok"])),
    errorReply(401, { message: `Incorrect API key provided: ${upstreamKey}.` }),
    errorReply(400, { message: "bad temperature" }),
    errorReply(500),
  );
  fake.scriptModels(errorReply(401, { message: `Incorrect API key provided: ${upstreamKey}.` }));
  const bodies: string[] = [];
  const send = async (res: Promise<Response>) => bodies.push(await (await res).text());
  await send(gw.post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", { stream: true }), auth));
  await send(gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"), auth));
  await send(gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"), auth));
  await send(gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"), auth));
  await send(gw.get("/v1/models", auth));
  await send(gw.get("/v1/models", { authorization: "Bearer wrong-key-guess" }));
  await send(gw.get("/health"));

  // The upstream did receive the key: the test would notice if it were never sent.
  assert.equal(fake.chatRequests[0].headers.get("authorization"), `Bearer ${upstreamKey}`);
  const everything = [...gw.logLines, ...bodies].join("\n");
  assert.ok(gw.logLines.length >= 7);
  for (const secret of [upstreamKey, clientKey, "other-key-000", "wrong-key-guess"]) {
    assert.ok(!everything.includes(secret), `leaked ${secret}`);
  }
  assert.ok(!/authorization/i.test(gw.logLines.join("\n")), "no headers in logs");
});

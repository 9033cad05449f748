/**
 * Bedrock failures through the gateway (real SDK, fake service): `x-amzn-errortype` HTTP errors
 * become SPEC §3.4 statuses before a stream starts; exception frames after the first event become
 * one last in-stream error event; a stream without `messageStop` is an error, not a success.
 */
import assert from "node:assert/strict";
import { type StreamFrame, textFrames } from "../fakes/bedrock_runtime.ts";
import { chatBody } from "../helpers/app.ts";
import { readDataEvents } from "../helpers/sse.ts";
import { bedrockGateway, runtimeRequests } from "./bedrock_harness.ts";

const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";

interface Row {
  exception: string;
  status: number;
  type: string;
  code: string;
}

const ROWS: Row[] = [
  {
    exception: "ThrottlingException",
    status: 429,
    type: "rate_limit_error",
    code: "rate_limit_exceeded",
  },
  {
    exception: "ValidationException",
    status: 400,
    type: "invalid_request_error",
    code: "invalid_value",
  },
  {
    exception: "AccessDeniedException",
    status: 403,
    type: "permission_error",
    code: "upstream_access_denied",
  },
  {
    exception: "ResourceNotFoundException",
    status: 404,
    type: "invalid_request_error",
    code: "model_not_found",
  },
  { exception: "ModelTimeoutException", status: 504, type: "api_error", code: "upstream_timeout" },
  {
    exception: "ServiceUnavailableException",
    status: 503,
    type: "api_error",
    code: "upstream_unavailable",
  },
  {
    exception: "ModelNotReadyException",
    status: 503,
    type: "api_error",
    code: "upstream_unavailable",
  },
  { exception: "InternalServerException", status: 502, type: "api_error", code: "upstream_error" },
  { exception: "ModelErrorException", status: 502, type: "api_error", code: "upstream_error" },
  { exception: "SomeBrandNewException", status: 502, type: "api_error", code: "upstream_error" },
];

async function expectError(res: Response, row: Omit<Row, "exception">) {
  assert.equal(res.status, row.status);
  const body = await res.json();
  assert.deepEqual(Object.keys(body.error).sort(), ["code", "message", "param", "type"]);
  assert.equal(body.error.type, row.type);
  assert.equal(body.error.code, row.code);
  assert.doesNotMatch(body.error.message, /secret|AKIDTEST/);
  return body.error;
}

Deno.test("Bedrock HTTP errors map to SPEC statuses (JSON and stream)", async (t) => {
  await using h = bedrockGateway();
  for (const row of ROWS) {
    for (const stream of [false, true]) {
      await t.step(`${row.exception}${stream ? " (stream)" : ""} → ${row.status}`, async () => {
        h.fake.enqueue({ kind: "error", type: row.exception, message: `fake ${row.exception}` });
        const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL, "Hi", { stream }));
        await expectError(res, row);
      });
    }
  }
});

Deno.test("request-shaped Bedrock messages reach the client; 404 names the model param", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({ kind: "error", type: "ValidationException", message: "maxTokens too large" });
  const validation = await expectError(
    await h.gw.post("/v1/chat/completions", chatBody(MODEL)),
    { status: 400, type: "invalid_request_error", code: "invalid_value" },
  );
  assert.match(validation.message, /maxTokens too large/);
  h.fake.enqueue({ kind: "error", type: "ResourceNotFoundException", message: "no such model" });
  const missing = await expectError(
    await h.gw.post("/v1/chat/completions", chatBody(MODEL)),
    { status: 404, type: "invalid_request_error", code: "model_not_found" },
  );
  assert.equal(missing.param, "model");
});

Deno.test("ThrottlingException with Retry-After → 429 with Retry-After", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({
    kind: "error",
    type: "ThrottlingException",
    message: "Too many requests",
    headers: { "retry-after": "3" },
  });
  const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL));
  assert.equal(res.status, 429);
  assert.equal(res.headers.get("retry-after"), "3");
  await res.body?.cancel();
});

Deno.test("UPSTREAM_MAX_RETRIES: the SDK retries a throttled call, then succeeds", async () => {
  await using h = bedrockGateway({ env: { UPSTREAM_MAX_RETRIES: "1" } });
  h.fake.enqueue({ kind: "error", type: "ThrottlingException", message: "slow down" });
  const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL));
  assert.equal(res.status, 200);
  assert.equal((await res.json()).choices[0].message.content, `Hello from ${MODEL}`);
  assert.equal(runtimeRequests(h.fake).length, 2);
});

const STARTED: StreamFrame[] = [
  { event: "messageStart", payload: { role: "assistant" } },
  { event: "contentBlockDelta", payload: { contentBlockIndex: 0, delta: { text: "Hel" } } },
];

Deno.test("a mid-stream exception frame → last event data: {error}, no [DONE]", async (t) => {
  await using h = bedrockGateway();
  const rows: Array<[string, string, string]> = [
    ["throttlingException", "rate_limit_error", "rate_limit_exceeded"],
    ["modelStreamErrorException", "api_error", "upstream_error"],
    ["validationException", "invalid_request_error", "invalid_value"],
    ["serviceUnavailableException", "api_error", "upstream_unavailable"],
    ["internalServerException", "api_error", "upstream_error"],
  ];
  for (const [exception, type, code] of rows) {
    await t.step(exception, async () => {
      h.fake.enqueue({
        kind: "stream",
        frames: [...STARTED, { exception, message: `fake ${exception}` }],
      });
      const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL, "Hi", { stream: true }));
      assert.equal(res.status, 200);
      const events = await readDataEvents(res);
      assert.notEqual(events.at(-1), "[DONE]");
      const last = events.at(-1) as { error: { type: string; code: string } };
      assert.equal(last.error.type, type);
      assert.equal(last.error.code, code);
      const first = events[0] as { choices: Array<{ delta: { role?: string } }> };
      assert.equal(first.choices[0].delta.role, "assistant");
    });
  }
});

Deno.test("an exception frame before any event is an ordinary HTTP error", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({
    kind: "stream",
    frames: [{ exception: "throttlingException", message: "slow down" }],
  });
  const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL, "Hi", { stream: true }));
  await expectError(res, { status: 429, type: "rate_limit_error", code: "rate_limit_exceeded" });
});

Deno.test("a stream that ends without messageStop is an error, not a success", async () => {
  await using h = bedrockGateway();
  h.fake.enqueue({ kind: "stream", frames: textFrames(["Hel", "lo"]).slice(0, 3) });
  const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL, "Hi", { stream: true }));
  assert.equal(res.status, 200);
  const events = await readDataEvents(res);
  assert.notEqual(events.at(-1), "[DONE]");
  const last = events.at(-1) as { error: { type: string; code: string } };
  assert.equal(last.error.type, "api_error");
  assert.equal(last.error.code, "upstream_error");
});

Deno.test("Bedrock unreachable → 503 upstream_unavailable", async () => {
  await using h = bedrockGateway({
    aws: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: "http://127.0.0.1:9" },
  });
  const res = await h.gw.post("/v1/chat/completions", chatBody(MODEL));
  await expectError(res, { status: 503, type: "api_error", code: "upstream_unavailable" });
});

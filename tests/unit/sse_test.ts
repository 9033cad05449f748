import assert from "node:assert/strict";
import { GatewayError } from "../../core/errors.ts";
import { frame, openaiSse, toSseStream } from "../../server/sse.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("frame: data-only and named events", () => {
  assert.equal(text(frame({ data: { a: 1 } })), 'data: {"a":1}\n\n');
  assert.equal(text(frame({ data: "[DONE]" })), "data: [DONE]\n\n");
  assert.equal(text(frame({ event: "ping", data: {} })), "event: ping\ndata: {}\n\n");
});

Deno.test("toSseStream: items then [DONE]", async () => {
  async function* items() {
    yield { n: 1 };
    yield { n: 2 };
  }
  let ended: unknown = "not called";
  const body = await new Response(toSseStream(items(), openaiSse, (e) => (ended = e))).text();
  assert.equal(body, 'data: {"n":1}\n\ndata: {"n":2}\n\ndata: [DONE]\n\n');
  assert.equal(ended, undefined);
});

Deno.test("toSseStream: an error after start becomes the last event, no [DONE]", async () => {
  async function* items() {
    yield { n: 1 };
    throw new GatewayError("rate_limited", "slow down");
  }
  let ended: GatewayError | undefined;
  const body = await new Response(toSseStream(items(), openaiSse, (e) => (ended = e))).text();
  assert.equal(
    body,
    'data: {"n":1}\n\ndata: {"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}}\n\n',
  );
  assert.equal(ended?.code, "rate_limit_exceeded");
});

Deno.test("toSseStream: cancelling closes the source iterator", async () => {
  let closed = false;
  async function* items() {
    try {
      while (true) yield { n: 1 };
    } finally {
      closed = true;
    }
  }
  const reader = toSseStream(items(), openaiSse).getReader();
  await reader.read();
  await reader.cancel();
  assert.equal(closed, true);
});

Deno.test("toSseStream: a bug surfaces as internal_error without details", async () => {
  async function* items(): AsyncGenerator<unknown> {
    yield* [];
    throw new TypeError("secret detail");
  }
  const body = await new Response(toSseStream(items(), openaiSse)).text();
  assert.match(body, /"code":"internal_error"/);
  assert.doesNotMatch(body, /secret detail/);
});

import assert from "node:assert/strict";
import { GatewayError } from "../../core/errors.ts";
import { frame, sseFormatFor, toSseStream } from "../../server/sse.ts";

const openaiSse = sseFormatFor("openai");
const claudeSse = sseFormatFor("bedrock_claude");
const titanSse = sseFormatFor("bedrock_titan");

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

Deno.test("toSseStream: a cancel while the source waits for its next item calls onCancel", async () => {
  // An async generator awaiting its source cannot be closed until that item arrives; onCancel
  // is how the transport aborts the upstream call at once.
  const never = Promise.withResolvers<void>();
  async function* items() {
    yield { n: 1 };
    await never.promise;
  }
  let cancelled = 0;
  const reader = toSseStream(items(), openaiSse, () => {}, undefined, () => cancelled++)
    .getReader();
  await reader.read();
  const pending = reader.read(); // the pull now waits on the source
  await reader.cancel();
  assert.equal(cancelled, 1);
  never.resolve();
  await pending;
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

/** Yields one item, then waits until returned (an upstream that is still streaming). */
function endless() {
  let returned = false;
  let wake = () => {};
  const items = {
    [Symbol.asyncIterator]: () => ({
      first: true,
      async next(this: { first: boolean }) {
        if (this.first) {
          this.first = false;
          return { done: false, value: { type: "ping", n: 1 } };
        }
        await new Promise<void>((resolve) => (wake = resolve));
        return { done: true, value: undefined };
      },
      return() {
        returned = true;
        wake();
        return Promise.resolve({ done: true as const, value: undefined });
      },
    }),
  };
  return { items, returned: () => returned };
}

Deno.test("toSseStream: stop ends an open stream with the format's server_shutting_down event", async (t) => {
  const rows = [
    {
      name: "openai",
      format: openaiSse,
      last: 'data: {"error":{"message":"server shutting down; retry the request",' +
        '"type":"api_error","param":null,"code":"server_shutting_down"}}\n\n',
    },
    {
      name: "titan",
      format: titanSse,
      last: 'data: {"error":{"message":"server shutting down; retry the request",' +
        '"type":"api_error","param":null,"code":"server_shutting_down"}}\n\n',
    },
    {
      name: "claude",
      format: claudeSse,
      last: 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error",' +
        '"message":"server shutting down; retry the request"}}\n\n',
    },
  ];
  for (const row of rows) {
    await t.step(row.name, async () => {
      const stop = new AbortController();
      const upstream = endless();
      let ended: GatewayError | undefined;
      const stream = toSseStream(upstream.items, row.format, (e) => (ended = e), stop.signal);
      const reader = stream.getReader();
      const first = await reader.read();
      assert.match(text(first.value!), /"n":1/);
      const pending = reader.read(); // pulls: waits on the upstream
      stop.abort();
      assert.equal(text((await pending).value!), row.last);
      assert.equal((await reader.read()).done, true);
      assert.equal(ended?.code, "server_shutting_down");
      assert.equal(ended?.kind, "unavailable");
      assert.ok(upstream.returned(), "the upstream iterator is closed");
    });
  }
});

Deno.test("toSseStream: a stream that finished is not touched by a later stop", async () => {
  async function* items() {
    yield { n: 1 };
  }
  const stop = new AbortController();
  let calls = 0;
  const body = await new Response(toSseStream(items(), openaiSse, () => calls++, stop.signal))
    .text();
  stop.abort();
  assert.equal(body, 'data: {"n":1}\n\ndata: [DONE]\n\n');
  assert.equal(calls, 1);
});

Deno.test("toSseStream: a stream started after stop ends at once with the error", async () => {
  const stop = new AbortController();
  stop.abort();
  const body = await new Response(toSseStream(endless().items, openaiSse, () => {}, stop.signal))
    .text();
  assert.match(body, /^data: \{"error":\{.*"code":"server_shutting_down"\}\}\n\n$/);
});

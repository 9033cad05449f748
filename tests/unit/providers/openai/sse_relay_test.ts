import assert from "node:assert/strict";
import fc from "fast-check";
import { GatewayError } from "../../../../core/errors.ts";
import type { Usage } from "../../../../core/formats/openai/schema.ts";
import {
  openaiErrorEvent,
  type SseRelayOptions,
  startSseRelay,
} from "../../../../core/providers/openai/sse_relay.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX = 4096;
const CUT = () => new GatewayError("upstream", "cut");
const USAGE = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };

const chunk = (delta: Record<string, unknown>, finish: string | null, usage = "null") =>
  `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":${
    JSON.stringify(delta)
  },"finish_reason":${finish === null ? "null" : `"${finish}"`}}],"usage":${usage}}\n\n`;
const usageChunk = `data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":${
  JSON.stringify(USAGE)
}}\n\n`;
const strip = (event: string) => event.replace(',"usage":null', "");

/** A normal stream with non-ASCII text (multi-byte UTF-8 to split inside). */
const STREAM = [
  chunk({ role: "assistant", content: "" }, null),
  chunk({ content: "héllo ✓ data: [DONE]" }, null),
  chunk({}, "stop"),
  usageChunk,
  "data: [DONE]\n\n",
];

interface Run {
  text: string;
  usage: Usage[];
  touches: number;
  settled: boolean[];
  ended: (GatewayError | undefined)[];
}

/** The upstream body: a default stream, or (`bytes`) a byte stream as fetch bodies are, which
 * the relay reads with BYOB reads into one reused buffer. */
function bodyOf(
  parts: Uint8Array[],
  onCancel?: () => void,
  bytes = false,
): ReadableStream<Uint8Array> {
  let i = 0;
  if (bytes) {
    parts = parts.filter((p) => p.length > 0); // a byte stream takes no empty chunk
    return new ReadableStream({
      type: "bytes",
      pull(controller) {
        if (i < parts.length) return controller.enqueue(parts[i++].slice());
        controller.close();
        controller.byobRequest?.respond(0); // a pending BYOB read learns of the end
      },
      cancel: () => onCancel?.(),
    });
  }
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]);
      else controller.close();
    },
    cancel: () => onCancel?.(),
  }, { highWaterMark: 0 });
}

const textParts = (parts: string[]) => parts.map((p) => encoder.encode(p));

async function relay(
  parts: Uint8Array[],
  over: Partial<SseRelayOptions> = {},
  bytes = false,
): Promise<Run> {
  const run: Run = { text: "", usage: [], touches: 0, settled: [], ended: [] };
  const started = await startSseRelay(bodyOf(parts, undefined, bytes), {
    includeUsage: false,
    maxBytes: MAX,
    mapError: (error) => new GatewayError("upstream", `read failed: ${error}`),
    cut: CUT,
    onUsage: (usage) => run.usage.push(usage),
    touch: () => run.touches++,
    onSettled: (completed) => run.settled.push(completed),
    ...over,
  });
  const out = started.open({ onEnd: (error) => run.ended.push(error) });
  // Kept until the end, so a write that still shared the relay's read buffer would show.
  const writes: Uint8Array[] = [];
  for await (const bytes of out) writes.push(bytes);
  for (const bytes of writes) run.text += decoder.decode(bytes, { stream: true });
  return run;
}

const errorText = (message: string) =>
  decoder.decode(openaiErrorEvent(new GatewayError("upstream", message)));

Deno.test("sse relay: forwards, taps, strips and ends streams", async (t) => {
  const rows: Array<{
    name: string;
    parts: string[];
    includeUsage: boolean;
    expected: string;
    usage: number;
    completed: boolean;
  }> = [
    {
      name: "usage asked: the bytes unchanged",
      parts: STREAM,
      includeUsage: true,
      expected: STREAM.join(""),
      usage: 1,
      completed: true,
    },
    {
      name: "usage not asked: usage:null cut, the usage-only chunk dropped",
      parts: STREAM,
      includeUsage: false,
      expected: [...STREAM.slice(0, 3).map(strip), "data: [DONE]\n\n"].join(""),
      usage: 1,
      completed: true,
    },
    {
      name: "spaced JSON and usage first: both spellings cut",
      parts: [
        'data: {"usage": null, "choices": [{"delta": {"content": "a"}, "finish_reason": null}]}\n\n',
        'data: {"choices": [{"delta": {}, "finish_reason": "stop"}], "usage" : null}\n\n',
        'data: {"choices": [], "usage": {"prompt_tokens": 1}}\n\n',
        "data: [DONE]\n\n",
      ],
      includeUsage: false,
      expected: 'data: { "choices": [{"delta": {"content": "a"}, "finish_reason": null}]}\n\n' +
        'data: {"choices": [{"delta": {}, "finish_reason": "stop"}]}\n\n' + "data: [DONE]\n\n",
      usage: 1,
      completed: true,
    },
    {
      name: "usage on a choice chunk is kept (and tapped)",
      parts: [chunk({}, "stop", JSON.stringify(USAGE)), "data: [DONE]\n\n"],
      includeUsage: false,
      expected: chunk({}, "stop", JSON.stringify(USAGE)) + "data: [DONE]\n\n",
      usage: 1,
      completed: true,
    },
    {
      name: "finish_reason without [DONE]: [DONE] added",
      parts: [chunk({ content: "a" }, null), chunk({}, "length")],
      includeUsage: true,
      expected: chunk({ content: "a" }, null) + chunk({}, "length") + "data: [DONE]\n\n",
      usage: 0,
      completed: true,
    },
    {
      name: "a last event without its blank line still counts",
      parts: [chunk({ content: "a" }, null), "data: [DONE]"],
      includeUsage: true,
      expected: chunk({ content: "a" }, null) + "data: [DONE]\n\n",
      usage: 0,
      completed: true,
    },
    {
      name: "cut stream: no finish_reason, no [DONE] → error event",
      parts: [chunk({ content: "a" }, null), chunk({ content: "b" }, null)],
      includeUsage: true,
      expected: chunk({ content: "a" }, null) + chunk({ content: "b" }, null) + errorText("cut"),
      usage: 0,
      completed: false,
    },
    {
      name: "in-stream error event → the gateway's error event, nothing after",
      parts: [
        chunk({ content: "a" }, null),
        'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n',
        chunk({}, "stop"),
      ],
      includeUsage: true,
      expected: chunk({ content: "a" }, null) +
        errorText("OpenAI upstream stream error: overloaded"),
      usage: 0,
      completed: false,
    },
    {
      name: "events after [DONE] are not sent",
      parts: [chunk({}, "stop"), "data: [DONE]\n\n" + chunk({ content: "late" }, null)],
      includeUsage: true,
      expected: chunk({}, "stop") + "data: [DONE]\n\n",
      usage: 0,
      completed: true,
    },
    {
      name: "CRLF line ends become LF (CR split from its LF across reads)",
      parts: [
        'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\r',
        "\n\r\ndata: [DONE]\r\n\r\n",
      ],
      includeUsage: true,
      expected: 'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n',
      usage: 0,
      completed: true,
    },
    {
      name: "comments and event lines pass through",
      parts: [": keep-alive\n\n", "event: x\n" + chunk({}, "stop"), "data: [DONE]\n\n"],
      includeUsage: true,
      expected: ": keep-alive\n\nevent: x\n" + chunk({}, "stop") + "data: [DONE]\n\n",
      usage: 0,
      completed: true,
    },
  ];
  for (const row of rows) {
    for (const bytes of [false, true]) {
      await t.step(`${row.name}${bytes ? " (byte stream)" : ""}`, async () => {
        const run = await relay(textParts(row.parts), { includeUsage: row.includeUsage }, bytes);
        assert.equal(run.text, row.expected);
        assert.equal(run.usage.length, row.usage);
        assert.deepEqual(run.settled, [row.completed]);
        assert.equal(run.ended.length, 1);
        assert.equal(run.ended[0] === undefined, row.completed);
      });
    }
  }
});

Deno.test("sse relay: usage tap gets the parsed usage object", async () => {
  const run = await relay(textParts(STREAM));
  assert.deepEqual(run.usage, [USAGE]);
});

Deno.test("sse relay: touch once per upstream read, one write per read", async () => {
  const parts = textParts([STREAM.slice(0, 3).join(""), STREAM.slice(3).join("")]);
  const writes: number[] = [];
  let touches = 0;
  const started = await startSseRelay(bodyOf(parts), {
    includeUsage: true,
    maxBytes: MAX,
    mapError: () => CUT(),
    cut: CUT,
    touch: () => touches++,
  });
  for await (const bytes of started.open()) writes.push(bytes.length);
  assert.equal(touches, 2); // the second read ends with [DONE]: the end is not awaited
  assert.deepEqual(writes, parts.map((p) => p.length));
});

Deno.test("sse relay: failures before the first event reject the start", async (t) => {
  const rows: Array<{ name: string; parts: string[]; message: RegExp }> = [
    { name: "empty body is a cut stream", parts: [], message: /^cut$/ },
    {
      name: "error event first",
      parts: ['data: {"error":{"message":"quota"}}\n\n'],
      message: /stream error: quota/,
    },
    { name: "oversize first event", parts: ["data: " + "x".repeat(MAX + 1)], message: /larger/ },
    { name: "malformed usage event", parts: ['data: {"usage":{oops}\n\n'], message: /malformed/ },
  ];
  for (const row of rows) {
    await t.step(row.name, async () => {
      let cancelled = false;
      await assert.rejects(
        startSseRelay(bodyOf(textParts(row.parts), () => (cancelled = true)), {
          includeUsage: true,
          maxBytes: MAX,
          mapError: () => new GatewayError("upstream", "read failed"),
          cut: CUT,
        }),
        (error: unknown) => error instanceof GatewayError && row.message.test(error.message),
      );
      if (row.parts.length > 0) assert.equal(cancelled, true);
    });
  }
});

Deno.test("sse relay: an oversize event after the first ends with an error event", async () => {
  const first = chunk({ content: "a" }, null);
  const run = await relay(textParts([first, "data: " + "x".repeat(MAX + 10)]));
  assert.equal(
    run.text,
    strip(first) +
      errorText(
        `The OpenAI upstream sent a stream event larger than ${MAX} bytes (MAX_RESPONSE_BYTES).`,
      ),
  );
});

Deno.test("sse relay: a failed read ends with the mapped error", async () => {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i++ === 0) controller.enqueue(encoder.encode(chunk({ content: "a" }, null)));
      else controller.error(new Error("reset"));
    },
  });
  const started = await startSseRelay(body, {
    includeUsage: true,
    maxBytes: MAX,
    mapError: (error) => new GatewayError("unavailable", `mapped ${(error as Error).message}`),
    cut: CUT,
  });
  let text = "";
  for await (const bytes of started.open()) text += decoder.decode(bytes);
  assert.equal(
    text,
    chunk({ content: "a" }, null) +
      decoder.decode(openaiErrorEvent(new GatewayError("unavailable", "mapped reset"))),
  );
});

Deno.test("sse relay: cancelling the output cancels the upstream body and ends client_closed", async () => {
  let cancelled = false;
  const settled: boolean[] = [];
  const ended: (GatewayError | undefined)[] = [];
  const started = await startSseRelay(
    bodyOf(
      textParts([chunk({ content: "a" }, null), chunk({ content: "b" }, null)]),
      () => cancelled = true,
    ),
    {
      includeUsage: true,
      maxBytes: MAX,
      mapError: () => CUT(),
      cut: CUT,
      onSettled: (c) => settled.push(c),
    },
  );
  const reader = started.open({ onEnd: (e) => ended.push(e) }).getReader();
  assert.equal((await reader.read()).done, false);
  await reader.cancel();
  assert.equal(cancelled, true);
  assert.deepEqual(settled, [false]);
  assert.deepEqual(ended.map((e) => e?.code), ["client_closed"]);
});

Deno.test("sse relay: stop ends an open stream with server_shutting_down", async () => {
  let cancelled = false;
  const stop = new AbortController();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(chunk({ content: "a" }, null)));
    },
    cancel: () => void (cancelled = true),
  });
  const started = await startSseRelay(body, {
    includeUsage: true,
    maxBytes: MAX,
    mapError: () => CUT(),
    cut: CUT,
  });
  const ended: (GatewayError | undefined)[] = [];
  const reader = started.open({ stop: stop.signal, onEnd: (e) => ended.push(e) }).getReader();
  assert.equal(decoder.decode((await reader.read()).value), chunk({ content: "a" }, null));
  stop.abort();
  const last = decoder.decode((await reader.read()).value);
  assert.match(last, /^data: \{"error":\{.*"code":"server_shutting_down"/);
  assert.equal((await reader.read()).done, true);
  assert.equal(ended[0]?.code, "server_shutting_down");
  assert.equal(cancelled, true);
});

const streamBytes = encoder.encode(STREAM.join(""));
const expectedOf = async (includeUsage: boolean) =>
  (await relay([streamBytes], { includeUsage })).text;

Deno.test("sse relay: the same output for the stream split at every byte boundary", async () => {
  for (const includeUsage of [true, false]) {
    const expected = await expectedOf(includeUsage);
    for (let at = 0; at <= streamBytes.length; at++) {
      for (const bytes of [false, true]) {
        const parts = [streamBytes.subarray(0, at), streamBytes.subarray(at)];
        const run = await relay(parts, { includeUsage }, bytes);
        assert.equal(run.text, expected, `split at ${at}${bytes ? " (byte stream)" : ""}`);
        assert.deepEqual(run.usage, [USAGE]);
      }
    }
  }
});

Deno.test("sse relay: the same output for any split into many reads (fast-check)", async () => {
  const expected = { true: await expectedOf(true), false: await expectedOf(false) };
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(fc.integer({ min: 1, max: streamBytes.length - 1 }), { maxLength: 40 }),
      fc.boolean(),
      fc.boolean(),
      async (cuts, includeUsage, bytes) => {
        const points = [0, ...cuts.sort((a, b) => a - b), streamBytes.length];
        const parts = points.slice(1).map((end, i) => streamBytes.subarray(points[i], end));
        const run = await relay(parts, { includeUsage }, bytes);
        assert.equal(run.text, expected[`${includeUsage}`]);
        assert.deepEqual(run.usage, [USAGE]);
        assert.deepEqual(run.settled, [true]);
      },
    ),
    { numRuns: 300 },
  );
});

/**
 * The fetch-based EventSource of the typed client: SSE parsing (named events, multi-line data,
 * ids, comments, CRLF, events split across chunks), headers sent, a refused connection reported
 * with the server's error body, and no reconnection after the stream ends.
 */
import assert from "node:assert/strict";
import {
  type EventSourceError,
  fetchEventSourceClass,
  type ServerSentEvent,
} from "../../../routers/fetch_event_source.ts";

/** A fetch answering with `chunks` as an event stream (or `status` and `body`), recording calls. */
function fakeFetch(
  reply: { chunks?: string[]; status?: number; body?: string; type?: string },
  calls: Request[] = [],
): typeof fetch {
  return (input, init) => {
    calls.push(new Request(input, init));
    const encoder = new TextEncoder();
    const chunks = reply.chunks ?? [];
    const body = reply.body ?? new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(encoder.encode(next));
      },
    });
    return Promise.resolve(
      new Response(body, {
        status: reply.status ?? 200,
        headers: { "content-type": reply.type ?? "text/event-stream" },
      }),
    );
  };
}

/** Collects every event until the source closes (error) or `stopOn` is seen. */
function record(source: EventTarget & { close(): void }, types: string[], stopOn?: string) {
  const seen: Array<{ type: string; data?: string; id?: string; error?: unknown }> = [];
  return new Promise<typeof seen>((resolve) => {
    for (const type of types) {
      source.addEventListener(type, (event) => {
        const e = event as ServerSentEvent & EventSourceError;
        seen.push({ type, data: e.data, id: e.lastEventId, error: e.error });
        if (type === "error" || type === stopOn) {
          source.close();
          resolve(seen);
        }
      });
    }
  });
}

Deno.test("fetch EventSource: parses named events, multi-line data, ids, comments, CRLF", async () => {
  const calls: Request[] = [];
  const ES = fetchEventSourceClass({
    fetch: fakeFetch({
      chunks: [
        ": a comment\n\nevent: connected\ndata: {}\n\n",
        "id: 1\ndata: line one\ndata: line two\n\n",
        "data: spl",
        "it across chunks\r\n\r\n",
        "event: return\ndata: \n\n",
      ],
    }, calls),
  });
  const source = new ES("http://gw.test/trpc/chat.stream?input=x", {
    headers: { authorization: "Bearer k" },
  });
  assert.equal(source.readyState, ES.CONNECTING);
  const seen = await record(source, ["open", "connected", "message", "return", "error"], "return");
  assert.deepEqual(seen.map((e) => [e.type, e.data ?? null]), [
    ["open", null],
    ["connected", "{}"],
    ["message", "line one\nline two"],
    ["message", "split across chunks"],
    ["return", ""],
  ]);
  assert.equal(seen[2].id, "1");
  assert.equal(seen[3].id, "1", "the last id carries over");
  assert.equal(source.readyState, ES.CLOSED);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].headers.get("authorization"), "Bearer k");
  assert.equal(calls[0].headers.get("accept"), "text/event-stream");
});

Deno.test("fetch EventSource: a refused connection reports the server's error body", async () => {
  const ES = fetchEventSourceClass({
    fetch: fakeFetch({
      status: 401,
      type: "application/json",
      body: JSON.stringify({ error: { message: "no key", code: -32001 } }),
    }),
    errorFromBody: (body) => (body as { error: unknown }).error,
  });
  const source = new ES("http://gw.test/x");
  const seen = await record(source, ["open", "message", "error"]);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].type, "error");
  assert.deepEqual(seen[0].error, { message: "no key", code: -32001 });
  assert.equal(source.readyState, ES.CLOSED);
});

Deno.test("fetch EventSource: a stream that ends is an error, never a reconnection", async () => {
  const calls: Request[] = [];
  const ES = fetchEventSourceClass({ fetch: fakeFetch({ chunks: ["data: a\n\n"] }, calls) });
  const seen = await record(new ES("http://gw.test/x"), ["message", "error"]);
  assert.deepEqual(seen.map((e) => e.type), ["message", "error"]);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(calls.length, 1);
});

Deno.test("fetch EventSource: a non-event-stream 200 and a network failure are errors", async () => {
  const notSse = fetchEventSourceClass({
    fetch: fakeFetch({ body: "{}", type: "application/json" }),
  });
  assert.deepEqual((await record(new notSse("http://gw.test/x"), ["error"])).map((e) => e.type), [
    "error",
  ]);
  const down = fetchEventSourceClass({ fetch: () => Promise.reject(new TypeError("refused")) });
  const seen = await record(new down("http://gw.test/x"), ["open", "error"]);
  assert.deepEqual(seen.map((e) => e.type), ["error"]);
  assert.ok(seen[0].error instanceof TypeError);
});

Deno.test("fetch EventSource: close() stops the stream without an error event", async () => {
  let cancelled = false;
  const ES = fetchEventSourceClass({
    fetch: (_input, init) =>
      Promise.resolve(
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode("data: first\n\n"));
              init?.signal?.addEventListener("abort", () => {
                cancelled = true;
                controller.error(new DOMException("aborted", "AbortError"));
              });
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        ),
      ),
  });
  const source = new ES("http://gw.test/x");
  const events: string[] = [];
  source.addEventListener("error", () => events.push("error"));
  await new Promise<void>((resolve) =>
    source.addEventListener("message", () => {
      events.push("message");
      source.close();
      resolve();
    })
  );
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(events, ["message"]);
  assert.ok(cancelled, "the fetch was aborted");
});

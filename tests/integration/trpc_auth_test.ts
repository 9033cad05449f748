/**
 * tRPC authentication at the HTTP level: an unauthenticated `chat.stream` subscription is a 401
 * before any stream (not a 200 carrying an UNAUTHORIZED event); `connectionParams.apiKey` in the
 * URL counts only for a subscription's GET; subscription errors carry their real `httpStatus`;
 * and a key sent in a URL never reaches the logs.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { createGatewayClient } from "../../routers/client.ts";
import type { ChatCompletionChunk } from "../../core/formats/openai/schema.ts";
import { errorReply, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { chatBody, ORIGIN, type TestApp, testApp } from "../helpers/app.ts";

const KEY = "trpc-url-key-7f3a";

/** `/trpc/<path>?input=…[&connectionParams=…]` as the tRPC links build it. */
function trpcUrl(path: string, input?: unknown, params?: Record<string, string>): string {
  const query = new URLSearchParams();
  if (input !== undefined) query.set("input", JSON.stringify(superjson.serialize(input)));
  if (params !== undefined) query.set("connectionParams", JSON.stringify(params));
  return `/trpc/${path}?${query}`;
}

type ErrorShape = {
  message: string;
  data: { code: string; httpStatus: number; gateway: { type: string; code: string } };
};

/** The tRPC error shape of a JSON error answer. */
async function errorShape(res: Response): Promise<ErrorShape> {
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const body = await res.json();
  return superjson.deserialize(body.error) as ErrorShape;
}

/** The events of a tRPC SSE answer, until it ends. */
async function sseEvents(res: Response): Promise<Array<{ event: string; data: string }>> {
  const text = await res.text();
  return text.split("\n\n").filter((block) => block.trim() !== "").map((block) => {
    const lines = block.split("\n");
    const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "message";
    const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
    return { event, data };
  });
}

function clientFor(gw: TestApp, apiKey?: string) {
  return createGatewayClient({
    url: ORIGIN,
    apiKey,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });
}

/** Runs a subscription to its end: its chunks, or its error. */
function collect(
  client: ReturnType<typeof clientFor>,
  input: Parameters<ReturnType<typeof clientFor>["chat"]["stream"]["subscribe"]>[0],
): Promise<ChatCompletionChunk[]> {
  return new Promise((resolve, reject) => {
    const chunks: ChatCompletionChunk[] = [];
    const subscription = client.chat.stream.subscribe(input, {
      onData: (chunk) => chunks.push(chunk as ChatCompletionChunk),
      onError: (error) => {
        subscription.unsubscribe();
        reject(error);
      },
      onComplete: () => resolve(chunks),
    });
  });
}

Deno.test("tRPC: an unauthenticated chat.stream is a 401 before any stream", async (t) => {
  const gw = testApp({ API_KEY: KEY });
  const input = chatBody("mock-echo", "secret stream");
  const refused: Array<[string, string, HeadersInit]> = [
    ["no key", trpcUrl("chat.stream", input), {}],
    ["wrong header key", trpcUrl("chat.stream", input), { authorization: "Bearer nope" }],
    ["wrong connectionParams key", trpcUrl("chat.stream", input, { apiKey: "nope" }), {}],
    ["connectionParams without apiKey", trpcUrl("chat.stream", input, { other: KEY }), {}],
  ];
  for (const [name, url, headers] of refused) {
    await t.step(name, async () => {
      const res = await gw.get(url, headers);
      assert.equal(res.status, 401);
      assert.doesNotMatch(res.headers.get("content-type") ?? "", /event-stream/);
      const shape = await errorShape(res);
      assert.equal(shape.data.code, "UNAUTHORIZED");
      assert.equal(shape.data.httpStatus, 401);
      assert.equal(shape.data.gateway.type, "authentication_error");
      assert.equal(shape.data.gateway.code, "invalid_api_key");
    });
  }
  const log = gw.accessLogs().filter((l) => l.route === "/trpc/chat.stream");
  assert.deepEqual(log.map((l) => l.status), [401, 401, 401, 401]);

  await t.step("the typed client gets UNAUTHORIZED / 401 through onError", async () => {
    for (const key of [undefined, "nope"]) {
      const error = await collect(clientFor(gw, key), input).then(
        () => assert.fail("expected an error"),
        (e) => e,
      );
      assert.ok(error instanceof TRPCClientError, String(error));
      const data = error.data as ErrorShape["data"];
      assert.equal(data.code, "UNAUTHORIZED");
      assert.equal(data.httpStatus, 401);
      assert.equal(data.gateway.code, "invalid_api_key");
    }
  });

  await t.step("with the key (header or connectionParams) the stream starts", async () => {
    for (
      const [url, headers] of [
        [trpcUrl("chat.stream", input), { authorization: `Bearer ${KEY}` }],
        [trpcUrl("chat.stream", input, { apiKey: KEY }), {}],
      ] as const
    ) {
      const res = await gw.get(url, headers);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
      const events = await sseEvents(res);
      assert.ok(events.some((e) => e.event === "message" && e.data.includes("secret")));
    }
    const chunks = await collect(clientFor(gw, KEY), input);
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), "secret stream");
  });
});

Deno.test("tRPC: connectionParams.apiKey is not accepted outside a subscription's GET", async (t) => {
  const gw = testApp({ API_KEY: KEY });
  const params = { apiKey: KEY };
  const calls: Array<[string, () => Promise<Response>]> = [
    ["health query", () => gw.get(trpcUrl("health", undefined, params))],
    ["models.list query", () => gw.get(trpcUrl("models.list", undefined, params))],
    [
      "formats.detect query",
      () => gw.get(trpcUrl("formats.detect", { body: chatBody("mock-echo") }, params)),
    ],
    [
      "chat.complete mutation",
      () =>
        gw.post(
          `/trpc/chat.complete?connectionParams=${encodeURIComponent(JSON.stringify(params))}`,
          superjson.serialize(chatBody("mock-echo")),
        ),
    ],
  ];
  for (const [name, call] of calls) {
    await t.step(name, async () => {
      const res = await call();
      assert.equal(res.status, 401);
      const shape = await errorShape(res);
      assert.equal(shape.data.code, "UNAUTHORIZED");
    });
  }
  await t.step("a batch with connectionParams", async () => {
    const res = await gw.get(
      `/trpc/health,models.list?batch=1&input=${encodeURIComponent("{}")}` +
        `&connectionParams=${encodeURIComponent(JSON.stringify(params))}`,
    );
    assert.equal(res.status, 401);
    const body = await res.json();
    assert.ok(Array.isArray(body) && body.length === 2);
    for (const item of body) {
      assert.equal(superjson.deserialize<ErrorShape>(item.error).data.code, "UNAUTHORIZED");
    }
  });
  await t.step("the same calls with the header pass", async () => {
    const res = await gw.get(trpcUrl("health"), { authorization: `Bearer ${KEY}` });
    assert.equal(res.status, 200);
    await res.body?.cancel();
  });
});

Deno.test("tRPC: a subscription's errors carry their own httpStatus (400, 404), not 500", async (t) => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  const rows: Array<[string, () => void, string, string, number]> = [
    ["upstream 400", () => fake.script(errorReply(400)), "gpt-4o-mini", "BAD_REQUEST", 400],
    ["unknown model", () => {}, "no-such-model", "NOT_FOUND", 404],
    ["upstream 429", () => fake.script(errorReply(429)), "gpt-4o-mini", "TOO_MANY_REQUESTS", 429],
  ];
  for (const [name, arrange, model, code, status] of rows) {
    await t.step(`${name} → ${code} ${status} in the stream's error event`, async () => {
      arrange();
      const res = await gw.get(trpcUrl("chat.stream", chatBody(model)));
      const error = (await sseEvents(res)).find((e) => e.event === "serialized-error");
      assert.ok(error, "an error event");
      const shape = superjson.deserialize<ErrorShape>(JSON.parse(error.data));
      assert.equal(shape.data.code, code);
      assert.equal(shape.data.httpStatus, status);
    });
    await t.step(`${name} → the typed client sees ${status}`, async () => {
      arrange();
      const error = await collect(clientFor(gw), chatBody(model)).then(
        () => assert.fail("expected an error"),
        (e) => e,
      );
      assert.ok(error instanceof TRPCClientError, String(error));
      assert.equal((error.data as ErrorShape["data"]).code, code);
      assert.equal((error.data as ErrorShape["data"]).httpStatus, status);
    });
  }
});

Deno.test("logs never contain a key sent in a URL", async () => {
  const wrong = "wrong-url-key-91c2";
  const gw = testApp({ API_KEY: KEY });
  const input = chatBody("mock-echo", "logged?");
  const served = await gw.get(trpcUrl("chat.stream", input, { apiKey: KEY }));
  assert.equal(served.status, 200);
  await served.text();
  for (const apiKey of [KEY, wrong]) {
    await (await gw.get(trpcUrl("chat.stream", input, { apiKey: wrong }))).text();
    await (await gw.get(trpcUrl("health", undefined, { apiKey }))).text();
    await (await gw.get(`/v1/models?connectionParams=${JSON.stringify({ apiKey })}`)).text();
    await (await gw.get(`/nowhere?api_key=${apiKey}`)).text();
  }
  const lines = gw.logLines.join("\n");
  assert.ok(gw.accessLogs().length >= 9);
  assert.ok(!lines.includes(KEY), "the valid key is not logged");
  assert.ok(!lines.includes(wrong), "a wrong key is not logged");
  assert.ok(!lines.includes("connectionParams"), "no query strings in logs");
});

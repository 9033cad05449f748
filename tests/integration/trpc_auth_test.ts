/**
 * tRPC authentication and the streaming transport at the HTTP level: `chat.stream` is a POST
 * answered with JSON lines; an unauthenticated one is a 401 before its body is read or any
 * stream starts; a key in the URL (`connectionParams`, `api_key`) is accepted nowhere; a stream
 * that fails before its first chunk is answered with the error's own status, one that fails later
 * ends with a typed error carrying its own `httpStatus`; and a key sent in a URL never reaches
 * the logs.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { createGatewayClient } from "../../routers/client.ts";
import { errorReply, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody, ORIGIN, type TestApp, testApp } from "../helpers/app.ts";
import { chunkText, jsonLines, readStream, streamRequest } from "../helpers/trpc_stream.ts";

const KEY = "trpc-url-key-7f3a";

/** `/trpc/<path>?input=…[&connectionParams=…]` as tRPC's GET links build it. */
function trpcUrl(path: string, input?: unknown, params?: Record<string, string>): string {
  const query = new URLSearchParams();
  if (input !== undefined) query.set("input", JSON.stringify(superjson.serialize(input)));
  if (params !== undefined) query.set("connectionParams", JSON.stringify(params));
  return `/trpc/${path}?${query}`;
}

const paramsQuery = (params: Record<string, string>) =>
  `&connectionParams=${encodeURIComponent(JSON.stringify(params))}`;

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

function clientFor(gw: TestApp, apiKey?: string) {
  return createGatewayClient({
    url: ORIGIN,
    apiKey,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });
}

/** A POST of `chat.stream` as the stream link sends it. */
const postStream = (gw: TestApp, input: unknown, headers: HeadersInit = {}, query = "") =>
  gw.handler(streamRequest(ORIGIN, "chat.stream", input, headers, query));

Deno.test("tRPC: an unauthenticated chat.stream is a 401 before any stream", async (t) => {
  const gw = testApp({ API_KEY: KEY, MAX_REQUEST_BYTES: "4096" });
  const input = chatBody("mock-echo", "secret stream");
  const refused: Array<[string, HeadersInit, string]> = [
    ["no key", {}, ""],
    ["wrong header key", { authorization: "Bearer nope" }, ""],
    ["the key only in connectionParams", {}, paramsQuery({ apiKey: KEY })],
    ["the key only in ?api_key=", {}, `&api_key=${KEY}`],
  ];
  for (const [name, headers, query] of refused) {
    await t.step(name, async () => {
      const res = await postStream(gw, input, headers, query);
      assert.equal(res.status, 401);
      const shape = await errorShape(res);
      assert.equal(shape.data.code, "UNAUTHORIZED");
      assert.equal(shape.data.httpStatus, 401);
      assert.equal(shape.data.gateway.type, "authentication_error");
      assert.equal(shape.data.gateway.code, "invalid_api_key");
    });
  }
  await t.step(
    "refused before its body is read: 401 for a body over MAX_REQUEST_BYTES",
    async () => {
      const big = chatBody("mock-echo", "x".repeat(10_000));
      assert.equal((await postStream(gw, big)).status, 401);
      assert.equal((await postStream(gw, big, { authorization: `Bearer ${KEY}` })).status, 413);
    },
  );
  const log = gw.accessLogs().filter((l) => l.route === "/trpc/chat.stream");
  assert.deepEqual(log.map((l) => l.status), [401, 401, 401, 401, 401, 413]);

  await t.step("the typed client gets UNAUTHORIZED / 401, and no chunk", async () => {
    for (const key of [undefined, "nope"]) {
      const { chunks, error } = await readStream(clientFor(gw, key), input);
      assert.deepEqual(chunks, []);
      assert.ok(error instanceof TRPCClientError, String(error));
      const data = error.data as ErrorShape["data"];
      assert.equal(data.code, "UNAUTHORIZED");
      assert.equal(data.httpStatus, 401);
      assert.equal(data.gateway.code, "invalid_api_key");
    }
  });

  await t.step("with the key in the header the stream starts", async () => {
    const res = await postStream(gw, input, { authorization: `Bearer ${KEY}` });
    assert.equal(res.status, 200);
    const lines = await jsonLines(res);
    assert.ok(lines.length >= 4, `head, result, chunks: ${lines.length} lines`);
    assert.ok(JSON.stringify(lines).includes("secret"));
    const { chunks, error } = await readStream(clientFor(gw, KEY), input);
    assert.equal(error, undefined);
    assert.equal(chunkText(chunks), "secret stream");
    const xApiKey = await postStream(gw, input, { "x-api-key": KEY });
    assert.equal(xApiKey.status, 200);
    await xApiKey.body?.cancel();
  });
});

Deno.test("tRPC: chat.stream only as a streaming POST: the old subscription GET is 405, a plain POST 415", async (t) => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ API_KEY: KEY, OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  const auth = { authorization: `Bearer ${KEY}` };
  const input = chatBody("gpt-4o-mini");
  await t.step("GET /trpc/chat.stream?input=… (a subscription's request)", async () => {
    const res = await gw.get(trpcUrl("chat.stream", input), auth);
    assert.equal(res.status, 405);
    assert.equal((await errorShape(res)).data.code, "METHOD_NOT_SUPPORTED");
  });
  await t.step("a POST without trpc-accept: application/jsonl", async () => {
    for (const path of ["/trpc/chat.stream", "/trpc/chat.stream?batch=1"]) {
      const body = path.includes("batch") ? { 0: superjson.serialize(input) } : superjson
        .serialize(input);
      const res = await gw.post(path, body, auth);
      assert.equal(res.status, 415, path);
      const shape = await errorShape(res);
      assert.equal(shape.data.code, "UNSUPPORTED_MEDIA_TYPE");
      assert.match(shape.message, /httpBatchStreamLink/);
    }
  });
  assert.equal(fake.chatRequests.length, 0, "no upstream call for a refused stream");
});

Deno.test("tRPC: chat.stream keeps the body limits (413, MAX_JSON_DEPTH) before any upstream call", async (t) => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({
    API_KEY: KEY,
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    MAX_REQUEST_BYTES: "65536",
    MAX_JSON_DEPTH: "16",
  });
  const auth = { authorization: `Bearer ${KEY}` };
  await t.step("a body over MAX_REQUEST_BYTES is a 413", async () => {
    const res = await postStream(gw, chatBody("gpt-4o-mini", "x".repeat(70_000)), auth);
    assert.equal(res.status, 413);
    const shape = await errorShape(res);
    assert.equal(shape.data.code, "PAYLOAD_TOO_LARGE");
    assert.equal(shape.data.gateway.code, "request_too_large");
  });
  await t.step("a body nested past MAX_JSON_DEPTH is a 400", async () => {
    let deep: unknown = "x";
    for (let i = 0; i < 20; i++) deep = { d: deep };
    const res = await postStream(gw, chatBody("gpt-4o-mini", "hi", { metadata: deep }), auth);
    assert.equal(res.status, 400);
    const shape = await errorShape(res);
    assert.equal(shape.data.code, "BAD_REQUEST");
    assert.equal(shape.data.gateway.code, "too_deep");
  });
  assert.equal(fake.chatRequests.length, 0, "no upstream call");
  await t.step("`accept: application/jsonl` (tRPC's other spelling) streams too", async () => {
    const request = streamRequest(ORIGIN, "chat.stream", chatBody("mock-echo", "via accept"), auth);
    request.headers.delete("trpc-accept");
    request.headers.set("accept", "application/json, application/jsonl");
    const res = await gw.handler(request);
    assert.equal(res.status, 200);
    assert.ok(JSON.stringify(await jsonLines(res)).includes("accept"));
  });
});

Deno.test("tRPC: connectionParams.apiKey is accepted nowhere", async (t) => {
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
    ["chat.stream", () => postStream(gw, chatBody("mock-echo"), {}, paramsQuery(params))],
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

Deno.test("tRPC: a stream's errors carry their own status (400, 404, 429), before or during it", async (t) => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  const rows: Array<[string, () => void, string, string, number]> = [
    ["upstream 400", () => fake.script(errorReply(400)), "gpt-4o-mini", "BAD_REQUEST", 400],
    ["unknown model", () => {}, "no-such-model", "NOT_FOUND", 404],
    ["upstream 429", () => fake.script(errorReply(429)), "gpt-4o-mini", "TOO_MANY_REQUESTS", 429],
    ["invalid input", () => {}, "", "BAD_REQUEST", 400],
  ];
  for (const [name, arrange, model, code, status] of rows) {
    await t.step(`${name} → HTTP ${status} ${code} before any stream`, async () => {
      arrange();
      const res = await postStream(gw, chatBody(model));
      assert.equal(res.status, status);
      const shape = await errorShape(res);
      assert.equal(shape.data.code, code);
      assert.equal(shape.data.httpStatus, status);
    });
    await t.step(`${name} → the typed client sees ${status}`, async () => {
      arrange();
      const { chunks, error } = await readStream(clientFor(gw), chatBody(model));
      assert.deepEqual(chunks, []);
      assert.ok(error instanceof TRPCClientError, String(error));
      assert.equal((error.data as ErrorShape["data"]).code, code);
      assert.equal((error.data as ErrorShape["data"]).httpStatus, status);
    });
  }
  const statuses = gw.accessLogs().filter((l) => l.route === "/trpc/chat.stream")
    .map((l) => l.status);
  assert.deepEqual(statuses, [400, 400, 404, 404, 429, 429, 400, 400], "logged with the status");

  await t.step("an upstream failure mid-stream: the chunks so far, then a typed 502", async () => {
    fake.script(streamReply(textDeltas(["par", "tial"]), { end: "error" }));
    const { chunks, error } = await readStream(clientFor(gw), chatBody("gpt-4o-mini"));
    assert.equal(chunkText(chunks), "partial");
    assert.ok(error instanceof TRPCClientError, String(error));
    const data = error.data as ErrorShape["data"];
    assert.equal(data.code, "BAD_GATEWAY");
    assert.equal(data.httpStatus, 502);
    assert.equal(data.gateway.code, "upstream_error");
  });
});

Deno.test("logs never contain a key sent in a URL", async () => {
  const wrong = "wrong-url-key-91c2";
  const gw = testApp({ API_KEY: KEY });
  const input = chatBody("mock-echo", "logged?");
  const served = await postStream(gw, input, { authorization: `Bearer ${KEY}` });
  assert.equal(served.status, 200);
  await served.text();
  for (const apiKey of [KEY, wrong]) {
    await (await postStream(gw, input, {}, paramsQuery({ apiKey }))).text();
    await (await gw.get(trpcUrl("chat.stream", input, { apiKey }))).text();
    await (await gw.get(trpcUrl("health", undefined, { apiKey }))).text();
    await (await gw.get(`/v1/models?connectionParams=${JSON.stringify({ apiKey })}`)).text();
    await (await gw.get(`/nowhere?api_key=${apiKey}`)).text();
  }
  const lines = gw.logLines.join("\n");
  assert.ok(gw.accessLogs().length >= 11);
  assert.ok(!lines.includes(KEY), "the valid key is not logged");
  assert.ok(!lines.includes(wrong), "a wrong key is not logged");
  assert.ok(!lines.includes("connectionParams"), "no query strings in logs");
});

/**
 * The tRPC API in process: the typed `createGatewayClient` with its `fetch` pointed at the
 * gateway's handler (queries, mutations and the `chat.stream` stream).
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../routers/app_router.ts";
import { createGatewayClient } from "../../routers/client.ts";
import type { ChatProvider } from "../../core/providers/provider.ts";
import { completion, errorReply, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { chatBody, ORIGIN, type TestApp, testApp, testAppWithProviders } from "../helpers/app.ts";
import { readStream } from "../helpers/trpc_stream.ts";

function clientFor(gw: TestApp, apiKey?: string) {
  return createGatewayClient({
    url: ORIGIN,
    apiKey,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });
}

/** Runs `call`, expecting a TRPCClientError; returns it. */
async function trpcError(call: () => Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof TRPCClientError, String(error));
    return error as TRPCClientError<AppRouter>;
  }
  assert.fail("expected a TRPCClientError");
}

type GatewayData = { code: string; httpStatus: number; gateway: Record<string, unknown> };
const dataOf = (error: TRPCClientError<AppRouter>) => error.data as unknown as GatewayData;

Deno.test("tRPC: health, models.list and chat.complete with the typed client", async () => {
  const gw = testApp({ API_KEY: "trpc-key" });
  const client = clientFor(gw, "trpc-key");

  const health = await client.health.query();
  assert.equal(health.status, "ok");
  assert.equal(typeof health.version, "string");
  assert.deepEqual(Object.keys(health.providers).sort(), ["bedrock", "mock", "openai"]);
  assert.equal(health.providers.mock, "enabled");

  const models = await client.models.list.query();
  assert.equal(models.object, "list");
  assert.ok(models.data.some((m) => m.id === "mock-echo"));

  const answer = await client.chat.complete.mutate({
    model: "mock-echo",
    messages: [{ role: "user", content: "typed hello" }],
  });
  assert.equal(answer.object, "chat.completion");
  assert.equal(answer.choices[0].message.content, "typed hello");
  assert.equal(answer.usage?.total_tokens, 4);

  const routes = gw.accessLogs().map((l) => l.route);
  assert.ok(routes.every((r) => String(r).startsWith("/trpc/")));
  assert.equal(gw.accessLogs().find((l) => l.route === "/trpc/chat.complete")?.provider, "mock");
});

Deno.test("tRPC: chat.complete reaches the OpenAI upstream like the HTTP route", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  fake.script(completion({ content: "via trpc" }));
  const answer = await clientFor(gw).chat.complete.mutate(
    {
      ...chatBody("openai/gpt-4o-mini", "hi"),
      stream: true, // ignored: complete always answers in one piece
      temperature: 0,
    } as Parameters<ReturnType<typeof clientFor>["chat"]["complete"]["mutate"]>[0],
  );
  assert.equal(answer.choices[0].message.content, "via trpc");
  const sent = fake.chatRequests[0].body as Record<string, unknown>;
  assert.equal(sent.model, "gpt-4o-mini");
  assert.equal(sent.stream, false);
  assert.equal(sent.temperature, 0);
});

Deno.test("tRPC: a missing or wrong key is UNAUTHORIZED with gateway code invalid_api_key", async () => {
  const gw = testApp({ API_KEY: "trpc-key" });
  for (const key of [undefined, "wrong"]) {
    const client = clientFor(gw, key);
    for (const call of [() => client.health.query(), () => client.models.list.query()]) {
      const error = await trpcError(call);
      assert.equal(dataOf(error).code, "UNAUTHORIZED");
      assert.equal(dataOf(error).httpStatus, 401);
      assert.equal(dataOf(error).gateway.code, "invalid_api_key");
      assert.equal(dataOf(error).gateway.type, "authentication_error");
    }
  }
});

Deno.test("tRPC: validation errors are BAD_REQUEST with the gateway param", async (t) => {
  const client = clientFor(testApp());
  const rows: Array<[string, unknown, string]> = [
    ["missing model", { messages: [{ role: "user", content: "x" }] }, "model"],
    ["empty messages", { model: "mock-echo", messages: [] }, "messages"],
    [
      "temperature as a string",
      { model: "mock-echo", messages: [{ role: "user", content: "x" }], temperature: "1" },
      "temperature",
    ],
    [
      "n out of range",
      { model: "mock-echo", messages: [{ role: "user", content: "x" }], n: 0 },
      "n",
    ],
    // Found by the fuzz test: superjson revives values JSON cannot carry upstream.
    [
      "a BigInt in an unknown field",
      { model: "mock-echo", messages: [{ role: "user", content: "x" }], budget: 10n },
      "budget",
    ],
    [
      "a Date in an unknown field",
      { model: "mock-echo", messages: [{ role: "user", content: "x" }], since: new Date(0) },
      "since",
    ],
    [
      "a Map in a message",
      { model: "mock-echo", messages: [{ role: "user", content: "x", extra: new Map() }] },
      "messages[0].extra",
    ],
  ];
  for (const [name, input, param] of rows) {
    await t.step(name, async () => {
      // deno-lint-ignore no-explicit-any
      const error = await trpcError(() => client.chat.complete.mutate(input as any));
      assert.equal(dataOf(error).code, "BAD_REQUEST");
      assert.equal(dataOf(error).httpStatus, 400);
      assert.equal(dataOf(error).gateway.type, "invalid_request_error");
      assert.equal(dataOf(error).gateway.param, param);
    });
  }
});

Deno.test("tRPC: a BigInt revived by superjson is a 400 before any upstream call, not a 502", async () => {
  // Found by the fuzz test: the OpenAI SDK's JSON.stringify threw on it, reported as
  // "The OpenAI upstream sent something unexpected" (502).
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: fake.url });
  const error = await trpcError(() =>
    clientFor(gw).chat.complete.mutate({
      model: "gpt-4o",
      messages: [{ role: "user", content: "hi", seq: 2n ** 64n }],
    })
  );
  assert.equal(dataOf(error).httpStatus, 400);
  assert.equal(dataOf(error).gateway.param, "messages[0].seq");
  assert.match(error.message, /must be JSON data, not bigint/);
  assert.equal(fake.requests.length, 0);
});

Deno.test("tRPC: gateway errors keep their kind (404, 429, 403, 503)", async () => {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  const client = clientFor(gw);
  const cases: Array<[string, () => void, string, string, number]> = [
    ["unknown model", () => {}, "NOT_FOUND", "model_not_found", 404],
    [
      "upstream 429",
      () => fake.script(errorReply(429)),
      "TOO_MANY_REQUESTS",
      "rate_limit_exceeded",
      429,
    ],
    [
      "upstream 401",
      () => fake.script(errorReply(401)),
      "FORBIDDEN",
      "upstream_access_denied",
      403,
    ],
    [
      "upstream 503",
      () => fake.script(errorReply(503)),
      "SERVICE_UNAVAILABLE",
      "upstream_unavailable",
      503,
    ],
  ];
  for (const [name, arrange, code, gatewayCode, status] of cases) {
    arrange();
    const model = name === "unknown model" ? "no-such-model" : "gpt-4o-mini";
    const error = await trpcError(() => client.chat.complete.mutate(chatBody(model)));
    assert.equal(dataOf(error).code, code, name);
    assert.equal(dataOf(error).gateway.code, gatewayCode, name);
    assert.equal(dataOf(error).httpStatus, status, name);
  }
});

Deno.test("tRPC: a gateway bug is INTERNAL_SERVER_ERROR without stack or internals", async () => {
  const buggy: ChatProvider = {
    name: "mock",
    complete: () => Promise.reject(new TypeError("boom in /srv/secret_module.ts")),
    stream: () => {
      throw new TypeError("boom");
    },
    listModels: () => Promise.resolve([]),
  };
  const gw = testAppWithProviders({ mock: buggy });
  const error = await trpcError(() => clientFor(gw).chat.complete.mutate(chatBody("mock-x")));
  assert.equal(dataOf(error).code, "INTERNAL_SERVER_ERROR");
  assert.equal(dataOf(error).gateway.code, "internal_error");
  const wire = JSON.stringify({ message: error.message, data: error.data, shape: error.shape });
  assert.ok(!wire.includes("secret_module"), wire);
  assert.ok(!wire.includes("TypeError"), wire);
  assert.ok(!("stack" in (error.data as object)), "no stack in data");

  const { chunks, error: streamError } = await readStream(clientFor(gw), chatBody("mock-x"));
  assert.deepEqual(chunks, []);
  assert.ok(streamError instanceof TRPCClientError, String(streamError));
  assert.equal(dataOf(streamError).code, "INTERNAL_SERVER_ERROR");
  assert.equal(dataOf(streamError).httpStatus, 500);
  assert.equal(dataOf(streamError).gateway.code, "internal_error");
  const streamWire = JSON.stringify({ message: streamError.message, data: streamError.data });
  assert.ok(!streamWire.includes("boom"), streamWire);
  const logged = gw.logs().filter((l) => l.level === "error").map((l) => String(l.error));
  assert.ok(logged.some((e) => e.includes("boom")), "the bug is logged for the operator");
});

Deno.test("tRPC: config.reload needs the key, and is a 404 no_config_file without a reload", async () => {
  const gw = testApp({ API_KEY: "trpc-key" });
  const refused = await trpcError(() => clientFor(gw).config.reload.mutate());
  assert.equal(dataOf(refused).httpStatus, 401);
  assert.equal(dataOf(refused).gateway.code, "invalid_api_key");
  const absent = await trpcError(() => clientFor(gw, "trpc-key").config.reload.mutate());
  assert.equal(dataOf(absent).httpStatus, 404);
  assert.deepEqual(dataOf(absent).gateway, {
    type: "not_found_error",
    code: "no_config_file",
    param: null,
  });
  assert.match(absent.message, /^Reload is not available: .*without a config file/);
});

/**
 * The spawned gateway driven by the typed tRPC client (`createGatewayClient`): queries,
 * mutations, the `chat.stream` stream (a POST read as JSON lines), auth and validation errors.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../routers/app_router.ts";
import { createGatewayClient, type GatewayClient } from "../../routers/client.ts";
import type { ChatCompletionChunk } from "../../core/formats/openai/schema.ts";
import { startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody } from "../helpers/app.ts";
import { proxiedGateway } from "../helpers/proxied_gateway.ts";
import { spawnGateway } from "../helpers/server.ts";
import { readStream } from "../helpers/trpc_stream.ts";
import { longChat } from "../helpers/long_chat.ts";

const KEY = "trpc-e2e-key";

type ErrorData = { code: string; httpStatus?: number; gateway: Record<string, unknown> };

/** Reads `chat.stream` to its end; resolves with the chunks or rejects with its error. */
async function collect(
  client: GatewayClient,
  input: Parameters<GatewayClient["chat"]["stream"]["mutate"]>[0],
): Promise<ChatCompletionChunk[]> {
  const { chunks, error } = await readStream(client, input, AbortSignal.timeout(10_000));
  if (error !== undefined) throw error;
  return chunks;
}

async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const error = await promise.then(() => assert.fail("expected an error"), (e) => e);
  assert.ok(error instanceof TRPCClientError, String(error));
  return error as TRPCClientError<AppRouter>;
}

const dataOf = (error: TRPCClientError<AppRouter>) => error.data as unknown as ErrorData;

Deno.test("tRPC client e2e: query, mutation, stream", async (t) => {
  await using fake = await startFakeOpenAI();
  await using gw = await spawnGateway({
    API_KEY: KEY,
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
  });
  const client = createGatewayClient({ url: gw.url, apiKey: KEY });

  await t.step("health query", async () => {
    const health = await client.health.query();
    assert.equal(health.status, "ok");
    assert.equal(health.providers.openai, "configured");
    assert.equal(health.providers.mock, "enabled");
  });

  await t.step("models.list query", async () => {
    const models = await client.models.list.query();
    assert.equal(models.object, "list");
    const ids = models.data.map((m) => m.id);
    assert.ok(ids.includes("mock-echo") && ids.includes("gpt-4o-mini"));
  });

  await t.step("batched queries", async () => {
    const [health, models] = await Promise.all([
      client.health.query(),
      client.models.list.query(),
    ]);
    assert.equal(health.status, "ok");
    assert.ok(models.data.length > 0);
  });

  await t.step("chat.complete mutation", async () => {
    const answer = await client.chat.complete.mutate(chatBody("mock-echo", "over tRPC"));
    assert.equal(answer.object, "chat.completion");
    assert.equal(answer.choices[0].message.content, "over tRPC");
  });

  await t.step("chat.stream (mock)", async () => {
    const chunks = await collect(client, chatBody("mock-echo", "one two three"));
    assert.ok(chunks.length >= 4);
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), "one two three");
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
    assert.equal(chunks.at(-1)!.choices[0].finish_reason, "stop");
    assert.ok(chunks.every((c) => c.choices.length === 1), "no usage chunk unless asked");
  });

  await t.step("chat.stream (OpenAI upstream, include_usage)", async () => {
    fake.script(streamReply(textDeltas(["stream", "ed"])));
    const chunks = await collect(
      client,
      chatBody("gpt-4o-mini", "x", { stream_options: { include_usage: true } }),
    );
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), "streamed");
    assert.deepEqual(chunks.at(-1)!.choices, []);
    assert.equal(chunks.at(-1)!.usage?.total_tokens, 18);
    const sent = fake.chatRequests.at(-1)!.body as Record<string, unknown>;
    assert.equal(sent.stream, true);
  });

  await t.step("stream errors reject with the gateway code", async () => {
    const error = await rejection(collect(client, chatBody("no-such-model")));
    assert.equal(dataOf(error).gateway.code, "model_not_found");
  });

  await t.step("validation error carries the gateway param", async () => {
    const error = await rejection(
      client.chat.complete.mutate({ model: "mock-echo", messages: [] }),
    );
    assert.equal(dataOf(error).code, "BAD_REQUEST");
    assert.equal(dataOf(error).gateway.type, "invalid_request_error");
    assert.equal(dataOf(error).gateway.param, "messages");
  });
});

Deno.test("tRPC client e2e: auth failures are UNAUTHORIZED / invalid_api_key", async (t) => {
  await using gw = await spawnGateway({ API_KEY: KEY });
  for (const apiKey of [undefined, "wrong-key"]) {
    const client = createGatewayClient({ url: gw.url, apiKey });
    await t.step(`query with ${apiKey ?? "no key"}`, async () => {
      const error = await rejection(client.health.query());
      assert.equal(dataOf(error).code, "UNAUTHORIZED");
      assert.equal(dataOf(error).gateway.code, "invalid_api_key");
    });
    await t.step(`mutation with ${apiKey ?? "no key"}`, async () => {
      const error = await rejection(client.chat.complete.mutate(chatBody("mock-echo")));
      assert.equal(dataOf(error).code, "UNAUTHORIZED");
      assert.equal(dataOf(error).gateway.code, "invalid_api_key");
    });
    await t.step(`stream with ${apiKey ?? "no key"}`, async () => {
      const { chunks, error } = await readStream(client, chatBody("mock-echo"));
      assert.deepEqual(chunks, [], "no chunk before the refusal");
      assert.ok(error instanceof TRPCClientError, String(error));
      assert.equal(dataOf(error).code, "UNAUTHORIZED");
      assert.equal(dataOf(error).httpStatus, 401);
      assert.equal(dataOf(error).gateway.code, "invalid_api_key");
    });
  }
  // With the key, the same calls pass.
  const client = createGatewayClient({ url: gw.url, apiKey: KEY });
  assert.equal((await client.health.query()).status, "ok");
  assert.ok((await collect(client, chatBody("mock-echo", "ok"))).length > 0);
});

Deno.test("tRPC client e2e: a 2 MB chat streams over POST; the key and all input stay out of URLs", async (t) => {
  await using setup = await proxiedGateway(KEY);
  const { fake, proxy } = setup;
  const client = createGatewayClient({ url: proxy.url, apiKey: KEY });
  const long = longChat();
  const streams = setup.streams;

  await t.step("mock-echo answers the last question and counted every word", async () => {
    const chunks = await collect(
      client,
      {
        model: "mock-echo",
        messages: long.messages,
        stream_options: { include_usage: true },
      } as Parameters<GatewayClient["chat"]["stream"]["mutate"]>[0],
    );
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), long.lastText);
    assert.equal(chunks.at(-1)!.usage?.prompt_tokens, long.words);
    const [sent] = streams();
    assert.equal(sent.method, "POST");
    assert.equal(sent.url, "/trpc/chat.stream?batch=1");
    assert.ok(sent.bodyBytes >= 2 * 1024 * 1024, `body of ${sent.bodyBytes} bytes`);
    assert.equal(sent.headers.get("authorization"), `Bearer ${KEY}`);
    assert.equal(sent.status, 200);
  });

  await t.step("the OpenAI upstream receives the history and the image byte for byte", async () => {
    fake.script(streamReply(textDeltas(["a ", "picture"])));
    const chunks = await collect(
      client,
      {
        model: "gpt-4o-mini",
        messages: long.messages,
      } as Parameters<GatewayClient["chat"]["stream"]["mutate"]>[0],
    );
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), "a picture");
    const upstream = fake.chatRequests.at(-1)!.body as { messages: unknown[] };
    assert.deepEqual(upstream.messages, long.messages);
  });

  await t.step("a query with a 2 MB input (formats.detect) is a POST too", async () => {
    const detected = await client.formats.detect.query({
      body: { model: "gpt-4o-mini", messages: long.messages },
    });
    assert.deepEqual(detected, { format: "openai" });
    const sent = proxy.requests.at(-1)!;
    assert.equal(sent.method, "POST");
    assert.ok(sent.bodyBytes >= 2 * 1024 * 1024, `body of ${sent.bodyBytes} bytes`);
  });

  await t.step("no URL carries the key or any of the input", async () => {
    await client.health.query();
    await client.chat.complete.mutate(chatBody("mock-echo", "marker-in-a-mutation"));
    assert.ok(proxy.requests.length >= 5);
    for (const request of proxy.requests) {
      assert.ok(!request.url.includes(KEY), `key in ${request.url}`);
      assert.equal(request.method, "POST", request.url);
      assert.ok(request.url.length < 40, `a ${request.url.length}-character URL`);
      for (const marker of ["marker-in-a-mutation", "u0w0", "base64", "mock-echo"]) {
        assert.ok(!decodeURIComponent(request.url).includes(marker), `${marker} in ${request.url}`);
      }
    }
    assert.equal(streams().length, 2);
  });
});

Deno.test("tRPC client e2e: an aborted stream aborts the upstream; no key is 401 before any chunk", async (t) => {
  await using setup = await proxiedGateway(KEY);
  const { fake, proxy } = setup;

  await t.step("abort mid-stream", async () => {
    fake.script(streamReply(textDeltas(["first", " second"]).slice(0, 2), { end: "hang" }));
    const client = createGatewayClient({ url: proxy.url, apiKey: KEY });
    const abort = new AbortController();
    let text = "";
    const read = (async () => {
      for await (const chunk of await client.chat.stream.mutate(chatBody("gpt-4o-mini"), abort)) {
        text += chunk.choices[0]?.delta.content ?? "";
        if (text === "first") abort.abort();
      }
    })();
    const error = await read.then(() => undefined, (e) => e);
    assert.equal(text, "first");
    assert.equal(error?.name, "AbortError", String(error)); // fetch's, as the body is cut
    const outcome = await Promise.race([
      fake.chatRequests[0].outcome,
      new Promise((resolve) => setTimeout(() => resolve("still open after 5 s"), 5_000)),
    ]);
    assert.equal(outcome, "aborted");
  });

  await t.step("no key or a wrong one: a 401 answer, no stream, even for a 2 MB body", async () => {
    const long = longChat();
    for (const apiKey of [undefined, "wrong-key"]) {
      for (const messages of [chatBody("mock-echo").messages, long.messages]) {
        const client = createGatewayClient({ url: proxy.url, apiKey });
        const { chunks, error } = await readStream(
          client,
          {
            model: "mock-echo",
            messages,
          } as Parameters<GatewayClient["chat"]["stream"]["mutate"]>[0],
        );
        assert.deepEqual(chunks, []);
        assert.ok(error instanceof TRPCClientError, String(error));
        assert.equal(dataOf(error).code, "UNAUTHORIZED");
        assert.equal(dataOf(error).gateway.code, "invalid_api_key");
        assert.equal(proxy.requests.at(-1)!.status, 401);
      }
    }
  });
});

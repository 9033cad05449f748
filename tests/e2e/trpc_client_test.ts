/**
 * The spawned gateway driven by the typed tRPC client (`createGatewayClient`): queries,
 * mutations, the SSE subscription (Deno has a global EventSource), auth and validation errors.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../routers/app_router.ts";
import { createGatewayClient } from "../../routers/client.ts";
import type { ChatCompletionChunk } from "../../core/formats/openai/schema.ts";
import { startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody } from "../helpers/app.ts";
import { spawnGateway } from "../helpers/server.ts";

const KEY = "trpc-e2e-key";

type Client = ReturnType<typeof createGatewayClient>;
type ErrorData = { code: string; httpStatus?: number; gateway: Record<string, unknown> };

/** Runs a subscription to its end; resolves with the chunks or rejects with its error. */
function collect(
  client: Client,
  input: Parameters<Client["chat"]["stream"]["subscribe"]>[0],
): Promise<ChatCompletionChunk[]> {
  return new Promise((resolve, reject) => {
    const chunks: ChatCompletionChunk[] = [];
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`subscription did not end; got ${chunks.length} chunks`));
    }, 10_000);
    const subscription = client.chat.stream.subscribe(input, {
      onData: (chunk) => chunks.push(chunk as ChatCompletionChunk),
      onError: (error) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        reject(error);
      },
      onComplete: () => {
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve(chunks);
      },
    });
  });
}

async function rejection(promise: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  const error = await promise.then(() => assert.fail("expected an error"), (e) => e);
  assert.ok(error instanceof TRPCClientError, String(error));
  return error as TRPCClientError<AppRouter>;
}

const dataOf = (error: TRPCClientError<AppRouter>) => error.data as unknown as ErrorData;

Deno.test("tRPC client e2e: query, mutation, subscription", async (t) => {
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

  await t.step("chat.stream subscription (mock)", async () => {
    const chunks = await collect(client, chatBody("mock-echo", "one two three"));
    assert.ok(chunks.length >= 4);
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), "one two three");
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
    assert.equal(chunks.at(-1)!.choices[0].finish_reason, "stop");
    assert.ok(chunks.every((c) => c.choices.length === 1), "no usage chunk unless asked");
  });

  await t.step("chat.stream subscription (OpenAI upstream, include_usage)", async () => {
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

  await t.step("subscription errors arrive through onError with the gateway code", async () => {
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
    await t.step(`subscription with ${apiKey ?? "no key"}`, async () => {
      const error = await rejection(collect(client, chatBody("mock-echo")));
      assert.equal(dataOf(error).code, "UNAUTHORIZED");
      assert.equal(dataOf(error).gateway.code, "invalid_api_key");
    });
  }
  // With the key, the same calls pass (the subscription authenticates via connectionParams).
  const client = createGatewayClient({ url: gw.url, apiKey: KEY });
  assert.equal((await client.health.query()).status, "ok");
  assert.ok((await collect(client, chatBody("mock-echo", "ok"))).length > 0);
});

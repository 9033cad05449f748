/**
 * tRPC `responses.create` and `responses.stream` with the typed client, in process: the same
 * Response object and checked event sequence as `POST /v1/responses`, and bad input as a
 * BAD_REQUEST naming the field.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { createGatewayClient } from "../../routers/client.ts";
import { ORIGIN, type TestApp, testApp } from "../helpers/app.ts";
import { checkResponsesStream } from "../helpers/responses_stream_checker.ts";
import { sqliteBackend } from "../helpers/stores.ts";

function clientFor(gw: TestApp) {
  return createGatewayClient({
    url: ORIGIN,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });
}

Deno.test("tRPC responses.create: a typed Response object", async () => {
  const client = clientFor(testApp({}));
  const response = await client.responses.create.mutate({
    model: "mock-echo",
    input: "Hello tRPC",
    instructions: "x",
  });
  assert.equal(response.object, "response");
  assert.equal(response.status, "completed");
  assert.equal(response.instructions, "x");
  const message = response.output[0];
  assert.equal(message.type, "message");
  assert.deepEqual(message.type === "message" ? message.content[0] : undefined, {
    type: "output_text",
    text: "Hello tRPC",
    annotations: [],
    logprobs: [],
  });
});

Deno.test("tRPC responses.stream: the event sequence, checked", async () => {
  const client = clientFor(testApp({}));
  const stream = await client.responses.stream.mutate({ model: "mock-echo", input: "a b c" });
  const events = [];
  for await (const event of stream) events.push(event);
  const summary = checkResponsesStream(events);
  assert.equal(summary.text, "a b c");
  assert.equal(summary.terminal, "response.completed");
});

Deno.test("tRPC responses.*: bad input is BAD_REQUEST; previous_response_id is NOT_FOUND", async () => {
  const client = clientFor(testApp({}));
  await assert.rejects(
    client.responses.create.mutate({
      model: "mock-echo",
      input: [{ type: "function_call_output", call_id: "nope", output: "x" }],
    }),
    (error: unknown) => error instanceof TRPCClientError && error.data?.code === "BAD_REQUEST",
  );
  await assert.rejects(
    client.responses.create.mutate({
      model: "mock-echo",
      input: "Hi",
      previous_response_id: "resp_x",
    }),
    (error: unknown) => error instanceof TRPCClientError && error.data?.code === "NOT_FOUND",
  );
});

Deno.test("tRPC responses with a store: create and stream are stored and continue; get, inputItems, delete", async () => {
  const store = await (await sqliteBackend().fresh()).open();
  try {
    const client = clientFor(testApp({}, { store }));
    const first = await client.responses.create.mutate({ model: "mock-echo", input: "first" });
    assert.deepEqual(await client.responses.get.query({ id: first.id }), first);

    const stream = await client.responses.stream.mutate({
      model: "mock-echo",
      input: "second",
      previous_response_id: first.id,
    });
    let completed: Record<string, unknown> | undefined;
    for await (const event of stream) if (event.type === "response.completed") completed = event;
    const streamed = completed?.response as { id: string };
    const stored = await client.responses.get.query({ id: streamed.id });
    assert.deepEqual(stored, streamed);

    const items = await client.responses.inputItems.query({ id: streamed.id, order: "asc" });
    assert.deepEqual(
      items.data.map((item) => (item.content as Array<{ text: string }>)[0].text),
      ["first", "first", "second"],
    );
    assert.deepEqual(await client.responses.delete.mutate({ id: first.id }), {
      id: first.id,
      object: "response",
      deleted: true,
    });
    const gone = await client.responses.get.query({ id: first.id }).catch((e) => e);
    assert.ok(gone instanceof TRPCClientError);
    assert.equal(gone.data?.code, "NOT_FOUND");
  } finally {
    await store.close();
  }
});

Deno.test("tRPC responses.get without a store: NOT_FOUND", async () => {
  const client = clientFor(testApp({}));
  const error = await client.responses.get.query({ id: "resp_x" }).catch((e) => e);
  assert.ok(error instanceof TRPCClientError);
  assert.equal(error.data?.code, "NOT_FOUND");
});

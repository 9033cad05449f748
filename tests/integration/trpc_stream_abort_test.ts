/**
 * A typed client that stops reading `chat.stream` aborts the upstream request: aborting the
 * call's signal before the first chunk or mid-stream, or leaving the `for await` loop early.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import type { ChatCompletionChunk } from "../../core/formats/openai/schema.ts";
import { createGatewayClient } from "../../routers/client.ts";
import { hang, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody, ORIGIN, testApp } from "../helpers/app.ts";
import { chunkText, readStream } from "../helpers/trpc_stream.ts";
import { within } from "../helpers/within.ts";

async function setup() {
  const fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  const client = createGatewayClient({
    url: ORIGIN,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });
  return { fake, gw, client };
}

/** Two chunks (the role, then "first"), then the upstream keeps the stream open, silent. */
const twoThenHang = () =>
  streamReply(textDeltas(["first", " second"]).slice(0, 2), { end: "hang" });

Deno.test("tRPC stream: aborting the signal mid-stream aborts the upstream stream", async () => {
  const { fake, gw, client } = await setup();
  await using _ = fake;
  fake.script(twoThenHang());
  const abort = new AbortController();
  const chunks: ChatCompletionChunk[] = [];
  const reading = (async () => {
    for await (const chunk of await client.chat.stream.mutate(chatBody("gpt-4o-mini"), abort)) {
      chunks.push(chunk as ChatCompletionChunk);
      if (chunkText(chunks) === "first") abort.abort();
    }
  })();
  const error = await within(reading.then(() => undefined, (e) => e));
  assert.equal(chunkText(chunks), "first");
  assert.ok(error instanceof TRPCClientError, `the read ends with the abort: ${error}`);
  assert.equal((error.data as { gateway: { code: string } }).gateway.code, "request_cancelled");
  assert.equal(await within(fake.chatRequests[0].outcome), "aborted");
  while (gw.accessLogs().length === 0) await new Promise((r) => setTimeout(r, 5));
  assert.equal(gw.accessLogs()[0].status, 200, "the stream had started");
});

Deno.test("tRPC stream: leaving the for-await loop early aborts the upstream stream", async () => {
  const { fake, client } = await setup();
  await using _ = fake;
  fake.script(twoThenHang());
  let seen = "";
  for await (const chunk of await client.chat.stream.mutate(chatBody("gpt-4o-mini"))) {
    seen += chunk.choices[0]?.delta.content ?? "";
    if (seen === "first") break;
  }
  assert.equal(seen, "first");
  assert.equal(await within(fake.chatRequests[0].outcome), "aborted");
});

Deno.test("tRPC stream: aborting before the first chunk aborts the upstream request", async () => {
  const { fake, client } = await setup();
  await using _ = fake;
  fake.script(hang());
  const abort = new AbortController();
  const pending = readStream(client, chatBody("gpt-4o-mini"), abort.signal);
  while (fake.chatRequests.length === 0) await new Promise((r) => setTimeout(r, 5));
  abort.abort();
  const { chunks, error } = await within(pending);
  assert.deepEqual(chunks, []);
  assert.ok(error instanceof TRPCClientError, String(error));
  assert.equal(await within(fake.chatRequests[0].outcome), "aborted");
});

/**
 * A client that goes away aborts the upstream request (the request's `AbortSignal` is threaded
 * into the SDK call, and cancelling an SSE body closes the upstream stream).
 */
import assert from "node:assert/strict";
import { hang, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody, testApp } from "../helpers/app.ts";
import { readEvents } from "../helpers/sse.ts";
import { within } from "../helpers/within.ts";

async function setup() {
  const fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  return { fake, gw };
}

Deno.test("client abort while waiting for a JSON answer aborts the upstream request", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(hang());
  const client = new AbortController();
  const pending = gw.post("/v1/chat/completions", chatBody("gpt-4o-mini"), {}, client.signal);
  while (fake.chatRequests.length === 0) await new Promise((r) => setTimeout(r, 5));
  client.abort();
  const res = await within(pending);
  await res.body?.cancel();
  assert.equal(await within(fake.chatRequests[0].outcome), "aborted");
  assert.equal(fake.chatRequests[0].aborted, true);
});

Deno.test("client abort before the first chunk aborts the upstream stream", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(hang());
  const client = new AbortController();
  const pending = gw.post(
    "/v1/chat/completions",
    chatBody("gpt-4o-mini", "x", { stream: true }),
    {},
    client.signal,
  );
  while (fake.chatRequests.length === 0) await new Promise((r) => setTimeout(r, 5));
  client.abort();
  const res = await within(pending);
  await res.body?.cancel();
  assert.equal(await within(fake.chatRequests[0].outcome), "aborted");
});

Deno.test("client abort mid-stream aborts the upstream stream", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  // Two chunks, then the upstream keeps the stream open without sending anything.
  fake.script(streamReply(textDeltas(["first", " second"]).slice(0, 2), { end: "hang" }));
  const client = new AbortController();
  const res = await gw.post(
    "/v1/chat/completions",
    chatBody("gpt-4o-mini", "x", { stream: true }),
    {},
    client.signal,
  );
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const events = await readEvents(reader, 2);
  assert.equal(events.length, 2);
  assert.equal(fake.chatRequests[0].aborted, false, "still streaming");
  client.abort();
  await reader.cancel();
  assert.equal(await within(fake.chatRequests[0].outcome), "aborted");
  // The access log line is still written once the stream is over.
  while (gw.accessLogs().length === 0) await new Promise((r) => setTimeout(r, 5));
  assert.equal(gw.accessLogs().length, 1);
  assert.equal(gw.accessLogs()[0].status, 200);
});

Deno.test("cancelling the response body alone (no signal) also stops the upstream stream", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(streamReply(textDeltas(["a", "b", "c"]), { chunkDelayMs: 10_000 }));
  const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", { stream: true }));
  const reader = res.body!.getReader();
  await readEvents(reader, 1);
  await reader.cancel();
  assert.equal(await within(fake.chatRequests[0].outcome), "aborted");
});

Deno.test("a completed stream is not reported as aborted", async () => {
  const { fake, gw } = await setup();
  await using _ = fake;
  fake.script(streamReply(textDeltas(["done"])));
  const res = await gw.post("/v1/chat/completions", chatBody("gpt-4o-mini", "x", { stream: true }));
  await res.text();
  assert.equal(await within(fake.chatRequests[0].outcome), "completed");
});

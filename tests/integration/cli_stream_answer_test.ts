/**
 * The CLI's `streamAnswer` over the typed client against the in-process gateway: tokens as they
 * arrive, a cancel that returns at once with the answer so far (and shows nothing after it),
 * and errors before or during the stream thrown as `TRPCClientError`s that `explainError` turns
 * into the CLI's sentences.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { explainError } from "../../cli/errors.ts";
import { streamAnswer } from "../../cli/stream_answer.ts";
import { createGatewayClient } from "../../routers/client.ts";
import { errorReply, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody, ORIGIN, type TestApp, testApp } from "../helpers/app.ts";

const clientFor = (gw: TestApp) =>
  createGatewayClient({
    url: ORIGIN,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });

Deno.test("CLI streamAnswer: tokens in order, usage, finish reason", async () => {
  const tokens: string[] = [];
  const answer = await streamAnswer(
    clientFor(testApp()),
    chatBody("mock-echo", "one two three", { stream_options: { include_usage: true } }),
    { onToken: (t) => tokens.push(t) },
  );
  assert.deepEqual(tokens, ["one ", "two ", "three"]);
  assert.equal(answer.content, "one two three");
  assert.equal(answer.finishReason, "stop");
  assert.equal(answer.cancelled, false);
  assert.deepEqual(answer.usage, { prompt_tokens: 3, completion_tokens: 3 });
});

Deno.test("CLI streamAnswer: a cancel returns at once with the answer so far, nothing after", async () => {
  const abort = new AbortController();
  const tokens: string[] = [];
  let afterCancel = 0;
  const started = performance.now();
  const answer = await streamAnswer(
    clientFor(testApp()),
    chatBody("mock-slow", Array.from({ length: 20 }, (_, i) => `w${i + 1}`).join(" ")),
    {
      signal: abort.signal,
      onToken: (t) => {
        if (abort.signal.aborted) afterCancel++;
        tokens.push(t);
        if (tokens.length === 2) abort.abort();
      },
    },
  );
  const took = performance.now() - started;
  assert.equal(answer.cancelled, true);
  assert.equal(answer.content, "w1 w2 ");
  await new Promise((resolve) => setTimeout(resolve, 500)); // the words that would come next
  assert.equal(afterCancel, 0);
  assert.deepEqual(tokens, ["w1 ", "w2 "]);
  assert.ok(took < 2_500, `returned after ${took.toFixed(0)} ms (20 words take 4 s)`);
});

Deno.test("CLI streamAnswer: errors before and during the stream become the CLI's sentences", async () => {
  await using fake = await startFakeOpenAI();
  const client = clientFor(testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url }));
  const ctx = { url: ORIGIN, model: "gpt-4o-mini" };
  fake.script(errorReply(429));
  const before = await streamAnswer(client, chatBody("gpt-4o-mini")).then(
    () => assert.fail("expected an error"),
    (e) => e,
  );
  assert.ok(before instanceof TRPCClientError, String(before));
  assert.match(
    explainError(before, ctx).message,
    /rate limiting requests for 'gpt-4o-mini' \(429\)/,
  );
  fake.script(streamReply(textDeltas(["par", "tial"]), { end: "error" }));
  const tokens: string[] = [];
  const during = await streamAnswer(client, chatBody("gpt-4o-mini"), {
    onToken: (t) => tokens.push(t),
  }).then(() => assert.fail("expected an error"), (e) => e);
  assert.deepEqual(tokens, ["par", "tial"]);
  assert.match(
    explainError(during, ctx).message,
    /The provider serving 'gpt-4o-mini' failed \(502/,
  );
});

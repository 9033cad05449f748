/**
 * Run with `--v8-flags=--expose-gc` by `tests/integration/abort_after_gc_test.ts`: starts an
 * OpenAI stream through the gateway (the chat completions byte relay, and the provider's chunk
 * stream under `/v1/messages`), collects garbage mid-stream, aborts the client and prints
 * whether each upstream request was aborted (`aborted`) or left open (`open`).
 */
import { startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody, testApp } from "./app.ts";

const gc = (globalThis as unknown as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");

async function probe(stream: "relay" | "objects"): Promise<string> {
  await using fake = await startFakeOpenAI();
  const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  fake.script(streamReply(textDeltas(["first", " second"]).slice(0, 2), { end: "hang" }));
  const abort = new AbortController();
  // OpenAI in and out relays the upstream's bytes; an Anthropic client takes the object path
  // (the provider's chunk stream, encoded as Anthropic events).
  const res = stream === "relay"
    ? await gw.post(
      "/v1/chat/completions",
      chatBody("gpt-4o-mini", "Hi", { stream: true }),
      undefined,
      abort.signal,
    )
    : await gw.post(
      "/v1/messages",
      {
        model: "gpt-4o-mini",
        max_tokens: 50,
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
      },
      undefined,
      abort.signal,
    );
  const reader = res.body!.getReader();
  await reader.read();
  // Ask for the next event: the gateway now waits on the silent upstream, so only the abort
  // signal (not closing the stream) can end the upstream request.
  const pending = reader.read().catch(() => undefined);
  gc!();
  await new Promise((resolve) => setTimeout(resolve, 20));
  gc!();
  abort.abort();
  void pending;
  return await Promise.race([
    fake.chatRequests[0].outcome.then((outcome) => outcome === "aborted" ? "aborted" : outcome),
    new Promise<string>((resolve) => setTimeout(() => resolve("open"), 3000)),
  ]);
}

console.log(JSON.stringify({ relay: await probe("relay"), objects: await probe("objects") }));
Deno.exit(0);

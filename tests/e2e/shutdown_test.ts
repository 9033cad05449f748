/**
 * SIGTERM with streams that outlast SHUTDOWN_GRACE_MS: each open stream keeps going for the
 * grace period, then ends with its format's error event (`server_shutting_down`) — OpenAI's
 * `data: {"error":…}`, Anthropic's `event: error`, a typed error ending a tRPC stream — so a client can
 * tell a cut stream from a finished one; the process exits within the grace period plus a margin.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { createGatewayClient } from "../../routers/client.ts";
import { chatBody } from "../helpers/app.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";
import { parseSse, type SseEvent } from "../helpers/sse.ts";

const GRACE_MS = 1_000;
/** Exit within the grace period plus this (flush, worker stop, a loaded machine). */
const EXIT_MARGIN_MS = 4_000;
/** 100 words of `mock-slow`: a 20 s stream. */
const WORDS = Array.from({ length: 100 }, (_, i) => `w${i}`).join(" ");

/** An open stream: reads until the end in the background; `started` once `first` events came. */
function openStream(response: Response, first = 2) {
  assert.equal(response.status, 200);
  const decoder = new TextDecoder();
  let text = "";
  let startedResolve!: () => void;
  const started = new Promise<void>((resolve) => (startedResolve = resolve));
  const ended = (async () => {
    try {
      for await (const bytes of response.body!) {
        text += decoder.decode(bytes, { stream: true });
        if ((text.match(/\n\n/g) ?? []).length >= first) startedResolve();
      }
    } catch {
      // Cut without a proper end: the events so far tell.
    }
    return { events: parseSse(text), at: performance.now() };
  })();
  return { started, ended };
}

async function postStream(gw: SpawnedGateway, path: string, body: unknown, first = 2) {
  return openStream(
    await fetch(`${gw.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    first,
  );
}

/** A tRPC `chat.stream` read through the typed client; resolves with its end (the error it ended
 * with, if any). */
function streamTrpc(gw: SpawnedGateway) {
  const client = createGatewayClient({ url: gw.url });
  let startedResolve!: () => void;
  const started = new Promise<void>((resolve) => (startedResolve = resolve));
  const ended = (async () => {
    let chunks = 0;
    let error: unknown;
    try {
      for await (const _ of await client.chat.stream.mutate(chatBody("mock-slow", WORDS))) {
        if (++chunks === 2) startedResolve();
      }
    } catch (e) {
      error = e;
    }
    return { error, chunks, at: performance.now() };
  })();
  return { started, ended };
}

function assertCutInTime(at: number, sigterm: number, what: string) {
  const after = at - sigterm;
  assert.ok(after >= GRACE_MS - 100, `${what} ended ${after.toFixed(0)} ms after SIGTERM`);
  assert.ok(
    after < GRACE_MS + EXIT_MARGIN_MS,
    `${what} ended ${after.toFixed(0)} ms after SIGTERM`,
  );
}

function lastOpenAIError(events: SseEvent[]) {
  assert.ok(events.length > 2, `events: ${JSON.stringify(events)}`);
  assert.ok(!events.some((e) => e.data === "[DONE]"), "no [DONE] on a cut stream");
  const last = events.at(-1)!;
  assert.equal(last.event, undefined);
  return JSON.parse(last.data);
}

for (const workers of ["1", "2"]) {
  Deno.test(`shutdown: WORKERS=${workers}: streams outlasting SHUTDOWN_GRACE_MS end with server_shutting_down`, async () => {
    const gw = await spawnGateway({ WORKERS: workers, SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    let exited = false;
    try {
      const openai = await postStream(
        gw,
        "/v1/chat/completions",
        chatBody("mock-slow", WORDS, { stream: true }),
      );
      const titan = await postStream(gw, "/v1/chat/completions?target_format=bedrock_titan", {
        ...chatBody("mock-slow", WORDS, { stream: true }),
      });
      const claude = await postStream(gw, "/v1/messages", {
        model: "mock-slow",
        max_tokens: 500,
        messages: [{ role: "user", content: WORDS }],
        stream: true,
      }, 3);
      const trpc = streamTrpc(gw);
      await Promise.all([openai.started, titan.started, claude.started, trpc.started]);

      const sigterm = performance.now();
      const stopping = gw.stop("SIGTERM");

      const o = await openai.ended;
      assertCutInTime(o.at, sigterm, "the openai stream");
      const error = lastOpenAIError(o.events);
      assert.deepEqual(error, {
        error: {
          message: "server shutting down; retry the request",
          type: "api_error",
          param: null,
          code: "server_shutting_down",
        },
      });

      const t = await titan.ended;
      assertCutInTime(t.at, sigterm, "the titan stream");
      assert.equal(lastOpenAIError(t.events).error.code, "server_shutting_down");

      const c = await claude.ended;
      assertCutInTime(c.at, sigterm, "the claude stream");
      assert.ok(!c.events.some((e) => e.event === "message_stop"), "no message_stop");
      const last = c.events.at(-1)!;
      assert.equal(last.event, "error");
      assert.deepEqual(JSON.parse(last.data), {
        type: "error",
        error: { type: "overloaded_error", message: "server shutting down; retry the request" },
      });

      const s = await trpc.ended;
      assertCutInTime(s.at, sigterm, "the tRPC stream");
      assert.ok(
        s.error instanceof TRPCClientError,
        `the tRPC stream ended with ${String(s.error)}`,
      );
      const data = s.error.data as { code: string; gateway: { code: string; type: string } };
      assert.equal(data.code, "SERVICE_UNAVAILABLE");
      assert.deepEqual(data.gateway, {
        type: "api_error",
        code: "server_shutting_down",
        param: null,
      });

      const status = await stopping;
      exited = true;
      const exitAfter = performance.now() - sigterm;
      assert.equal(status.code, 0, gw.stderr());
      assert.ok(exitAfter < GRACE_MS + EXIT_MARGIN_MS, `exited ${exitAfter.toFixed(0)} ms after`);
      console.log(
        `workers=${workers}: streams cut ${(o.at - sigterm).toFixed(0)} ms, exit ${
          exitAfter.toFixed(0)
        } ms after SIGTERM (grace ${GRACE_MS} ms)`,
      );
    } finally {
      if (!exited) await gw.stop("SIGKILL");
    }
  });
}

Deno.test("shutdown: a stream that finishes within the grace period ends normally", async () => {
  const gw = await spawnGateway({ SHUTDOWN_GRACE_MS: "5000" });
  // 8 words: 1.6 s, within the 5 s grace.
  const short = await postStream(
    gw,
    "/v1/chat/completions",
    chatBody("mock-slow", "one two three four five six seven eight", { stream: true }),
  );
  await short.started;
  const stopping = gw.stop("SIGTERM");
  const { events } = await short.ended;
  assert.equal(events.at(-1)?.data, "[DONE]");
  assert.equal((await stopping).code, 0);
});

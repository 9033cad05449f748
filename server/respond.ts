/**
 * Shared by the chat routes: call the chat service for a validated request of any format and
 * write its outcome as JSON or as the target format's SSE stream.
 */
import type { Context } from "hono";
import type { ChatService } from "../core/chat/service.ts";
import type { GatewayError } from "../core/errors.ts";
import type { AnyRequest, FormatName } from "../core/formats/registry.ts";
import { clientSignal } from "./client_signal.ts";
import { SSE_HEADERS, sseFormatFor, toSseStream } from "./sse.ts";
import type { AppEnv } from "./types.ts";

/**
 * Answers `input` in `target` format. Errors use the target's envelope, as the answer would
 * have: a client reads one shape whether the call succeeds or not. A stream still open when
 * `stop` aborts ends with the `server_shutting_down` error event. `seen` is shown the JSON answer,
 * or each event of a streamed one, before it goes out; a promise it returns is awaited first.
 */
export async function respond(
  c: Context<AppEnv>,
  chat: ChatService,
  input: AnyRequest,
  target: FormatName,
  stop?: AbortSignal,
  seen?: Seen,
): Promise<Response> {
  c.set("errorFormat", target);
  const { signal, leave } = clientSignal(c.req.raw);
  const outcome = await chat.respond(input, target, { signal, meta: c.var.meta });
  if (!outcome.stream) {
    await seen?.(outcome.body);
    return c.json(outcome.body);
  }

  let ended!: (error: GatewayError | undefined) => void;
  c.set("streamEnded", new Promise((resolve) => (ended = resolve)));
  const body = "relay" in outcome // same-format bytes (OpenAI → OpenAI)
    ? outcome.relay.open({ onEnd: ended, stop })
    : toSseStream(
      seen === undefined ? outcome.events : watched(outcome.events, seen),
      sseFormatFor(target),
      ended,
      stop,
      leave,
    );
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}

/** Watches an answer on its way out; returns a promise only when the answer must wait for it. */
export type Seen = (answer: unknown) => Promise<void> | undefined;

/** The events of a stream, each shown to `seen` before it goes out. */
async function* watched(events: AsyncIterable<unknown>, seen: Seen): AsyncGenerator<unknown> {
  for await (const event of events) {
    const waiting = seen(event);
    if (waiting !== undefined) await waiting;
    yield event;
  }
}

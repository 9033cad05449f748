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
 * or each event of a streamed one, as it goes out.
 */
export async function respond(
  c: Context<AppEnv>,
  chat: ChatService,
  input: AnyRequest,
  target: FormatName,
  stop?: AbortSignal,
  seen?: (answer: unknown) => void,
): Promise<Response> {
  c.set("errorFormat", target);
  const { signal, leave } = clientSignal(c.req.raw);
  const outcome = await chat.respond(input, target, { signal, meta: c.var.meta });
  if (!outcome.stream) {
    seen?.(outcome.body);
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

/** The events of a stream, each shown to `seen` on its way out. */
async function* watched(
  events: AsyncIterable<unknown>,
  seen: (event: unknown) => void,
): AsyncGenerator<unknown> {
  for await (const event of events) {
    seen(event);
    yield event;
  }
}

/**
 * Server-sent events framing: the only place chunk objects become bytes. Pull-based, so a slow
 * client applies backpressure to the upstream; cancelling the response closes the iterator
 * (and so aborts the upstream call).
 */
import {
  clientClosedError,
  type GatewayError,
  shuttingDownError,
  toGatewayError,
} from "../core/errors.ts";
import { codecOf, type FormatName } from "../core/formats/registry.ts";
import { ReportedStreamError } from "../core/chat/stream.ts";

const encoder = new TextEncoder();

/** One SSE event: optional `event:` name and a JSON (or literal) `data:` payload. */
export interface SseEvent {
  event?: string;
  data: unknown;
}

/** Encodes one event; string data is written as is (e.g. `[DONE]`). */
export function frame(event: SseEvent): Uint8Array {
  const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data);
  return encoder.encode(
    event.event === undefined ? `data: ${data}\n\n` : `event: ${event.event}\ndata: ${data}\n\n`,
  );
}

/** How a stream ends: a trailer on success, an error event on failure. */
export interface SseFormat<T> {
  toEvent(item: T): SseEvent;
  /** Events written after the last item (e.g. `data: [DONE]`). */
  done: SseEvent[];
  /** The event sent when the stream fails after it started. */
  error(error: GatewayError): SseEvent;
}

const framings = new Map<FormatName, SseFormat<unknown>>();

/**
 * The SSE framing of a target format, from its codec: event names, trailer (OpenAI's
 * `data: [DONE]`) and error event (Anthropic's `event: error`).
 */
export function sseFormatFor(format: FormatName): SseFormat<unknown> {
  let framing = framings.get(format);
  if (framing === undefined) {
    const codec = codecOf(format);
    const { eventName, trailer, errorEvent } = codec.sse;
    framing = {
      toEvent: (data) => ({ event: eventName(data), data }),
      done: trailer.map((data) => ({ data })),
      error: (error) => ({ event: errorEvent, data: codec.errorBody(error) }),
    };
    framings.set(format, framing);
  }
  return framing;
}

/** Standard SSE response headers. */
export const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "connection": "keep-alive",
  "x-accel-buffering": "no",
};

/**
 * Turns an async iterable into an SSE byte stream.
 *
 * @param onEnd called once with the error (if any) when the stream finishes, or with
 *   {@link clientClosedError} when it is cancelled (the client left).
 * @param stop when it aborts (the shutdown grace period is over), a stream still open ends at
 *   once with the format's error event for {@link shuttingDownError}.
 * @param onCancel called when the reader cancels (the client left), before the iterator is
 *   closed: an iterator waiting for its next item closes only once that item arrives.
 */
export function toSseStream<T>(
  items: AsyncIterable<T>,
  format: SseFormat<T>,
  onEnd: (error?: GatewayError) => void = () => {},
  stop?: AbortSignal,
  onCancel?: () => void,
): ReadableStream<Uint8Array> {
  const iterator = items[Symbol.asyncIterator]();
  let finished = false;
  let stopNow: (() => void) | undefined;
  const finish = (error?: GatewayError) => {
    if (finished) return;
    finished = true;
    if (stopNow !== undefined) stop?.removeEventListener("abort", stopNow);
    onEnd(error);
  };
  const close = async () => {
    try {
      await iterator.return?.();
    } catch {
      // Closing an aborted upstream may throw; the client is gone, so there is no one to tell.
    }
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (stop === undefined) return;
      stopNow = () => {
        if (finished) return;
        const error = shuttingDownError();
        controller.enqueue(frame(format.error(error)));
        controller.close();
        finish(error);
        void close();
      };
      if (stop.aborted) stopNow();
      else stop.addEventListener("abort", stopNow, { once: true });
    },
    async pull(controller) {
      try {
        const step = await iterator.next();
        if (finished) return;
        if (step.done) {
          for (const event of format.done) controller.enqueue(frame(event));
          controller.close();
          finish();
        } else {
          controller.enqueue(frame(format.toEvent(step.value)));
        }
      } catch (error) {
        if (finished) return;
        const gatewayError = toGatewayError(error);
        // A failure the format's encoder already wrote (Responses' response.failed) ends here.
        if (!(gatewayError instanceof ReportedStreamError)) {
          controller.enqueue(frame(format.error(gatewayError)));
        }
        controller.close();
        finish(gatewayError);
      }
    },
    async cancel() {
      finish(clientClosedError());
      onCancel?.();
      await close();
    },
  }, { highWaterMark: 0 });
}

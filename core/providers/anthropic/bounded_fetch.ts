/**
 * `MAX_RESPONSE_BYTES` for the Anthropic API's JSON answers: the SDK reads those bodies itself,
 * so the bound sits in the `fetch` it is given. A declared `content-length` over the bound is
 * refused before reading; a body that grows past it fails at the chunk that crosses it (a 502,
 * not retried). Event streams are not bounded here: they are forwarded event by event.
 */
import { tooLargeError } from "../bounded_body.ts";

const LABEL = "The Anthropic API";

/**
 * Wraps `inner` so non-stream response bodies are bounded by `maxBytes`.
 *
 * @example
 * new Anthropic({ fetch: boundedFetch(fetch, 64 * 1024 * 1024), apiKey });
 */
export function boundedFetch(inner: typeof fetch, maxBytes: number): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.body === null) return response;
    if ((response.headers.get("content-type") ?? "").includes("text/event-stream")) {
      return response;
    }
    if (Number(response.headers.get("content-length") ?? NaN) > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw tooLargeError(LABEL, maxBytes);
    }
    let total = 0;
    const limited = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          total += chunk.length;
          if (total > maxBytes) controller.error(tooLargeError(LABEL, maxBytes));
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(limited, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

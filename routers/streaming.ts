/**
 * The procedures that answer with a stream: mutations returning an async iterable, sent by the
 * client over tRPC's `httpBatchStreamLink` (a POST with the input in its body, JSON lines back).
 * Client and server both read this list; it has no server imports, so a browser bundle can too.
 */

/** Paths of the streaming procedures. */
export const STREAMING_PROCEDURES: ReadonlySet<string> = new Set([
  "chat.stream",
  "responses.stream",
]);

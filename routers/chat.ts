/**
 * tRPC `chat.complete` (mutation, one answer) and `chat.stream` (mutation answering an async
 * iterable of chunks, streamed as JSON lines over POST), on the same zod schema and chat service
 * as the HTTP route.
 */
import { shuttingDownError } from "../core/errors.ts";
import type { ChatCompletionChunk } from "../core/formats/openai/schema.ts";
import { chatRequestSchema } from "../core/formats/openai/schema.ts";
import { findNonJsonValue } from "./json_values.ts";
import { authedProcedure, router } from "./trpc.ts";

/**
 * The chat request schema, plus: JSON data only. superjson can revive a BigInt, Date, Map… in
 * an unknown field, which the upstream's JSON serialiser would then fail on (an upstream 5xx).
 */
const chatInput = chatRequestSchema.superRefine((request, ctx) => {
  const found = findNonJsonValue(request);
  if (found !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: found.path,
      message: `must be JSON data, not ${found.kind}`,
    });
  }
});

/** The chunks of a started stream; when the shutdown grace period cuts it, it ends with a
 * `server_shutting_down` error instead of looking finished. */
async function* untilShutdown(
  chunks: AsyncIterable<ChatCompletionChunk>,
  cut: () => boolean,
): AsyncGenerator<ChatCompletionChunk, void, undefined> {
  try {
    yield* chunks;
  } catch (error) {
    throw cut() ? shuttingDownError() : error;
  }
  if (cut()) throw shuttingDownError();
}

/** The chat router. */
export const chatRouter = router({
  complete: authedProcedure.input(chatInput).mutation(({ ctx, input, signal }) =>
    ctx.chat.complete({ ...input, stream: false }, { signal: signal ?? ctx.signal, meta: ctx.meta })
  ),
  // Resolves once the upstream has produced its first chunk, so an error before that (unknown
  // model, upstream 4xx/5xx) is the call's error — answered by the /trpc route with its own
  // HTTP status — and only later ones arrive inside the stream.
  stream: authedProcedure.input(chatInput).mutation(async ({ ctx, input, signal }) => {
    const client = signal ?? ctx.signal;
    const { shutdown } = ctx;
    const cut = () => shutdown.aborted && !client.aborted;
    try {
      const chunks = await ctx.chat.stream(
        { ...input, stream: true },
        { signal: AbortSignal.any([client, shutdown]), meta: ctx.meta },
      );
      return untilShutdown(chunks, cut);
    } catch (error) {
      throw cut() ? shuttingDownError() : error;
    }
  }),
});

/**
 * tRPC `chat.complete` (mutation) and `chat.stream` (SSE subscription), on the same zod schema
 * and chat service as the HTTP route.
 */
import { shuttingDownError } from "../core/errors.ts";
import { chatRequestSchema } from "../core/formats/openai.ts";
import { authedProcedure, router } from "./trpc.ts";

/** The chat router. */
export const chatRouter = router({
  complete: authedProcedure.input(chatRequestSchema).mutation(({ ctx, input, signal }) =>
    ctx.chat.complete({ ...input, stream: false }, { signal: signal ?? ctx.signal, meta: ctx.meta })
  ),
  // When the shutdown grace period is over the upstream call is aborted and the subscription
  // ends with a `server_shutting_down` error instead of looking finished.
  stream: authedProcedure.input(chatRequestSchema).subscription(
    async function* ({ ctx, input, signal }) {
      const client = signal ?? ctx.signal;
      const { shutdown } = ctx;
      const cut = () => shutdown.aborted && !client.aborted;
      try {
        const chunks = await ctx.chat.stream(
          { ...input, stream: true },
          { signal: AbortSignal.any([client, shutdown]), meta: ctx.meta },
        );
        yield* chunks;
      } catch (error) {
        throw cut() ? shuttingDownError() : error;
      }
      if (cut()) throw shuttingDownError();
    },
  ),
});

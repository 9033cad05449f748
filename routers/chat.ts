/**
 * tRPC `chat.complete` (mutation) and `chat.stream` (SSE subscription), on the same zod schema
 * and chat service as the HTTP route.
 */
import { chatRequestSchema } from "../core/formats/openai.ts";
import { authedProcedure, router } from "./trpc.ts";

/** The chat router. */
export const chatRouter = router({
  complete: authedProcedure.input(chatRequestSchema).mutation(({ ctx, input, signal }) =>
    ctx.chat.complete({ ...input, stream: false }, { signal: signal ?? ctx.signal, meta: ctx.meta })
  ),
  stream: authedProcedure.input(chatRequestSchema).subscription(
    async function* ({ ctx, input, signal }) {
      const chunks = await ctx.chat.stream(
        { ...input, stream: true },
        { signal: signal ?? ctx.signal, meta: ctx.meta },
      );
      yield* chunks;
    },
  ),
});

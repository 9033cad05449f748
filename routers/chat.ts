/**
 * tRPC `chat.complete` (mutation) and `chat.stream` (SSE subscription), on the same zod schema
 * and chat service as the HTTP route.
 */
import { shuttingDownError } from "../core/errors.ts";
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

/** The chat router. */
export const chatRouter = router({
  complete: authedProcedure.input(chatInput).mutation(({ ctx, input, signal }) =>
    ctx.chat.complete({ ...input, stream: false }, { signal: signal ?? ctx.signal, meta: ctx.meta })
  ),
  // When the shutdown grace period is over the upstream call is aborted and the subscription
  // ends with a `server_shutting_down` error instead of looking finished.
  stream: authedProcedure.input(chatInput).subscription(
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

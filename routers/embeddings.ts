/**
 * tRPC `embeddings.create` (mutation): the `/v1/embeddings` request and answer, on the same zod
 * schema and embeddings service as the HTTP route.
 */
import { GatewayError } from "../core/errors.ts";
import { embeddingRequestSchema } from "../core/embeddings/schema.ts";
import { findNonJsonValue } from "./json_values.ts";
import { authedProcedure, router } from "./trpc.ts";

/** The embeddings schema, plus: JSON data only (unknown fields are forwarded upstream). */
const embeddingsInput = embeddingRequestSchema.superRefine((request, ctx) => {
  const found = findNonJsonValue(request);
  if (found !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: found.path,
      message: `must be JSON data, not ${found.kind}`,
    });
  }
});

/** The embeddings router. */
export const embeddingsRouter = router({
  create: authedProcedure.input(embeddingsInput).mutation(({ ctx, input, signal }) => {
    if (ctx.embeddings === undefined) {
      throw new GatewayError("not_found", "Embeddings are not served by this gateway.");
    }
    return ctx.embeddings.create(input, { signal: signal ?? ctx.signal, meta: ctx.meta });
  }),
});

/**
 * tRPC `models.*`.
 */
import { authedProcedure, router } from "./trpc.ts";

/** `models.list` → the `/v1/models` list. */
export const modelsRouter = router({
  list: authedProcedure.query(({ ctx, signal }) => ctx.chat.listModels(signal ?? ctx.signal)),
});

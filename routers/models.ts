/**
 * tRPC `models.*`.
 */
import { authedProcedure, router } from "./trpc.ts";

/** `models.list` → the `/v1/models` list, and the aliases with their deployments. */
export const modelsRouter = router({
  list: authedProcedure.query(async ({ ctx, signal }) => ({
    ...(await ctx.chat.listModels(signal ?? ctx.signal)),
    aliases: ctx.chat.aliases(),
  })),
});

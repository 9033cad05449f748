/**
 * tRPC `me`: the caller's own key — allowlist, limits, budget and spend (`GET /v1/me`).
 */
import { describeCaller } from "../core/usage/me.ts";
import { authedProcedure } from "./trpc.ts";

/** `me` query → the caller's key, limits and spend. */
export const meProcedure = authedProcedure.query(({ ctx }) =>
  describeCaller(ctx.caller, ctx.spend, Date.now())
);

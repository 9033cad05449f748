/**
 * tRPC `health`.
 */
import { authedProcedure } from "./trpc.ts";

/** `health` query → `{status, version, providers}`. */
export const healthProcedure = authedProcedure.query(({ ctx }) => ctx.health());

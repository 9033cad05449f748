/**
 * tRPC `admin.keys.*`: the virtual keys admin API (as `POST/GET/PATCH/DELETE /admin/keys…`),
 * and `admin.usage` (as `GET /admin/usage`), for the admin key only. Bodies are validated by the same code as HTTP's, so errors name the
 * field the same way.
 */
import { z } from "zod";
import { GatewayError } from "../core/errors.ts";
import type { KeyAdmin } from "../core/keys/admin.ts";
import { createKeySchema, updateKeySchema } from "../core/keys/schema.ts";
import type { UsageRepository } from "../core/store/store.ts";
import { usageReport } from "../core/usage/report.ts";
import type { Context } from "./context.ts";
import { adminProcedure, router } from "./trpc.ts";

/** A create body as a client writes it. */
export type CreateKeyInput = z.input<typeof createKeySchema>;
/** An update as a client writes it: the key's id and the fields to change. */
export type UpdateKeyInput = z.input<typeof updateKeySchema> & { id: string };

const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
const createInput = z.custom<CreateKeyInput>(isObject, { error: "expected a key object" });
const updateInput = z.custom<UpdateKeyInput>(
  (v) => isObject(v) && typeof (v as { id?: unknown }).id === "string",
  { error: "expected {id, …fields to change}" },
);
const listInput = z.object({
  limit: z.int().optional(),
  after: z.string().optional(),
  order: z.enum(["asc", "desc"]).optional(),
}).optional();
const idInput = z.object({ id: z.string().min(1) });
/** `admin.usage`'s input: `GET /admin/usage`'s query (times also as unix seconds numbers). */
const usageInput = z.object({
  from: z.union([z.string(), z.number()]).optional(),
  to: z.union([z.string(), z.number()]).optional(),
  key: z.string().optional(),
  team: z.string().optional(),
  model: z.string().optional(),
  group_by: z.enum(["key", "team", "model", "provider", "day"]).optional(),
}).strict().optional();

/** `admin.usage`'s input as a client writes it. */
export type UsageInput = z.input<typeof usageInput>;

function usageOf(ctx: Context): UsageRepository {
  if (ctx.usage === undefined) {
    throw new GatewayError("not_found", "Usage records need the state store.", {
      code: "not_found",
    });
  }
  return ctx.usage;
}

function keysOf(ctx: Context): KeyAdmin {
  if (ctx.keyAdmin === undefined) {
    throw new GatewayError("not_found", "Virtual keys need the state store.", {
      code: "not_found",
    });
  }
  return ctx.keyAdmin;
}

/** `admin.keys.create|list|get|update|revoke` and `admin.usage`. */
export const adminRouter = router({
  keys: router({
    create: adminProcedure.input(createInput).mutation(({ ctx, input }) =>
      keysOf(ctx).create(input)
    ),
    list: adminProcedure.input(listInput).query(({ ctx, input }) => keysOf(ctx).list(input ?? {})),
    get: adminProcedure.input(idInput).query(({ ctx, input }) => keysOf(ctx).get(input.id)),
    update: adminProcedure.input(updateInput).mutation(({ ctx, input }) => {
      const { id, ...changes } = input;
      return keysOf(ctx).update(id, changes);
    }),
    revoke: adminProcedure.input(idInput).mutation(({ ctx, input }) =>
      keysOf(ctx).revoke(input.id)
    ),
  }),
  usage: adminProcedure.input(usageInput).query(({ ctx, input }) =>
    usageReport(usageOf(ctx), input ?? {})
  ),
});

/**
 * tRPC `files.*`: the Files API's list, get and delete (uploads go through `POST /v1/files`).
 */
import { z } from "zod";
import { deleteFile, getFile, listFiles, MAX_LIST_LIMIT } from "../core/files/api.ts";
import { authedProcedure, router } from "./trpc.ts";

const listInput = z.object({
  purpose: z.string().optional(),
  limit: z.int().min(1).max(MAX_LIST_LIMIT).optional(),
  after: z.string().optional(),
  order: z.enum(["asc", "desc"]).optional(),
}).optional();

const idInput = z.object({ id: z.string().min(1) });

/** `files.list` (query), `files.get` (query), `files.delete` (mutation) — as the HTTP routes. */
export const filesRouter = router({
  list: authedProcedure.input(listInput).query(({ ctx, input }) =>
    listFiles(ctx.files, input ?? {})
  ),
  get: authedProcedure.input(idInput).query(({ ctx, input }) => getFile(ctx.files, input.id)),
  delete: authedProcedure.input(idInput).mutation(({ ctx, input }) =>
    deleteFile(ctx.files, input.id)
  ),
});

/**
 * The root tRPC router. Clients import only its type.
 */
import { adminRouter } from "./admin.ts";
import { chatRouter } from "./chat.ts";
import { configRouter } from "./config.ts";
import { embeddingsRouter } from "./embeddings.ts";
import { filesRouter } from "./files.ts";
import { formatsRouter } from "./formats.ts";
import { healthProcedure } from "./health.ts";
import { meProcedure } from "./me.ts";
import { modelsRouter } from "./models.ts";
import { responsesRouter } from "./responses.ts";
import { router } from "./trpc.ts";

/** The gateway's tRPC API (SPEC §6). */
export const appRouter = router({
  health: healthProcedure,
  models: modelsRouter,
  chat: chatRouter,
  formats: formatsRouter,
  files: filesRouter,
  embeddings: embeddingsRouter,
  responses: responsesRouter,
  config: configRouter,
  admin: adminRouter,
  me: meProcedure,
});

/** The router's type, for typed clients. */
export type AppRouter = typeof appRouter;

/**
 * `GET /v1/models` and `GET /v1/models/{id}` (ids may contain `/` and `:`).
 */
import { Hono } from "hono";
import type { ChatService } from "../../core/chat/service.ts";
import type { AppEnv } from "../types.ts";

/** The models routes, mounted at `/v1/models`. */
export function modelsRoute(chat: ChatService): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get("/", async (c) => c.json(await chat.listModels(c.req.raw.signal)))
    .get("/:id{.+}", async (c) => c.json(await chat.getModel(c.req.param("id"), c.req.raw.signal)));
}

/**
 * `GET /v1/models` and `GET /v1/models/{id}` (ids may contain `/` and `:`): OpenAI's shape, or
 * Anthropic's (and its error envelope) for a client that sends `anthropic-version`. A virtual
 * key with a model allowlist is listed only the models (and aliases) it may use.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { ChatService } from "../../core/chat/service.ts";
import {
  toAnthropicModel,
  toAnthropicModelPage,
} from "../../core/formats/bedrock_claude/models.ts";
import type { AppEnv } from "../types.ts";

function isAnthropicClient(c: Context<AppEnv>): boolean {
  if (c.req.header("anthropic-version") === undefined) return false;
  c.set("errorFormat", "bedrock_claude");
  return true;
}

/** The models routes, mounted at `/v1/models`. */
export function modelsRoute(chat: ChatService): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get("/", async (c) => {
      const anthropic = isAnthropicClient(c);
      const all = await chat.listModels(c.req.raw.signal);
      // A virtual key with a model allowlist sees the models (aliases too) it may use.
      const allows = c.var.caller?.allowsModel;
      const list = allows === undefined
        ? all
        : { ...all, data: all.data.filter((m) => allows(m.id)) };
      return c.json(anthropic ? toAnthropicModelPage(list.data, c.req.query()) : list);
    })
    .get("/:id{.+}", async (c) => {
      const anthropic = isAnthropicClient(c);
      const model = await chat.getModel(c.req.param("id"), c.req.raw.signal);
      return c.json(anthropic ? toAnthropicModel(model) : model);
    });
}

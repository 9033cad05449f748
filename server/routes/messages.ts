/**
 * `POST /v1/messages`: an Anthropic Messages API compatible endpoint (bedrock_claude in and out,
 * `anthropic_version` optional, `anthropic-version` header accepted) for any routable model, so
 * Anthropic SDKs and tools can use the gateway through a base URL.
 */
import { Hono } from "hono";
import type { ChatService } from "../../core/chat/service.ts";
import { messagesApiRequestSchema } from "../../core/formats/bedrock_claude.ts";
import { parseWith } from "../../core/formats/validate.ts";
import { readJson } from "../body.ts";
import { respond } from "../respond.ts";
import type { AppEnv } from "../types.ts";

/** The messages route, mounted at `/v1/messages`; streams still open when `stop` aborts end with
 * the `server_shutting_down` error event. */
export function messagesRoute(chat: ChatService, stop?: AbortSignal): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/", async (c) => {
    c.set("errorFormat", "bedrock_claude");
    const request = parseWith(messagesApiRequestSchema, await readJson(c.req.raw));
    return respond(c, chat, { format: "bedrock_claude", request }, "bedrock_claude", stop);
  });
}

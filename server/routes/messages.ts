/**
 * `POST /v1/messages`: an Anthropic Messages API compatible endpoint (bedrock_claude in and out,
 * `anthropic_version` optional, `anthropic-version` header accepted) for any routable model, so
 * Anthropic SDKs and tools can use the gateway through a base URL.
 */
import { Hono } from "hono";
import type { ChatService } from "../../core/chat/service.ts";
import { messagesApiRequestSchema } from "../../core/formats/bedrock_claude/schema.ts";
import { parseWith } from "../../core/formats/validate.ts";
import { type BodyLimits, readJson } from "../body.ts";
import { respond } from "../respond.ts";
import type { AppEnv } from "../types.ts";

/**
 * The body's `anthropic_beta` with the comma-separated `anthropic-beta` header merged in (Bedrock
 * takes betas in the body; Anthropic clients send the header), without duplicates; undefined
 * when neither is given.
 *
 * @example
 * withHeaderBetas(["a"], "b, a"); // ["a", "b"]
 */
export function withHeaderBetas(
  body: string[] | undefined,
  header: string | undefined,
): string[] | undefined {
  const fromHeader = header?.split(",").map((b) => b.trim()).filter((b) => b !== "") ?? [];
  if (fromHeader.length === 0) return body;
  return [...new Set([...(body ?? []), ...fromHeader])];
}

/** The messages route, mounted at `/v1/messages`; streams still open when `stop` aborts end with
 * the `server_shutting_down` error event. */
export function messagesRoute(
  chat: ChatService,
  limits: BodyLimits,
  stop?: AbortSignal,
): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/", async (c) => {
    c.set("errorFormat", "bedrock_claude");
    const request = parseWith(messagesApiRequestSchema, await readJson(c.req.raw, limits));
    const betas = withHeaderBetas(request.anthropic_beta, c.req.header("anthropic-beta"));
    if (betas !== undefined) request.anthropic_beta = betas;
    return respond(c, chat, { format: "bedrock_claude", request }, "bedrock_claude", stop);
  });
}

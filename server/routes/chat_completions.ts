/**
 * `POST /v1/chat/completions[?target_format=openai|bedrock_claude|bedrock_titan]`: any input
 * format (detected from the body), any output format, JSON or SSE.
 */
import { Hono } from "hono";
import type { ChatService } from "../../core/chat/service.ts";
import { GatewayError } from "../../core/errors.ts";
import {
  type FormatName,
  FORMATS,
  isFormatName,
  parseAnyRequest,
} from "../../core/formats/registry.ts";
import { type BodyLimits, readJson } from "../body.ts";
import { respond } from "../respond.ts";
import type { AppEnv } from "../types.ts";

function targetFormat(value: string | undefined): FormatName {
  if (value === undefined || value === "") return "openai";
  if (isFormatName(value)) return value;
  throw new GatewayError(
    "invalid_request",
    `Unsupported target_format '${value}'; supported: ${FORMATS.join(", ")}.`,
    { code: "invalid_value", param: "target_format" },
  );
}

/** The chat completions route, mounted at `/v1/chat/completions`; streams still open when `stop`
 * aborts end with the `server_shutting_down` error event. */
export function chatCompletionsRoute(
  chat: ChatService,
  limits: BodyLimits,
  stop?: AbortSignal,
): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/", async (c) => {
    const target = targetFormat(c.req.query("target_format"));
    // Errors, bad input included, come in the envelope of the format the answer would have.
    c.set("errorFormat", target);
    return respond(c, chat, parseAnyRequest(await readJson(c.req.raw, limits)), target, stop);
  });
}

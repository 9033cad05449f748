/**
 * `POST /v1/chat/completions`: validate, call the chat service, answer as JSON or SSE.
 */
import { Hono } from "hono";
import type { ChatService } from "../../core/chat/service.ts";
import { GatewayError } from "../../core/errors.ts";
import { chatRequestSchema } from "../../core/formats/openai.ts";
import { parseWith } from "../../core/formats/validate.ts";
import { readJson } from "../body.ts";
import { openaiSse, SSE_HEADERS, toSseStream } from "../sse.ts";
import type { AppEnv } from "../types.ts";

const TARGET_FORMATS = ["openai"] as const;

function checkTargetFormat(value: string | undefined): void {
  if (value === undefined || (TARGET_FORMATS as readonly string[]).includes(value)) return;
  throw new GatewayError(
    "invalid_request",
    `Unsupported target_format '${value}'; supported: ${TARGET_FORMATS.join(", ")}.`,
    { code: "invalid_value", param: "target_format" },
  );
}

/** The chat completions route, mounted at `/v1/chat/completions`. */
export function chatCompletionsRoute(chat: ChatService): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/", async (c) => {
    checkTargetFormat(c.req.query("target_format"));
    const request = parseWith(chatRequestSchema, await readJson(c.req.raw));
    const options = { signal: c.req.raw.signal, meta: c.var.meta };
    if (request.stream !== true) return c.json(await chat.complete(request, options));

    const chunks = await chat.stream(request, options);
    let ended!: (code: string | undefined) => void;
    c.set("streamEnded", new Promise((resolve) => (ended = resolve)));
    const body = toSseStream(chunks, openaiSse, (error) => ended(error?.code));
    return new Response(body, { status: 200, headers: SSE_HEADERS });
  });
}

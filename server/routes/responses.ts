/**
 * `POST /v1/responses`: the OpenAI Responses API (openai_responses in and out) for any routable
 * model, JSON or SSE, through the same chat service as the other chat routes. Built-in tools a
 * provider cannot take are named in the `x-gateway-ignored-tools` header.
 *
 * Stored responses plug in through `ResponsesHooks` (core/responses/prepare.ts): `prepare`
 * expands `previous_response_id` before the request is checked and answered, `save` keeps the
 * finished Response (the JSON answer, or the final object of a stream) before it goes out.
 */
import { Hono } from "hono";
import type { ChatService } from "../../core/chat/service.ts";
import {
  prepareResponsesRequest,
  type ResponsesHooks,
  saverOf,
} from "../../core/responses/prepare.ts";
import { type BodyLimits, readJson } from "../body.ts";
import { respond } from "../respond.ts";
import type { AppEnv } from "../types.ts";

/** The header naming the built-in tools a request's provider left out (comma-separated). */
export const IGNORED_TOOLS_HEADER = "x-gateway-ignored-tools";

export type { ResponsesHooks } from "../../core/responses/prepare.ts";

/** The responses route, mounted at `/v1/responses`; streams still open when `stop` aborts end
 * with the `server_shutting_down` error event. */
export function responsesRoute(
  chat: ChatService,
  limits: BodyLimits,
  stop?: AbortSignal,
  hooks: ResponsesHooks = {},
): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/", async (c) => {
    c.set("errorFormat", "openai_responses");
    const body = await readJson(c.req.raw, limits);
    const { request } = await prepareResponsesRequest(body, hooks, c.req.raw.signal);
    const seen = saverOf(hooks, request);
    const response = await respond(
      c,
      chat,
      { format: "openai_responses", request },
      "openai_responses",
      stop,
      seen,
    );
    const ignored = c.var.meta?.ignoredTools;
    if (ignored !== undefined && ignored.length > 0) {
      response.headers.set(IGNORED_TOOLS_HEADER, ignored.join(","));
    }
    return response;
  });
}

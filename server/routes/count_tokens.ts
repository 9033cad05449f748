/**
 * `POST /v1/messages/count_tokens`: Anthropic's Messages count-tokens API for any routable model
 * (`{"input_tokens": N}`, errors in Anthropic's envelope). The `x-gateway-token-count` header
 * says whether the number is the upstream's (or the provider's own) exact count or the
 * gateway's estimate.
 */
import { Hono } from "hono";
import type { ChatService } from "../../core/chat/service.ts";
import { countTokensRequestSchema } from "../../core/formats/bedrock_claude/schema.ts";
import { parseWith } from "../../core/formats/validate.ts";
import { type BodyLimits, readJson } from "../body.ts";
import { clientSignal } from "../client_signal.ts";
import type { AppEnv } from "../types.ts";
import { withHeaderBetas } from "./messages.ts";

/** The response header naming how a count was made: `exact` or `estimate`. */
export const TOKEN_COUNT_HEADER = "x-gateway-token-count";

/** The count-tokens route, mounted at `/v1/messages/count_tokens`. */
export function countTokensRoute(chat: ChatService, limits: BodyLimits): Hono<AppEnv> {
  return new Hono<AppEnv>().post("/", async (c) => {
    c.set("errorFormat", "bedrock_claude");
    const request = parseWith(countTokensRequestSchema, await readJson(c.req.raw, limits));
    const betas = withHeaderBetas(request.anthropic_beta, c.req.header("anthropic-beta"));
    if (betas !== undefined) request.anthropic_beta = betas;
    const { signal } = clientSignal(c.req.raw);
    const count = await chat.countTokens(request, { signal, meta: c.var.meta });
    c.header(TOKEN_COUNT_HEADER, count.exact ? "exact" : "estimate");
    return c.json({ input_tokens: count.inputTokens });
  });
}

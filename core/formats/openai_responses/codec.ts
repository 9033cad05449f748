/**
 * The OpenAI Responses format (`POST /v1/responses`): converted to and from the canonical shape,
 * answered as a Response object or its named stream events, taken natively by OpenAI upstreams
 * that speak the Responses API. Errors use OpenAI's envelope. Detection never picks it: its
 * `input` field is shared with embeddings, so only its route (and tRPC procedures) name it.
 */
import type { FormatCodec, OutputContext } from "../codec.ts";
import { openaiErrorBody } from "../openai/errors.ts";
import { canonicalToResponses } from "./from_canonical.ts";
import { nativeResponsesBody, ResponsesStreamDecoder, responsesUsageTap } from "./native.ts";
import { canonicalToResponse, responseToCanonical } from "./response.ts";
import { type ResponsesRequest, responsesRequestSchema } from "./schema.ts";
import { ResponsesStreamEncoder } from "./stream_encoder.ts";
import { responsesToCanonical } from "./to_canonical.ts";
import { ignoredToolTypes } from "./tools.ts";
import { canonicalUsage, type ResponseContext } from "./wire.ts";

/** The Response context of an output context (the request, when the client wrote this format). */
function responseContext(ctx: OutputContext): ResponseContext {
  return {
    id: ctx.newId("resp_"),
    createdAt: Math.floor((ctx.now?.() ?? new Date()).getTime() / 1000),
    model: ctx.model,
    newId: ctx.newId,
    ...(ctx.request !== undefined ? { request: ctx.request as ResponsesRequest } : {}),
  };
}

/** The `openai_responses` codec. */
export const responsesCodec: FormatCodec<ResponsesRequest> = {
  name: "openai_responses",
  schema: responsesRequestSchema,
  routeOnly: true,
  ignoredOnHub: ignoredToolTypes,
  toCanonical: responsesToCanonical,
  fromCanonical: canonicalToResponses,
  encodeResponse: (completion, ctx) => canonicalToResponse(completion, responseContext(ctx)),
  streamEncoder: (ctx) => new ResponsesStreamEncoder(responseContext(ctx)),
  errorBody: openaiErrorBody,
  sse: {
    eventName: (event) => (event as { type: string }).type,
    trailer: [],
    errorEvent: "error",
  },
  native: {
    body: nativeResponsesBody,
    readResponse: responseToCanonical,
    responseUsage: (body) => canonicalUsage((body as { usage?: unknown } | null)?.usage),
    streamDecoder: (ctx) => new ResponsesStreamDecoder(ctx),
    usageTap: responsesUsageTap,
  },
};

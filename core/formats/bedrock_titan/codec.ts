/**
 * The Bedrock Titan Text format: recognised by `inputText`, converted to and from the canonical
 * shape, streamed as data-only chunks, and taken natively by Bedrock InvokeModel for Titan
 * models. Errors use OpenAI's envelope.
 */
import { type FormatCodec, nativeObject } from "../codec.ts";
import { openaiErrorBody } from "../openai/errors.ts";
import {
  openaiToTitanRequest,
  openaiToTitanResponse,
  TitanStreamEncoder,
} from "./from_canonical.ts";
import { nativeTitanBodyFor, titanUsageTap } from "./native.ts";
import { type TitanRequest, titanRequestSchema, type TitanResponse } from "./schema.ts";
import {
  TitanStreamDecoder,
  titanToOpenAIRequest,
  titanToOpenAIResponse,
  titanUsage,
} from "./to_canonical.ts";

/** The `bedrock_titan` codec. */
export const titanCodec: FormatCodec<TitanRequest> = {
  name: "bedrock_titan",
  schema: titanRequestSchema,
  marker: "inputText",
  // A Titan body that lost its inputText: reported in Titan terms (param `inputText`).
  resembles: (body) => body.textGenerationConfig !== undefined && body.messages === undefined,
  toCanonical: titanToOpenAIRequest,
  fromCanonical: (request) => openaiToTitanRequest(request),
  encodeResponse: (completion) => openaiToTitanResponse(completion),
  streamEncoder: () => new TitanStreamEncoder(),
  errorBody: openaiErrorBody,
  sse: { eventName: () => undefined, trailer: [] },
  native: {
    body: nativeTitanBodyFor,
    readResponse: (body, ctx) =>
      titanToOpenAIResponse(nativeObject<TitanResponse>(body, "Titan"), ctx),
    responseUsage: (body) => {
      const response = body as Partial<TitanResponse> | null;
      if (typeof response !== "object" || response === null) return undefined;
      return titanUsage(response.inputTextTokenCount, response.results?.[0]?.tokenCount);
    },
    streamDecoder: (ctx) => new TitanStreamDecoder(ctx),
    usageTap: titanUsageTap,
  },
};

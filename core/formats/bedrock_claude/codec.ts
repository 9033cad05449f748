/**
 * The Bedrock Claude / Anthropic Messages format: recognised by `anthropic_version`, converted
 * to and from the canonical shape, streamed as named Anthropic events, and taken natively by
 * Bedrock InvokeModel for Anthropic models.
 */
import { type FormatCodec, nativeObject } from "../codec.ts";
import { anthropicErrorBody } from "./errors.ts";
import { openaiToClaudeRequest } from "./from_canonical.ts";
import { claudeUsageTap, nativeClaudeBodyFor } from "./native.ts";
import { claudeToOpenAIResponse, openaiToClaudeResponse } from "./response.ts";
import { type ClaudeRequest, claudeRequestSchema, type ClaudeResponse } from "./schema.ts";
import { ClaudeStreamDecoder } from "./stream_decoder.ts";
import { ClaudeStreamEncoder } from "./stream_encoder.ts";
import { claudeUsageToOpenAI } from "./usage.ts";
import { claudeToOpenAIRequest } from "./to_canonical.ts";

/** The `bedrock_claude` codec. */
export const claudeCodec: FormatCodec<ClaudeRequest> = {
  name: "bedrock_claude",
  schema: claudeRequestSchema,
  marker: "anthropic_version",
  toCanonical: claudeToOpenAIRequest,
  fromCanonical: (request) => openaiToClaudeRequest(request),
  encodeResponse: (completion, ctx) =>
    openaiToClaudeResponse(completion, { newId: ctx.newId, model: ctx.model }),
  streamEncoder: (ctx) =>
    new ClaudeStreamEncoder({
      id: ctx.newId("msg_"),
      model: ctx.model,
      inputTokens: ctx.inputTokens,
    }),
  wantsInputTokens: true,
  errorBody: anthropicErrorBody,
  sse: { eventName: (event) => (event as { type: string }).type, trailer: [], errorEvent: "error" },
  native: {
    body: nativeClaudeBodyFor,
    readResponse: (body, ctx) =>
      claudeToOpenAIResponse(nativeObject<ClaudeResponse>(body, "Claude"), ctx),
    responseUsage: (body) => {
      const usage = (body as Partial<ClaudeResponse> | null)?.usage;
      return typeof usage === "object" && usage !== null ? claudeUsageToOpenAI(usage) : undefined;
    },
    streamDecoder: (ctx) => new ClaudeStreamDecoder(ctx),
    usageTap: claudeUsageTap,
  },
};

/**
 * The OpenAI chat completions format: the canonical shape itself, so every conversion is the
 * identity. It is the fallback of detection (a body with no other format's marker).
 */
import type { FormatCodec } from "../codec.ts";
import { openaiErrorBody } from "./errors.ts";
import { type ChatRequest, chatRequestSchema } from "./schema.ts";

/** The `openai` codec. */
export const openaiCodec: FormatCodec<ChatRequest> = {
  name: "openai",
  schema: chatRequestSchema,
  toCanonical: (request) => request,
  fromCanonical: (request) => request,
  errorBody: openaiErrorBody,
  sse: { eventName: () => undefined, trailer: ["[DONE]"] },
};

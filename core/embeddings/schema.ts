/**
 * The `POST /v1/embeddings` request (OpenAI's CreateEmbeddingRequest, plus the gateway's
 * `input_type` extension for Cohere) and the response shape (CreateEmbeddingResponse). One
 * schema validates the HTTP body and is the tRPC `embeddings.create` input.
 */
import { z } from "zod";
import type { EmbedInputType } from "../providers/provider.ts";

/** Most inputs in one request, as OpenAI allows. */
export const MAX_EMBEDDING_INPUTS = 2048;

const text = z.string().min(1, { message: "must not be an empty string" });
const token = z.number().int().min(0);

/** `input`: a string, strings, one token array or several (token arrays: OpenAI upstreams). */
export const embeddingInputSchema = z.union([
  text,
  z.array(text).min(1).max(MAX_EMBEDDING_INPUTS),
  z.array(token).min(1),
  z.array(z.array(token).min(1)).min(1).max(MAX_EMBEDDING_INPUTS),
]);

/** Cohere's `input_type` (gateway extension; other providers ignore it). */
export const embeddingInputTypeSchema = z.enum(
  [
    "search_document",
    "search_query",
    "classification",
    "clustering",
  ] as const satisfies readonly EmbedInputType[],
);

/** The embeddings request. Unknown fields are kept and forwarded to OpenAI-compatible upstreams. */
export const embeddingRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: embeddingInputSchema,
  /** `float` (default) or `base64`: little-endian float32 bytes, base64-encoded. */
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().min(1).optional(),
  user: z.string().optional(),
  /** Gateway extension for Cohere models: default `search_document`. */
  input_type: embeddingInputTypeSchema.optional(),
});

/** A validated embeddings request. */
export type EmbeddingRequest = z.output<typeof embeddingRequestSchema>;

/** One vector of the answer: floats, or base64 of little-endian float32. */
export interface Embedding {
  object: "embedding";
  index: number;
  embedding: number[] | string;
}

/** The embeddings answer, as OpenAI sends it. */
export interface EmbeddingResponse {
  object: "list";
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

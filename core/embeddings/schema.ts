/**
 * The `POST /v1/embeddings` request (OpenAI's CreateEmbeddingRequest, plus the gateway's
 * `input_type` extension for Cohere) and the response shape (CreateEmbeddingResponse). One
 * schema validates the HTTP body and is the tRPC `embeddings.create` input.
 */
import { z } from "zod";
import { parseWith } from "../formats/validate.ts";
import type { EmbedInputType } from "../providers/provider.ts";

/** Most inputs in one request, as OpenAI allows. */
export const MAX_EMBEDDING_INPUTS = 2048;

const text = z.string().min(1, { message: "must not be an empty string" });
const token = z.number().int().min(0);

const texts = z.array(text).min(1).max(MAX_EMBEDDING_INPUTS);
const tokens = z.array(token).min(1);
const tokenLists = z.array(z.array(token).min(1)).min(1).max(MAX_EMBEDDING_INPUTS);

/** `input`: a string, strings, one token array or several (token arrays: OpenAI upstreams). */
export const embeddingInputSchema = z.union([text, texts, tokens, tokenLists]);

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

/** The one `input` form a value is trying to be (by its first item), so errors name the item. */
function inputFormOf(input: unknown): z.ZodType {
  if (typeof input === "string") return text;
  if (!Array.isArray(input) || input.length === 0) return embeddingInputSchema;
  if (typeof input[0] === "string") return texts;
  if (typeof input[0] === "number") return tokens;
  if (Array.isArray(input[0])) return tokenLists;
  return embeddingInputSchema;
}

/**
 * Validates an HTTP body as an embeddings request; a 400 names the field, down to the item of
 * `input` at fault (`input[3]`) when the list is of one recognisable form.
 *
 * @example
 * parseEmbeddingRequest({ model: "mock-embed", input: ["a", ""] }); // throws, param input[1]
 */
export function parseEmbeddingRequest(body: unknown): EmbeddingRequest {
  const input = (body as { input?: unknown } | null)?.input;
  const schema = embeddingRequestSchema.extend({ input: inputFormOf(input) });
  return parseWith(schema, body) as EmbeddingRequest;
}

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

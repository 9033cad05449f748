/**
 * The OpenAPI parts of `POST /v1/embeddings`: the path (with the example /docs turns into a curl
 * command) and its component schemas — the request generated from the zod validator, the answer
 * written after `core/embeddings/schema.ts`.
 */
import { z } from "zod";
import { embeddingRequestSchema } from "../core/embeddings/schema.ts";
import { type Json, ref } from "./openapi_parts.ts";

function requestSchema(): Json {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(embeddingRequestSchema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  }) as Json;
  return {
    description: "OpenAI CreateEmbeddingRequest, plus the gateway's input_type (Cohere). " +
      "Token-array input is for OpenAI-compatible models only.",
    ...schema,
  };
}

/** `components.schemas` entries of the embeddings API. */
export const EMBEDDINGS_SCHEMAS: Record<string, Json> = {
  EmbeddingRequest: requestSchema(),
  Embedding: {
    type: "object",
    required: ["object", "index", "embedding"],
    properties: {
      object: { const: "embedding" },
      index: { type: "integer" },
      embedding: {
        anyOf: [
          { type: "array", items: { type: "number" } },
          {
            type: "string",
            description: "base64 of little-endian float32 (encoding_format base64)",
          },
        ],
      },
    },
    description: "One vector, in input order.",
  },
  EmbeddingResponse: {
    type: "object",
    required: ["object", "data", "model", "usage"],
    properties: {
      object: { const: "list" },
      data: { type: "array", items: ref("Embedding") },
      model: { type: "string" },
      usage: {
        type: "object",
        required: ["prompt_tokens", "total_tokens"],
        properties: { prompt_tokens: { type: "integer" }, total_tokens: { type: "integer" } },
      },
    },
    description: "OpenAI CreateEmbeddingResponse.",
  },
};

/** The `/v1/embeddings` path item; `errors` are the error responses to reference. */
export function embeddingsPath(errors: Json): Json {
  return {
    post: {
      tags: ["embeddings"],
      summary:
        "Embeddings (OpenAI's API) for OpenAI-compatible, Bedrock Titan/Cohere and mock models",
      security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: ref("EmbeddingRequest"),
            example: { model: "mock-embed", input: ["Hello", "world"], dimensions: 8 },
          },
        },
      },
      responses: {
        "200": {
          description: "OK",
          content: { "application/json": { schema: ref("EmbeddingResponse") } },
        },
        ...errors,
      },
    },
  };
}

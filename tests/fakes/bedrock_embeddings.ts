/**
 * The fake Bedrock's InvokeModel answers for the embedding models, in the shapes of AWS's model
 * parameter pages: Titan Text Embeddings v2 (`{embedding, inputTextTokenCount, embeddingsByType}`;
 * `dimensions` 256/512/1024, default 1024) and v1 (`{embedding, inputTextTokenCount}`, 1536), and
 * Cohere Embed v3 (`embeddings_floats`: `{id, texts, embeddings: [[…]]}`, 1024) and v4 (with
 * `embedding_types`, `embeddings_by_type`: `{embeddings: {float: [[…]]}}`; `output_dimension`,
 * default 1536). Every answer carries InvokeModel's `X-Amzn-Bedrock-Input-Token-Count` header.
 * Bodies Bedrock refuses get its ValidationException: more than 96 Cohere texts, a Cohere v3 text
 * over 2,048 characters, a Titan text over 50,000 characters, dimensions it does not produce.
 * Token counts are the fake's: one per whitespace-separated word.
 */
import type { RecordedRequest, Reply } from "./bedrock_runtime.ts";

/** The fake's token count of a text. */
export const fakeTokens = (text: string) => text.split(/\s+/).filter((w) => w !== "").length;

/** The deterministic vector the fake answers for `text`. */
export function fakeBedrockVector(text: string, dimensions: number): number[] {
  let h = 11;
  for (let i = 0; i < text.length; i++) h = (h * 33 + text.charCodeAt(i)) % 999_983;
  return Array.from({ length: dimensions }, (_, i) => Math.fround(Math.cos(h + i * 0.3) / 8));
}

const invalid = (message: string): Reply => ({
  kind: "error",
  type: "ValidationException",
  message,
});

const answer = (body: unknown, tokens: number): Reply => ({
  kind: "json",
  body,
  headers: { "x-amzn-bedrock-input-token-count": String(tokens) },
});

function titan(modelId: string, body: Record<string, unknown>): Reply {
  const text = body.inputText;
  if (typeof text !== "string" || text === "") return invalid("Malformed input request: inputText");
  if (text.length > 50_000) return invalid("Malformed input request: expected maxLength: 50000");
  const v2 = modelId.includes("titan-embed-text-v2");
  const dims = v2 ? (body.dimensions ?? 1024) : 1536;
  if (!v2 && Object.keys(body).some((k) => k !== "inputText")) {
    return invalid(`Malformed input request: extraneous key [${Object.keys(body)[1]}]`);
  }
  if (v2 && ![256, 512, 1024].includes(dims as number)) {
    return invalid("Malformed input request: #/dimensions: 300 is not a valid enum value");
  }
  const embedding = fakeBedrockVector(text, dims as number);
  const tokens = fakeTokens(text);
  return answer(
    v2
      ? { embedding, inputTextTokenCount: tokens, embeddingsByType: { float: embedding } }
      : { embedding, inputTextTokenCount: tokens },
    tokens,
  );
}

function cohere(modelId: string, body: Record<string, unknown>): Reply {
  const texts = body.texts;
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string")) {
    return invalid("Malformed input request: texts");
  }
  if (texts.length > 96) return invalid("Malformed input request: expected maxItems: 96");
  if (typeof body.input_type !== "string") {
    return invalid("Malformed input request: required key [input_type] not found");
  }
  const v4 = modelId.includes("embed-v4");
  if (!v4 && texts.some((t: string) => t.length > 2048)) {
    return invalid("Malformed input request: expected maxLength: 2048");
  }
  const dims = v4 ? (body.output_dimension ?? 1536) : 1024;
  const vectors = texts.map((t: string) => fakeBedrockVector(t, dims as number));
  const tokens = texts.reduce((n: number, t: string) => n + fakeTokens(t), 0);
  const byType = Array.isArray(body.embedding_types);
  return answer({
    id: crypto.randomUUID(),
    texts,
    embeddings: byType ? { float: vectors } : vectors,
    response_type: byType ? "embeddings_by_type" : "embeddings_floats",
  }, tokens);
}

/** The reply to an InvokeModel request for an embedding model, or undefined for other models. */
export function embeddingReply(record: RecordedRequest): Reply | undefined {
  if (record.operation !== "invoke" || record.modelId === undefined) return undefined;
  const body = (record.body ?? {}) as Record<string, unknown>;
  if (record.modelId.includes("titan-embed-text")) return titan(record.modelId, body);
  if (record.modelId.includes("cohere.embed")) return cohere(record.modelId, body);
  return undefined;
}

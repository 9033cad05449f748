/**
 * The fake OpenAI upstream's `POST /v1/embeddings` answer, in OpenAI's wire format
 * (CreateEmbeddingResponse): one deterministic vector per input (seeded from the text or the
 * tokens), the model's native size — 1536 for `text-embedding-3-small` and `-ada-002`, 3072 for
 * `-3-large` — or `dimensions` (which `text-embedding-ada-002` refuses, as OpenAI does), floats or
 * base64 of little-endian float32 as `encoding_format` asks, and `usage.prompt_tokens` counted as
 * one token per word (per token for token arrays).
 */
import { errorBody, type RecordedRequest } from "./openai_replies.ts";

/** Native vector sizes of the OpenAI embedding models the fake knows. */
export const FAKE_EMBEDDING_SIZES: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};

/** The deterministic unit-free vector the fake answers for `seed` text. */
export function fakeOpenAIVector(seed: string, dimensions: number): number[] {
  let h = 7;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) % 1_000_003;
  return Array.from({ length: dimensions }, (_, i) => Math.fround(Math.sin(h + i * 0.7)));
}

function base64Float32(vector: number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  vector.forEach((v, i) => view.setFloat32(i * 4, v, true));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The status and body the fake answers an embeddings request with. */
export function embeddingsAnswer(request: RecordedRequest): { status: number; body: unknown } {
  const body = (request.body ?? {}) as {
    model?: string;
    input?: unknown;
    encoding_format?: string;
    dimensions?: number;
  };
  const model = String(body.model ?? "");
  const size = FAKE_EMBEDDING_SIZES[model];
  if (size === undefined) {
    return {
      status: 404,
      body: errorBody(404, {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        code: "model_not_found",
      }),
    };
  }
  if (body.dimensions !== undefined && model === "text-embedding-ada-002") {
    return {
      status: 400,
      body: errorBody(400, {
        message: "This model does not support specifying dimensions.",
        param: "dimensions",
        code: null,
      }),
    };
  }
  const input = body.input;
  const items: unknown[] = typeof input === "string"
    ? [input]
    : Array.isArray(input) && input.every((x) => typeof x === "number")
    ? [input]
    : Array.isArray(input)
    ? input
    : [];
  const dimensions = body.dimensions ?? size;
  const tokens = items.reduce<number>(
    (n, item) =>
      n +
      (typeof item === "string"
        ? item.split(/\s+/).filter((w) => w !== "").length
        : (item as unknown[]).length),
    0,
  );
  return {
    status: 200,
    body: {
      object: "list",
      data: items.map((item, index) => {
        const vector = fakeOpenAIVector(JSON.stringify(item), dimensions);
        return {
          object: "embedding",
          index,
          embedding: body.encoding_format === "base64" ? base64Float32(vector) : vector,
        };
      }),
      model: model === "text-embedding-ada-002" ? "text-embedding-ada-002-v2" : model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}

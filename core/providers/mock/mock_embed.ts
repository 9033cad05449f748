/**
 * The mock provider's embedding model `mock-embed`: deterministic unit vectors seeded from each
 * text (the same text always gives the same vector), so embeddings work offline. Vectors have
 * {@link MOCK_EMBED_DIMENSIONS} dimensions unless `dimensions` (1…{@link MOCK_EMBED_MAX_DIMENSIONS})
 * asks for another size; usage counts whitespace-separated words, as the mock's chat models do.
 */
import { GatewayError } from "../../errors.ts";
import { checkTextLengths, textsOf } from "../embed_input.ts";
import type { EmbedRequest, EmbedResult } from "../provider.ts";

/** The mock's embedding models. */
export const MOCK_EMBEDDING_MODELS = ["mock-embed"] as const;

/** The default vector size of `mock-embed`. */
export const MOCK_EMBED_DIMENSIONS = 256;

/** The largest `dimensions` `mock-embed` produces. */
export const MOCK_EMBED_MAX_DIMENSIONS = 4096;

/** The longest text `mock-embed` takes, in characters. */
export const MOCK_EMBED_MAX_CHARS = 50_000;

/** FNV-1a over the UTF-16 code units: the seed of a text's vector. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small deterministic generator of numbers in [0, 1). */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The unit vector of `text` with `dimensions` components (float32-exact values).
 *
 * @example
 * mockVector("hello", 3).length; // 3
 */
export function mockVector(text: string, dimensions: number): number[] {
  const next = generator(seedOf(text));
  const raw = Array.from({ length: dimensions }, () => next() * 2 - 1);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((v) => Math.fround(v / norm));
}

const words = (text: string) => text.split(/\s+/).filter((w) => w !== "").length;

/**
 * Embeds a request for `mock-embed`; other ids are a 404, token arrays and over-long texts a 400.
 *
 * @example
 * embedMock({ model: "mock-embed", input: { texts: ["hi"] }, encodingFormat: "float", extra: {} });
 */
export function embedMock(request: EmbedRequest): Promise<EmbedResult> {
  if (!(MOCK_EMBEDDING_MODELS as readonly string[]).includes(request.model)) {
    return Promise.reject(
      new GatewayError(
        "invalid_request",
        `The model '${request.model}' does not serve embeddings.`,
        {
          code: "invalid_value",
          param: "model",
        },
      ),
    );
  }
  try {
    const texts = textsOf(request.input, request.model);
    checkTextLengths(texts, MOCK_EMBED_MAX_CHARS, request.model);
    const dimensions = request.dimensions ?? MOCK_EMBED_DIMENSIONS;
    if (dimensions > MOCK_EMBED_MAX_DIMENSIONS) {
      throw new GatewayError(
        "invalid_request",
        `The model '${request.model}' produces at most ${MOCK_EMBED_MAX_DIMENSIONS} dimensions.`,
        { code: "invalid_value", param: "dimensions" },
      );
    }
    return Promise.resolve({
      embeddings: texts.map((t) => mockVector(t, dimensions)),
      promptTokens: texts.reduce((n, t) => n + words(t), 0),
    });
  } catch (error) {
    return Promise.reject(error);
  }
}

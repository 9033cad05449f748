/**
 * Bedrock embeddings through InvokeModel: Amazon Titan Text Embeddings (v2: `dimensions`
 * 256/512/1024, `normalize: true`; v1: 1536) take one text per call, so a request is fanned out
 * with at most {@link EMBED_CONCURRENCY} calls in flight, answers kept in input order; Cohere
 * Embed (v3 English/multilingual: 1024 dimensions; v4: `output_dimension` 256/512/1024/1536)
 * takes up to {@link COHERE_BATCH} texts per call, so longer inputs go in batches. Token counts:
 * Titan's `inputTextTokenCount`; for Cohere, InvokeModel's `X-Amzn-Bedrock-Input-Token-Count`
 * header, else the body's `meta.billed_units.input_tokens`, else an estimate of one token per
 * four characters. Limits are checked before any call: Titan v2 50,000 characters per text (its
 * 8,192-token limit is Bedrock's to check: that 400 names the text), v1 the same bound, Cohere v3
 * 2,048 characters per text (AWS's model parameter pages); Cohere v4's 128,000-token context is
 * left to Bedrock.
 */
import { type BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import { GatewayError } from "../../errors.ts";
import { checkDimensions, checkTextLengths, mapBounded, textsOf } from "../embed_input.ts";
import type { CallContext, EmbedRequest, EmbedResult, ProviderId } from "../provider.ts";
import type { ModelInfo } from "../../formats/openai/schema.ts";
import { bareModelId } from "./capabilities.ts";
import { mapBedrockError } from "./errors.ts";

/** Most Titan calls in flight for one request. */
export const EMBED_CONCURRENCY = 8;

/** Most texts in one Cohere Embed call (AWS: 96 texts per call). */
export const COHERE_BATCH = 96;

/** An embedding model: its family, the dimensions it produces and its per-text limit. */
interface EmbeddingModel {
  family: "titan" | "cohere";
  /** Allowed `dimensions`; the first is the default. */
  dimensions: readonly number[];
  /** Longest text in characters, checked before calling; undefined leaves it to Bedrock. */
  maxChars?: number;
  /** The InvokeModel body for `texts` (Titan: one text). */
  body(texts: string[], request: EmbedRequest): Record<string, unknown>;
}

const titanV2: EmbeddingModel = {
  family: "titan",
  dimensions: [1024, 512, 256],
  maxChars: 50_000,
  body: ([inputText], request) => ({
    inputText,
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
    normalize: true,
  }),
};
const titanV1: EmbeddingModel = {
  family: "titan",
  dimensions: [1536],
  maxChars: 50_000,
  body: ([inputText]) => ({ inputText }),
};
const cohereV3: EmbeddingModel = {
  family: "cohere",
  dimensions: [1024],
  maxChars: 2048,
  body: (texts, request) => ({ texts, input_type: request.inputType ?? "search_document" }),
};
const cohereV4: EmbeddingModel = {
  family: "cohere",
  dimensions: [1536, 1024, 512, 256],
  body: (texts, request) => ({
    texts,
    input_type: request.inputType ?? "search_document",
    embedding_types: ["float"],
    ...(request.dimensions !== undefined ? { output_dimension: request.dimensions } : {}),
  }),
};

/** The embedding models, by bare model id. */
const MODELS: Record<string, EmbeddingModel> = {
  "amazon.titan-embed-text-v2:0": titanV2,
  "amazon.titan-embed-text-v1": titanV1,
  "cohere.embed-english-v3": cohereV3,
  "cohere.embed-multilingual-v3": cohereV3,
  "cohere.embed-v4:0": cohereV4,
};

/** The Bedrock embedding models the gateway serves (bare ids). */
export const BEDROCK_EMBEDDING_MODELS: readonly string[] = Object.keys(MODELS);

/** The embedding models as `/v1/models` entries, owned by instance `owner`. */
export function bedrockEmbeddingModels(owner: ProviderId = "bedrock"): ModelInfo[] {
  return BEDROCK_EMBEDDING_MODELS.map((id) => ({
    id,
    object: "model",
    created: 0,
    owned_by: owner,
  }));
}

/** The part of the runtime client embeddings use. */
export type EmbedRuntimeSend = Pick<BedrockRuntimeClient, "send">;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TOKEN_HEADER = "x-amzn-bedrock-input-token-count";

type AddMiddleware = InvokeModelCommand["middlewareStack"]["add"];

/** One InvokeModel call: the parsed JSON answer and the token-count header, if any. */
async function invoke(
  client: EmbedRuntimeSend,
  modelId: string,
  body: Record<string, unknown>,
  signal: AbortSignal,
): Promise<{ body: Record<string, unknown>; headerTokens?: number }> {
  const command = new InvokeModelCommand({
    modelId,
    contentType: "application/json",
    accept: "application/json",
    body: encoder.encode(JSON.stringify(body)),
  });
  let headerTokens: number | undefined;
  // The SDK's output has no response headers; a deserialize step reads the one it needs.
  const readHeader =
    ((next: (args: unknown) => Promise<{ response: unknown }>) => async (args: unknown) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string> }).headers ?? {};
      const raw = headers[TOKEN_HEADER];
      if (raw !== undefined && /^\d+$/.test(raw)) headerTokens = Number(raw);
      return result;
    }) as unknown as Parameters<AddMiddleware>[0];
  command.middlewareStack.add(readHeader, { step: "deserialize", name: "gatewayTokenHeader" });
  let response: { body?: Uint8Array };
  try {
    response = await client.send(command, { abortSignal: signal });
  } catch (error) {
    throw mapBedrockError(error);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(response.body ?? new Uint8Array()));
  } catch {
    throw new GatewayError("upstream", "Bedrock sent a malformed embeddings answer.");
  }
  if (typeof parsed !== "object" || parsed === null) {
    throw new GatewayError("upstream", "Bedrock sent a malformed embeddings answer.");
  }
  return { body: parsed as Record<string, unknown>, headerTokens };
}

const isVector = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === "number");

/** Titan: `{embedding, inputTextTokenCount}`. */
function titanAnswer(body: Record<string, unknown>, headerTokens?: number) {
  if (!isVector(body.embedding)) {
    throw new GatewayError("upstream", "Bedrock sent a Titan answer without an embedding.");
  }
  const count = body.inputTextTokenCount;
  return {
    vector: body.embedding,
    tokens: typeof count === "number" ? count : headerTokens ?? 0,
  };
}

/** Cohere: `embeddings` as a list (`embeddings_floats`) or `{float: […]}` (`embeddings_by_type`). */
function cohereVectors(body: Record<string, unknown>, expected: number): number[][] {
  const embeddings = body.embeddings as unknown;
  const list = Array.isArray(embeddings)
    ? embeddings
    : (embeddings as { float?: unknown } | null)?.float;
  if (!Array.isArray(list) || list.length !== expected || !list.every(isVector)) {
    throw new GatewayError("upstream", "Bedrock sent a Cohere answer without float embeddings.");
  }
  return list;
}

function cohereTokens(body: Record<string, unknown>, texts: string[], headerTokens?: number) {
  if (headerTokens !== undefined) return headerTokens;
  const billed = (body.meta as { billed_units?: { input_tokens?: unknown } } | undefined)
    ?.billed_units?.input_tokens;
  if (typeof billed === "number") return billed;
  return texts.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
}

function notEmbedding(model: string): GatewayError {
  return new GatewayError(
    "invalid_request",
    `The model '${model}' does not serve embeddings; Bedrock embedding models: ${
      BEDROCK_EMBEDDING_MODELS.join(", ")
    }.`,
    { code: "invalid_value", param: "model" },
  );
}

/** A Bedrock 400 for one Titan text names that text (e.g. over Titan's token limit). */
function forInput(error: unknown, index: number): GatewayError {
  const mapped = mapBedrockError(error);
  if (mapped.kind !== "invalid_request" || mapped.param !== null) return mapped;
  return new GatewayError("invalid_request", `input[${index}]: ${mapped.message}`, {
    code: mapped.code,
    param: `input[${index}]`,
    cause: mapped,
  });
}

/**
 * Embeds `request` on Bedrock through `client`.
 *
 * @example
 * await embedOnBedrock(client, { model: "amazon.titan-embed-text-v2:0", input: { texts: ["hi"] },
 *   dimensions: 256, encodingFormat: "float", extra: {} }, ctx);
 */
export async function embedOnBedrock(
  client: EmbedRuntimeSend,
  request: EmbedRequest,
  ctx: CallContext,
): Promise<EmbedResult> {
  const spec = MODELS[bareModelId(request.model)];
  if (spec === undefined) throw notEmbedding(request.model);
  const texts = textsOf(request.input, request.model);
  if (spec.maxChars !== undefined) checkTextLengths(texts, spec.maxChars, request.model);
  checkDimensions(request.dimensions, spec.dimensions, request.model);
  // A failed call ends the calls still in flight: their answers would be thrown away.
  const failed = new AbortController();
  const signal = AbortSignal.any([ctx.signal, failed.signal]);
  try {
    return await embedTexts(client, spec, texts, request, signal);
  } catch (error) {
    failed.abort();
    throw error;
  }
}

/** The calls of one request: Titan one text per call, Cohere in batches; order kept. */
async function embedTexts(
  client: EmbedRuntimeSend,
  spec: EmbeddingModel,
  texts: string[],
  request: EmbedRequest,
  signal: AbortSignal,
): Promise<EmbedResult> {
  if (spec.family === "titan") {
    const answers = await mapBounded(texts, EMBED_CONCURRENCY, async (text, index) => {
      try {
        const { body, headerTokens } = await invoke(
          client,
          request.model,
          spec.body([text], request),
          signal,
        );
        return titanAnswer(body, headerTokens);
      } catch (error) {
        throw forInput(error, index);
      }
    });
    return {
      embeddings: answers.map((a) => a.vector),
      promptTokens: answers.reduce((n, a) => n + a.tokens, 0),
    };
  }
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += COHERE_BATCH) {
    batches.push(texts.slice(i, i + COHERE_BATCH));
  }
  const answers = await mapBounded(batches, EMBED_CONCURRENCY, async (batch) => {
    const { body, headerTokens } = await invoke(
      client,
      request.model,
      spec.body(batch, request),
      signal,
    );
    return {
      vectors: cohereVectors(body, batch.length),
      tokens: cohereTokens(body, batch, headerTokens),
    };
  });
  return {
    embeddings: answers.flatMap((a) => a.vectors),
    promptTokens: answers.reduce((n, a) => n + a.tokens, 0),
  };
}

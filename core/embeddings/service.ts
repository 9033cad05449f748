/**
 * The embeddings pipeline both transports call: route the model (aliases and failover included),
 * let the provider embed (it refuses input its model cannot take before any upstream call), and
 * write OpenAI's CreateEmbeddingResponse in the encoding the client asked for (floats, or base64
 * of little-endian float32, which the official `openai` SDK asks for by default).
 */
import type { RequestMeta } from "../chat/request_meta.ts";
import { randomId } from "../chat/service.ts";
import { GatewayError, toGatewayError } from "../errors.ts";
import { CHARS_PER_TOKEN } from "../formats/openai/token_estimate.ts";
import type { CallContext, EmbedInput, EmbedResult } from "../providers/provider.ts";
import type { Router, Target } from "../deployments/router.ts";
import { decodeFloat32Base64, encodeFloat32Base64 } from "./float32.ts";
import type { EmbeddingRequest, EmbeddingResponse } from "./schema.ts";

/** Per-call options. */
export interface EmbeddingsCallOptions {
  signal: AbortSignal;
  /** Filled in for the access log and metrics. */
  meta?: RequestMeta;
}

/** The embeddings service. */
export interface EmbeddingsService {
  /** Embeds a validated request. */
  create(request: EmbeddingRequest, options: EmbeddingsCallOptions): Promise<EmbeddingResponse>;
}

/** Dependencies of the embeddings service. */
export interface EmbeddingsServiceDeps {
  router: Router;
  now?: () => Date;
  newId?: (prefix: string) => string;
}

/** The fields the service reads; the rest go to passthrough upstreams as `extra`. */
const KNOWN_FIELDS = new Set([
  "model",
  "input",
  "encoding_format",
  "dimensions",
  "user",
  "input_type",
]);

/** `input` as texts or token arrays. */
function inputOf(input: EmbeddingRequest["input"]): EmbedInput {
  if (typeof input === "string") return { texts: [input] };
  if (input.every((item) => typeof item === "string")) return { texts: input as string[] };
  if (input.every((item) => typeof item === "number")) return { tokens: [input as number[]] };
  return { tokens: input as number[][] };
}

const count = (input: EmbedInput) => ("texts" in input ? input.texts.length : input.tokens.length);

function malformed(what: string): GatewayError {
  return new GatewayError("upstream", `The embeddings upstream sent ${what}.`);
}

/** One vector in the requested encoding. */
function encoded(vector: number[] | string, format: "float" | "base64"): number[] | string {
  if (format === "base64") return typeof vector === "string" ? vector : encodeFloat32Base64(vector);
  if (typeof vector !== "string") return vector;
  return decodeFloat32Base64(vector) ?? (() => {
    throw malformed("a vector that is not base64 float32");
  })();
}

/** The request's tokens for a rate limit (`core/limits/gate.ts`): four characters a token over
 * its texts, or the number of tokens of its token arrays; at least 1. */
export function embeddingTokenEstimate(input: EmbeddingRequest["input"]): number {
  const given = inputOf(input);
  const n = "texts" in given
    ? Math.ceil(given.texts.reduce((sum, text) => sum + text.length, 0) / CHARS_PER_TOKEN)
    : given.tokens.reduce((sum, tokens) => sum + tokens.length, 0);
  return Math.max(1, n);
}

/** Creates the embeddings service. */
export function createEmbeddingsService(deps: EmbeddingsServiceDeps): EmbeddingsService {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomId;
  return {
    create: (request, { signal, meta }) => {
      if (meta) meta.tokenEstimate = () => embeddingTokenEstimate(request.input);
      return deps.router.run(
        request.model,
        { signal, meta },
        (found) => embed(found, request, signal, meta),
      );
    },
  };

  async function embed(
    found: Target,
    request: EmbeddingRequest,
    signal: AbortSignal,
    meta: RequestMeta | undefined,
  ): Promise<EmbeddingResponse> {
    const provider = found.provider;
    if (provider.embed === undefined) {
      throw new GatewayError(
        "invalid_request",
        `The model '${request.model}' does not serve embeddings.`,
        { code: "invalid_value", param: "model" },
      );
    }
    const input = inputOf(request.input);
    const format = request.encoding_format ?? "float";
    const extra = Object.fromEntries(
      Object.entries(request).filter(([key]) => !KNOWN_FIELDS.has(key)),
    );
    const ctx: CallContext = {
      signal,
      now,
      newId,
      ...(meta ? { note: (text: string) => void (meta.notes ??= []).push(text) } : {}),
    };
    const started = performance.now();
    let result: EmbedResult;
    try {
      result = await provider.embed({
        model: found.model,
        input,
        ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
        ...(request.user !== undefined ? { user: request.user } : {}),
        ...(request.input_type !== undefined ? { inputType: request.input_type } : {}),
        encodingFormat: format,
        extra,
      }, ctx);
    } catch (error) {
      throw toGatewayError(error);
    } finally {
      if (meta) meta.upstreamMs = performance.now() - started;
    }
    if (result.embeddings.length !== count(input)) {
      throw malformed(`${result.embeddings.length} vectors for ${count(input)} inputs`);
    }
    const tokens = result.promptTokens;
    if (meta) meta.usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
    return {
      object: "list",
      data: result.embeddings.map((vector, index) => ({
        object: "embedding",
        index,
        embedding: encoded(vector, format),
      })),
      model: request.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }
}

/**
 * Embeddings for OpenAI-compatible upstreams: the request goes to `POST {base}/embeddings` as it
 * came (texts or token arrays, `encoding_format`, `dimensions`, `user` and unknown fields; the
 * gateway's `input_type` is not sent), through the instance's transport, retries and body bound;
 * the answer's vectors (floats or base64, as asked) and `usage.prompt_tokens` come back as sent.
 */
import { GatewayError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { readBoundedBody } from "../bounded_body.ts";
import type { CallContext, EmbedRequest, EmbedResult } from "../provider.ts";
import { type RetryPolicy, withRetries } from "../retry.ts";
import { mapOpenAIError } from "./errors.ts";
import type { OpenAITransport } from "./transport.ts";

/** What the embeddings call needs from its instance. */
export interface OpenAIEmbedOptions {
  id: string;
  transport: OpenAITransport | undefined;
  logger: Logger;
  retry: RetryPolicy;
  maxResponseBytes: number;
  /** The error of an instance without an API key. */
  notConfigured: () => GatewayError;
}

const LABEL = "The OpenAI upstream";
const decoder = new TextDecoder();

/** The upstream body: the client's request with the provider-side model id. */
export function embeddingsBody(request: EmbedRequest): Record<string, unknown> {
  return {
    ...request.extra,
    model: request.model,
    input: "texts" in request.input ? request.input.texts : request.input.tokens,
    encoding_format: request.encodingFormat,
    ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
    ...(request.user !== undefined ? { user: request.user } : {}),
  };
}

/** Reads an upstream answer leniently: `data[].embedding` by `index`, and the usage. */
function resultOf(bytes: Uint8Array): EmbedResult {
  let body: { data?: unknown; usage?: { prompt_tokens?: unknown } };
  try {
    body = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new GatewayError("upstream", "The OpenAI upstream sent malformed embeddings.");
  }
  const data = body?.data;
  if (!Array.isArray(data)) {
    throw new GatewayError("upstream", "The OpenAI upstream sent malformed embeddings.");
  }
  const items = data.map((item, n) => ({
    index: typeof item?.index === "number" ? item.index : n,
    embedding: item?.embedding,
  }));
  items.sort((a, b) => a.index - b.index);
  const embeddings = items.map((item) => {
    const vector = item.embedding;
    if (typeof vector === "string" || Array.isArray(vector)) return vector as number[] | string;
    throw new GatewayError("upstream", "The OpenAI upstream sent an embedding without a vector.");
  });
  const tokens = body.usage?.prompt_tokens;
  return { embeddings, promptTokens: typeof tokens === "number" ? tokens : 0 };
}

/**
 * The `embed` method of an OpenAI instance.
 *
 * @example
 * const embed = openaiEmbed({ id: "openai", transport, logger, retry, maxResponseBytes, notConfigured });
 * await embed({ model: "text-embedding-3-small", input: { texts: ["hi"] }, encodingFormat: "float", extra: {} }, ctx);
 */
export function openaiEmbed(
  options: OpenAIEmbedOptions,
): (request: EmbedRequest, ctx: CallContext) => Promise<EmbedResult> {
  const { transport } = options;
  return (request, ctx) => {
    if (transport === undefined) return Promise.reject(options.notConfigured());
    const body = embeddingsBody(request);
    return withRetries(options.retry, {
      provider: options.id,
      label: LABEL,
      logger: options.logger,
      signal: ctx.signal,
      mapError: mapOpenAIError,
    }, async ({ signal, deadline }) => {
      try {
        const response = await transport.post("/embeddings", body, signal);
        return resultOf(
          await readBoundedBody(response, options.maxResponseBytes, deadline, LABEL),
        );
      } finally {
        deadline.done();
      }
    });
  };
}

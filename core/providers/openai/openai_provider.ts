/**
 * The OpenAI provider: canonical requests go to any OpenAI-compatible upstream through the
 * official `openai` SDK (injected, configured with `OPENAI_BASE_URL`). Requests pass through
 * with unknown fields intact; streamed chunks pass through unchanged.
 */
import type OpenAI from "openai";
import { cached } from "../../cache.ts";
import { GatewayError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ModelInfo,
} from "../../formats/openai.ts";
import type { CallContext, ChatProvider } from "../provider.ts";
import { mapOpenAIError } from "./errors.ts";
import { decodeSseJson } from "./sse_decoder.ts";
import { knownOpenAIModels } from "./models.ts";
import {
  restoreChunkToolNames,
  restoreToolNames,
  shortenToolNames,
} from "../../converters/tool_names.ts";

/** Dependencies of the OpenAI provider. */
export interface OpenAIProviderOptions {
  /** The SDK client, or undefined when `OPENAI_API_KEY` is not set. */
  client: OpenAI | undefined;
  logger: Logger;
  /** How long the upstream model list is reused. */
  modelsTtlMs?: number;
}

/** Fields only the gateway understands, never sent upstream. */
const GATEWAY_FIELDS = ["file_ids"] as const;

function upstreamBody(request: ChatRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request };
  for (const field of GATEWAY_FIELDS) delete body[field];
  return body;
}

function notConfigured(): GatewayError {
  return new GatewayError(
    "unavailable",
    "The OpenAI provider is not configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for compatible servers).",
    { code: "provider_not_configured" },
  );
}

function checkCompletion(value: unknown): ChatCompletion {
  const candidate = value as ChatCompletion | null;
  if (candidate === null || typeof candidate !== "object" || !Array.isArray(candidate.choices)) {
    throw new GatewayError("upstream", "The OpenAI upstream sent a malformed completion.");
  }
  return candidate;
}

function checkChunk(value: unknown): ChatCompletionChunk {
  const candidate = value as ChatCompletionChunk | null;
  if (candidate === null || typeof candidate !== "object" || !Array.isArray(candidate.choices)) {
    throw new GatewayError("upstream", "The OpenAI upstream sent a malformed stream chunk.");
  }
  return candidate;
}

/** Reads an upstream `GET /models` body leniently; anything but a list of ids is malformed. */
function modelsOf(body: unknown): ModelInfo[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    throw new GatewayError("upstream", "The OpenAI upstream sent a malformed model list.");
  }
  return data.filter((m) => typeof m?.id === "string").map((m) => ({
    id: m.id,
    object: "model",
    created: typeof m.created === "number" ? m.created : 0,
    owned_by: typeof m.owned_by === "string" ? m.owned_by : "openai",
  }));
}

/** Creates the OpenAI provider. */
export function createOpenAIProvider(options: OpenAIProviderOptions): ChatProvider {
  const { client, logger } = options;

  const loadModels = cached(async (): Promise<ModelInfo[]> => {
    if (client === undefined) return [];
    try {
      const body = await (await client.models.list().asResponse()).json();
      return modelsOf(body);
    } catch (error) {
      logger.warn("openai model list unavailable; using the known list", {
        error: mapOpenAIError(error).message,
      });
      return knownOpenAIModels();
    }
  }, options.modelsTtlMs ?? 5 * 60_000);

  return {
    name: "openai",
    async complete(original: ChatRequest, ctx: CallContext): Promise<ChatCompletion> {
      if (client === undefined) throw notConfigured();
      // Tool names over OpenAI's 64 characters are shortened and mapped back.
      const { request, toOriginal } = shortenToolNames(original);
      try {
        const body = { ...upstreamBody(request), stream: false };
        // The raw response skips the SDK's response wrappers; the SDK still builds the request,
        // retries and maps error statuses.
        const response = await client.chat.completions.create(
          body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
          { signal: ctx.signal },
        ).asResponse();
        return restoreToolNames(checkCompletion(await response.json()), toOriginal);
      } catch (error) {
        throw mapOpenAIError(error);
      }
    },
    async *stream(original: ChatRequest, ctx: CallContext): AsyncIterable<ChatCompletionChunk> {
      if (client === undefined) throw notConfigured();
      const { request, toOriginal } = shortenToolNames(original);
      const renamed = Object.keys(toOriginal).length > 0;
      // Always ask for usage so the gateway can log it; the chat service hides the usage chunk
      // from clients that did not ask for it.
      const body = {
        ...upstreamBody(request),
        stream: true,
        stream_options: { ...(request.stream_options ?? {}), include_usage: true },
      };
      try {
        const response = await client.chat.completions.create(
          body as unknown as OpenAI.ChatCompletionCreateParamsStreaming,
          { signal: ctx.signal },
        ).asResponse();
        if (response.body === null) {
          throw new GatewayError("upstream", "The OpenAI upstream sent an empty stream.");
        }
        for await (const chunk of decodeSseJson(response.body)) {
          yield renamed ? restoreChunkToolNames(checkChunk(chunk), toOriginal) : checkChunk(chunk);
        }
      } catch (error) {
        throw mapOpenAIError(error);
      }
    },
    listModels: () => loadModels(),
  };
}

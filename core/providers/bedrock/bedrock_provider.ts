/**
 * The Bedrock provider: canonical (OpenAI) requests go through the Converse / ConverseStream API
 * for every model family, via the injected `BedrockRuntimeClient` (its `send`). Remote images and
 * documents are fetched first through the guarded fetch; translation both ways is done by the
 * pure converters; SDK errors (HTTP errors and mid-stream exception frames alike) become GatewayErrors.
 */
import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  type ConverseStreamCommandInput,
} from "@aws-sdk/client-bedrock-runtime";
import { converseStreamToChunks } from "./converse/stream_to_canonical.ts";
import { fromConverseResponse } from "./converse/to_canonical.ts";
import { converseRequestOf, toConverseRequest } from "./converse/from_canonical.ts";
import { GatewayError } from "../../errors.ts";
import type { ConverseResponse, ConverseStreamEvent } from "./converse/wire.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
} from "../../formats/openai/schema.ts";
import type { Logger } from "../../logger.ts";
import type { GuardedFetch } from "../../net/guarded_fetch.ts";
import type { CallContext, ChatProvider } from "../provider.ts";
import { capabilitiesFor } from "./capabilities.ts";
import { mapBedrockError } from "./errors.ts";
import { resolveMedia } from "./media.ts";
import { acceptsNative, invokeNative } from "./native_invoke.ts";
import { embedOnBedrock } from "./embeddings.ts";
import { createBedrockEmbeddingLister } from "./embedding_models.ts";
import { countClaudeTokens } from "./count_tokens.ts";
import { estimatePromptTokens } from "../../formats/openai/token_estimate.ts";
import { adaptClaudeBodyForBedrock } from "./native_claude_fields.ts";
import {
  type BedrockControlClient,
  createBedrockModelLister,
  describeBedrockModel,
} from "./models.ts";

/** The part of the runtime client the provider uses. */
export type BedrockRuntimeSend = Pick<BedrockRuntimeClient, "send">;

/** Dependencies of the Bedrock provider. */
export interface BedrockProviderOptions {
  /** The instance id (logs, metrics, `owned_by`); default `bedrock`. */
  id?: string;
  /** The runtime client (Converse, ConverseStream). */
  client: BedrockRuntimeSend;
  /** The control-plane client for model listing; undefined serves the built-in catalog. */
  controlClient?: BedrockControlClient;
  /** Guarded fetch for http(s) image and document URLs. */
  fetchMedia: GuardedFetch;
  logger: Logger;
  /** How long the model list is reused. */
  modelsTtlMs?: number;
}

/** Re-throws SDK stream errors as GatewayErrors; an early end caused by an abort is an abort. */
async function* mappedEvents(
  stream: AsyncIterable<unknown>,
  signal: AbortSignal,
): AsyncIterable<ConverseStreamEvent> {
  try {
    for await (const event of stream) yield event as ConverseStreamEvent;
  } catch (error) {
    throw mapBedrockError(error);
  }
  if (signal.aborted) {
    throw new GatewayError("upstream", "The request was cancelled.", { code: "request_cancelled" });
  }
}

/**
 * Creates the Bedrock provider.
 *
 * @example
 * const bedrock = createBedrockProvider({
 *   client: new BedrockRuntimeClient({ region: "us-east-1" }),
 *   fetchMedia: createGuardedFetch({ allowPrivate: false }),
 *   logger,
 * });
 */
export function createBedrockProvider(options: BedrockProviderOptions): ChatProvider {
  const { client, fetchMedia, logger } = options;
  const id = options.id ?? "bedrock";
  const listChatModels = createBedrockModelLister({
    client: options.controlClient,
    logger,
    owner: id,
    ttlMs: options.modelsTtlMs,
  });
  const listEmbeddingModels = createBedrockEmbeddingLister({
    client: options.controlClient,
    logger,
    owner: id,
    ttlMs: options.modelsTtlMs,
  });
  // Chat models (listed or the catalog), then the embedding models the gateway serves.
  const listModels = async () => {
    const [chat, embedding] = await Promise.all([listChatModels(), listEmbeddingModels()]);
    const listed = new Set(chat.map((m) => m.id));
    return [...chat, ...embedding.filter((m) => !listed.has(m.id))];
  };

  async function prepare(request: ChatRequest, ctx: CallContext) {
    let input;
    try {
      const media = await resolveMedia(request, fetchMedia, ctx.signal);
      input = toConverseRequest(request, capabilitiesFor(request.model), media);
    } catch (error) {
      throw mapBedrockError(error); // GatewayErrors unchanged; an abort while fetching media
    }
    const conversion = {
      id: ctx.newId("chatcmpl-"),
      created: Math.floor(ctx.now().getTime() / 1000),
      model: request.model,
      toolNameMap: input.toolNameMap,
      forcedJsonTool: input.forcedJsonTool,
    };
    return { body: converseRequestOf(input), conversion };
  }

  return {
    name: id,

    async complete(request: ChatRequest, ctx: CallContext): Promise<ChatCompletion> {
      const { body, conversion } = await prepare(request, ctx);
      let response: unknown;
      try {
        response = await client.send(
          new ConverseCommand(body as unknown as ConverseCommandInput),
          { abortSignal: ctx.signal },
        );
      } catch (error) {
        throw mapBedrockError(error);
      }
      return fromConverseResponse(response as ConverseResponse, conversion);
    },

    async *stream(request: ChatRequest, ctx: CallContext): AsyncIterable<ChatCompletionChunk> {
      const { body, conversion } = await prepare(request, ctx);
      let stream: AsyncIterable<unknown> | undefined;
      try {
        const response = await client.send(
          new ConverseStreamCommand(body as unknown as ConverseStreamCommandInput),
          { abortSignal: ctx.signal },
        );
        stream = response.stream;
      } catch (error) {
        throw mapBedrockError(error);
      }
      if (stream === undefined) {
        throw new GatewayError("upstream", "Bedrock answered without an event stream.");
      }
      yield* converseStreamToChunks(mappedEvents(stream, ctx.signal), conversion);
    },

    acceptsNative,
    invokeNative(format, body, call, ctx) {
      if (format === "bedrock_claude") {
        // Fields and betas Bedrock does not take for this model are translated or dropped;
        // each change is noted in the request's access-log line.
        const adapted = adaptClaudeBodyForBedrock(body, call.model);
        for (const note of adapted.notes) ctx.note?.(note);
        body = adapted.body;
      }
      return invokeNative(client, format, body, call, ctx);
    },

    embed: (request, ctx) => embedOnBedrock(client, request, ctx),
    // Claude bodies for Anthropic models: Bedrock CountTokens (exact). Other families, and
    // models CountTokens does not support: the gateway's estimate.
    async countTokens(request, ctx) {
      const native = request.native;
      if (native?.format === "bedrock_claude" && acceptsNative(native.format, request.model)) {
        const tokens = await countClaudeTokens(client, native.body, request.model, ctx);
        if (tokens !== undefined) return { inputTokens: tokens, exact: true };
        ctx.note?.("Bedrock CountTokens does not support this model; estimated");
      }
      return { inputTokens: estimatePromptTokens(request.canonical()), exact: false };
    },

    listModels: () => listModels(),
    describeModel: async (model) => describeBedrockModel(model, await listModels(), id),
  };
}

/**
 * The Anthropic provider: the Anthropic Messages API through the official `@anthropic-ai/sdk`.
 * Claude-format bodies (`/v1/messages`, `anthropic_version` bodies) go to `messages.create` as
 * they are (the native fast path; `request_body.ts` removes the Bedrock and gateway fields),
 * through the client's `post` to `/v1/messages` (see {@link MESSAGES_PATH});
 * other formats reach it through the canonical hub: canonical → Claude body with the Claude
 * format's converter, the answer read back with the Claude codec's native side. Every call runs
 * under the gateway's retry policy (the SDK's own retries are off); a stream's attempt lasts
 * until its first event.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { Stream } from "@anthropic-ai/sdk/core/streaming";
import { cached } from "../../cache.ts";
import { GatewayError } from "../../errors.ts";
import type { Logger } from "../../logger.ts";
import { claudeCodec } from "../../formats/bedrock_claude/codec.ts";
import { openaiToClaudeRequest } from "../../formats/bedrock_claude/from_canonical.ts";
import { decodeStream } from "../../formats/openai/chunks.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  ModelInfo,
} from "../../formats/openai/schema.ts";
import type { CallContext, ChatProvider, NativeResult } from "../provider.ts";
import { type RetryPolicy, type RetryTarget, withRetries } from "../retry.ts";
import { mapAnthropicError } from "./errors.ts";
import { type AnthropicCall, anthropicCall, countTokensBody } from "./request_body.ts";

/** Dependencies of the Anthropic provider. */
export interface AnthropicProviderOptions {
  /** The instance id (logs, metrics, `owned_by`); default `anthropic`. */
  id?: string;
  /** The SDK client (`maxRetries: 0`), or undefined when the instance has no API key. */
  client: Anthropic | undefined;
  logger: Logger;
  /** The gateway's retry and timeout policy. */
  retry: RetryPolicy;
  /** How long the model list is reused. */
  modelsTtlMs?: number;
}

const LABEL = "The Anthropic API";

/** `messages.create`'s endpoint, called through the client's own `post` (the same request
 * pipeline, errors and SSE stream): `messages.create` itself prints deprecation notices with
 * `console.warn` for some models, which would interleave with the gateway's JSON log lines. */
const MESSAGES_PATH = "/v1/messages";

function notConfigured(id: string): GatewayError {
  return new GatewayError(
    "unavailable",
    `An API key for the Anthropic provider '${id}' is missing: set ANTHROPIC_API_KEY, or the instance's api_key.`,
    { code: "provider_not_configured" },
  );
}

/** The Claude body of a canonical request (the Claude format's converter). */
const claudeBodyOf = (request: ChatRequest) =>
  anthropicCall(openaiToClaudeRequest(request) as Record<string, unknown>);

/** Marks a value as used, so the closure that calls it keeps the value alive until then. */
function keepAlive(_value: unknown): void {}

/** Creates the Anthropic provider. */
export function createAnthropicProvider(options: AnthropicProviderOptions): ChatProvider {
  const { client, logger } = options;
  const id = options.id ?? "anthropic";

  const target = (signal: AbortSignal | undefined): RetryTarget => ({
    provider: id,
    label: LABEL,
    logger,
    signal,
    mapError: mapAnthropicError,
  });

  /** One JSON answer (`messages.create`, not streamed) under the retry policy. */
  const createMessage = (sdk: Anthropic, call: AnthropicCall, model: string, ctx: CallContext) =>
    withRetries(options.retry, target(ctx.signal), async ({ signal, deadline }) => {
      try {
        return await sdk.post<unknown>(MESSAGES_PATH, {
          body: { ...call.body, model, stream: false },
          headers: call.headers,
          signal,
        });
      } finally {
        deadline.done();
      }
    });

  /** A streamed answer: the SDK's events, unchanged. The promise resolves with the first event
   * (an attempt lasts until then, so errors before it are retried and answered as HTTP errors). */
  async function openEvents(
    sdk: Anthropic,
    call: AnthropicCall,
    model: string,
    ctx: CallContext,
  ): Promise<AsyncIterable<unknown>> {
    const { deadline, iterator, first, stream } = await withRetries(
      options.retry,
      target(ctx.signal),
      async ({ signal, deadline }) => {
        const stream = await sdk.post<Stream<unknown>>(MESSAGES_PATH, {
          body: { ...call.body, model, stream: true },
          headers: call.headers,
          signal,
          stream: true,
        });
        const iterator = stream[Symbol.asyncIterator]();
        deadline.touch();
        return { deadline, iterator, first: await iterator.next(), stream };
      },
    );
    return (async function* () {
      let completed = false;
      try {
        for (let step = first; !step.done; step = await iterator.next()) {
          deadline.touch();
          yield step.value as unknown;
        }
        if (ctx.signal.aborted) {
          throw new GatewayError("upstream", "The request was cancelled.", {
            code: "request_cancelled",
          });
        }
        completed = true;
      } catch (error) {
        throw deadline.fired ? deadline.timeoutError() : mapAnthropicError(error);
      } finally {
        if (completed) deadline.done();
        else deadline.cancel();
        await iterator.return?.().catch(() => {});
        keepAlive(stream);
      }
    })();
  }

  const readContext = (model: string, ctx: CallContext) => ({
    id: ctx.newId("chatcmpl-"),
    created: Math.floor(ctx.now().getTime() / 1000),
    model,
  });

  const loadModels = cached(async (): Promise<ModelInfo[]> => {
    if (client === undefined) return [];
    try {
      return await withRetries(options.retry, target(undefined), async ({ signal, deadline }) => {
        try {
          const models: ModelInfo[] = [];
          for await (const model of client.models.list({ limit: 1000 }, { signal })) {
            models.push({
              id: model.id,
              object: "model",
              created: Math.floor(Date.parse(model.created_at) / 1000) || 0,
              owned_by: id,
            });
          }
          return models;
        } finally {
          deadline.done();
        }
      });
    } catch (error) {
      logger.warn("anthropic model list unavailable", {
        provider: id,
        error: mapAnthropicError(error).message,
      });
      return [];
    }
  }, options.modelsTtlMs ?? 5 * 60_000);

  return {
    name: id,

    async complete(request: ChatRequest, ctx: CallContext): Promise<ChatCompletion> {
      if (client === undefined) throw notConfigured(id);
      const body = await createMessage(client, claudeBodyOf(request), request.model, ctx);
      return claudeCodec.native!.readResponse(body, readContext(request.model, ctx));
    },

    async *stream(request: ChatRequest, ctx: CallContext): AsyncIterable<ChatCompletionChunk> {
      if (client === undefined) throw notConfigured(id);
      const events = await openEvents(client, claudeBodyOf(request), request.model, ctx);
      yield* decodeStream(
        events,
        claudeCodec.native!.streamDecoder(readContext(request.model, ctx)),
      );
    },

    acceptsNative: (format) => format === "bedrock_claude" && client !== undefined,

    async invokeNative(format, body, call, ctx): Promise<NativeResult> {
      if (client === undefined) throw notConfigured(id);
      if (format !== "bedrock_claude") {
        throw new GatewayError("internal", `The Anthropic provider takes no ${format} bodies.`);
      }
      const request = anthropicCall(body);
      if (!call.stream) {
        return { stream: false, body: await createMessage(client, request, call.model, ctx) };
      }
      return { stream: true, events: await openEvents(client, request, call.model, ctx) };
    },

    // The Messages API's own count (exact): the native body when the client wrote one, else the
    // canonical request converted to a Claude body.
    async countTokens(request, ctx) {
      if (client === undefined) throw notConfigured(id);
      const { body, headers } = request.native?.format === "bedrock_claude"
        ? anthropicCall(request.native.body)
        : claudeBodyOf(request.canonical());
      const counted = await withRetries(
        options.retry,
        target(ctx.signal),
        async ({ signal, deadline }) => {
          try {
            return await client.messages.countTokens(
              {
                ...countTokensBody(body),
                model: request.model,
              } as unknown as Anthropic.MessageCountTokensParams,
              { signal, headers },
            );
          } finally {
            deadline.done();
          }
        },
      );
      return { inputTokens: counted.input_tokens, exact: true };
    },

    listModels: () => loadModels(),
  };
}

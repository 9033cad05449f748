/**
 * The native fast path of the chat service: a Bedrock Claude or Titan body whose provider takes
 * it as is (Claude bodies for Anthropic models, Titan bodies for Titan models on Bedrock) goes
 * upstream unchanged (gateway-only fields removed). In the same format the answer comes back
 * unchanged; for any other target the native answer is read into the canonical shape and
 * rendered in the target format, exactly as the hub would. Claude bodies with `url` image or
 * document sources take the hub instead (InvokeModel takes base64 sources only; the Bedrock
 * provider fetches the URLs through the guarded fetch and sends the bytes to Converse).
 */
import { GatewayError, toGatewayError } from "../errors.ts";
import {
  ClaudeStreamDecoder,
  claudeStreamToChunks,
  claudeToOpenAIResponse,
} from "../converters/openai_to_claude.ts";
import {
  TitanStreamDecoder,
  titanStreamToChunks,
  titanToOpenAIResponse,
} from "../converters/titan_to_openai.ts";
import { type ClaudeRequest, nativeClaudeBody } from "../formats/bedrock_claude.ts";
import type { ClaudeResponse, ClaudeStreamEvent } from "../formats/bedrock_claude.ts";
import {
  nativeTitanBody,
  type TitanRequest,
  type TitanResponse,
  type TitanStreamChunk,
} from "../formats/bedrock_titan.ts";
import type { AnyRequest, FormatName } from "../formats/detect.ts";
import type { ChatCompletion, ChatCompletionChunk } from "../formats/openai.ts";
import type {
  CallContext,
  ChatProvider,
  NativeCall,
  NativeFormat,
  ProviderId,
} from "../providers/provider.ts";
import type { Providers } from "../providers/registry.ts";
import type { ChatCallOptions, ChatOutcome } from "./service.ts";
import { encodeStream, responseAs, streamEncoderFor } from "./translate.ts";

/** A request the native path will send. */
export interface NativePlan {
  provider: ChatProvider & Required<Pick<ChatProvider, "invokeNative">>;
  providerName: ProviderId;
  format: NativeFormat;
  /** The body sent upstream (gateway-only fields removed). */
  body: Record<string, unknown>;
  call: NativeCall;
  /** The model id as the client sent it. */
  clientModel: string;
}

const hasFiles = (request: ClaudeRequest | TitanRequest) =>
  request.file_ids !== undefined && request.file_ids.length > 0;

type Block = { type: string; source?: unknown; content?: unknown };

const isUrlMedia = (block: Block) =>
  (block.type === "image" || block.type === "document") &&
  (block.source as { type?: unknown } | undefined)?.type === "url";

/**
 * Whether a Claude request has an image or document block with a `url` source, in a message's
 * content or inside a `tool_result`'s content. Bedrock's Claude Messages API (InvokeModel)
 * accepts base64 sources only, so such a request cannot go upstream unchanged.
 */
function hasUrlSources(request: ClaudeRequest): boolean {
  return request.messages.some((message) =>
    typeof message.content !== "string" &&
    message.content.some((block: Block) =>
      isUrlMedia(block) ||
      (block.type === "tool_result" && Array.isArray(block.content) &&
        (block.content as Block[]).some(isUrlMedia))
    )
  );
}

/**
 * The native plan for a request, or undefined when it goes through the canonical hub: OpenAI
 * bodies, bodies with `file_ids` (file context is added to the canonical request), Claude bodies
 * with `url` image or document sources (fetched by the gateway, sent to Converse as bytes), and
 * Claude bodies asking for structured output (`output_config.format`), and models whose provider
 * does not take the body natively.
 */
export function planNative(
  input: AnyRequest,
  providers: Providers,
): NativePlan | undefined {
  if (input.format === "openai" || hasFiles(input.request)) return undefined;
  if (input.format === "bedrock_claude" && hasUrlSources(input.request)) return undefined;
  // Structured output is carried by the hub (response_format → Converse or OpenAI).
  if (input.format === "bedrock_claude" && input.request.output_config?.format) return undefined;
  const route = providers.route(input.request.model);
  const provider = providers.get(route.provider)?.provider;
  if (provider?.invokeNative === undefined) return undefined;
  if (provider.acceptsNative?.(input.format, route.model) !== true) return undefined;
  const body = input.format === "bedrock_claude"
    ? nativeClaudeBody(input.request)
    : nativeTitanBody(input.request);
  return {
    provider: provider as NativePlan["provider"],
    providerName: route.provider,
    format: input.format,
    body,
    call: { model: route.model, stream: input.request.stream === true },
    clientModel: input.request.model,
  };
}

/** Ids and time for reading native answers into the canonical shape. */
interface ReadContext {
  id: string;
  created: number;
  model: string;
}

function canonicalResponse(format: NativeFormat, body: unknown, ctx: ReadContext) {
  if (typeof body !== "object" || body === null) {
    throw new GatewayError("upstream", "Bedrock sent a malformed response.");
  }
  return format === "bedrock_claude"
    ? claudeToOpenAIResponse(body as ClaudeResponse, ctx)
    : titanToOpenAIResponse(body as TitanResponse, ctx);
}

function canonicalChunks(
  format: NativeFormat,
  events: AsyncIterable<unknown>,
  ctx: ReadContext,
): AsyncIterable<ChatCompletionChunk> {
  return format === "bedrock_claude"
    ? claudeStreamToChunks(events as AsyncIterable<ClaudeStreamEvent>, ctx)
    : titanStreamToChunks(events as AsyncIterable<TitanStreamChunk>, ctx);
}

/**
 * Passes native events through unchanged, reading the usage they report into `meta`. A stream
 * that ends before its format's last event (Claude `message_stop`, a Titan chunk with
 * `completionReason`) was cut: it ends with an error, not as a success.
 */
async function* observeUsage(
  format: NativeFormat,
  events: AsyncIterable<unknown>,
  ctx: ReadContext,
  options: ChatCallOptions,
): AsyncGenerator<unknown> {
  const claude = format === "bedrock_claude";
  const decoder = claude ? new ClaudeStreamDecoder(ctx) : new TitanStreamDecoder(ctx);
  let stopped = false;
  for await (const event of events) {
    try {
      const chunks = claude
        ? (decoder as ClaudeStreamDecoder).push(event as ClaudeStreamEvent)
        : (decoder as TitanStreamDecoder).push(event as TitanStreamChunk);
      for (const chunk of chunks) if (chunk.usage && options.meta) options.meta.usage = chunk.usage;
    } catch {
      // Observation only: the event goes to the client unchanged whatever it says.
    }
    if (claude && !stopped) stopped = (event as { type?: unknown }).type === "message_stop";
    yield event;
  }
  if (claude && !stopped) {
    throw new GatewayError("upstream", "The Claude stream ended early (no message_stop).");
  }
  if (!claude) (decoder as TitanStreamDecoder).end();
}

async function* recordUsage(
  chunks: AsyncIterable<ChatCompletionChunk>,
  options: ChatCallOptions,
): AsyncGenerator<ChatCompletionChunk> {
  for await (const chunk of chunks) {
    if (chunk.usage && options.meta) options.meta.usage = chunk.usage;
    yield chunk;
  }
}

/**
 * Resolves once the first item arrived, so errors before it reject (an ordinary HTTP error);
 * later errors are thrown by the returned iterable as GatewayErrors.
 */
async function primed<T>(items: AsyncIterable<T>): Promise<AsyncIterable<T>> {
  const iterator = items[Symbol.asyncIterator]();
  let first: IteratorResult<T>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw toGatewayError(error);
  }
  return (async function* () {
    try {
      for (let step = first; !step.done; step = await iterator.next()) yield step.value;
    } catch (error) {
      throw toGatewayError(error);
    } finally {
      await iterator.return?.();
    }
  })();
}

/**
 * Runs a native plan and answers in `target` format: unchanged when the target is the body's
 * own format, converted through the canonical shape otherwise.
 */
export async function respondNative(
  plan: NativePlan,
  target: FormatName,
  options: ChatCallOptions,
  ctx: CallContext,
): Promise<ChatOutcome> {
  const { meta } = options;
  if (meta) {
    meta.model = plan.clientModel;
    meta.provider = plan.providerName;
  }
  const read: ReadContext = {
    id: ctx.newId("chatcmpl-"),
    created: Math.floor(ctx.now().getTime() / 1000),
    model: plan.call.model,
  };
  const output = { model: plan.clientModel, newId: ctx.newId };
  const started = performance.now();
  try {
    const result = await plan.provider.invokeNative(plan.format, plan.body, plan.call, ctx);
    if (!result.stream) {
      const same = target === plan.format;
      let completion: ChatCompletion | undefined;
      try {
        completion = canonicalResponse(plan.format, result.body, read);
      } catch (error) {
        if (!same) throw error; // passthrough needs no canonical reading (usage is a bonus)
      }
      if (meta && completion?.usage) meta.usage = completion.usage;
      return {
        stream: false,
        body: same ? result.body : responseAs(target, completion as ChatCompletion, output),
      };
    }
    const events = await primed(result.events);
    if (target === plan.format) {
      return { stream: true, events: observeUsage(plan.format, events, read, options) };
    }
    const chunks = recordUsage(canonicalChunks(plan.format, events, read), options);
    return { stream: true, events: encodeStream(chunks, streamEncoderFor(target, output)) };
  } catch (error) {
    throw toGatewayError(error);
  } finally {
    if (meta) meta.upstreamMs = performance.now() - started;
  }
}

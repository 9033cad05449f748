/**
 * The contract every client-facing format implements: one codec object per format folder
 * (`core/formats/<name>/codec.ts`), listed once in `registry.ts`. Detection, translation, SSE
 * framing and error envelopes all go through it, so no other file switches on a format.
 */
import type { ZodType } from "zod";
import { GatewayError } from "../errors.ts";
import type { ChunkDecoder, OpenAIResponseContext } from "./openai/chunks.ts";
import type { ChatCompletion, ChatCompletionChunk, ChatRequest, Usage } from "./openai/schema.ts";

/** Ids and names the output side of a conversion needs. */
export interface OutputContext {
  /** The model id as the client sent it. */
  model: string;
  newId: (prefix: string) => string;
  /** Prompt tokens known (or estimated) before a stream starts, for formats that report them
   * at the start (Anthropic's `message_start`). */
  inputTokens?: number;
  /** The client's request as validated in the output's own format, when the client wrote that
   * format (formats whose answers echo request settings, such as Responses, read it). */
  request?: unknown;
  /** The current time (answers that carry a creation time). */
  now?: () => Date;
}

/** Ids, time and model for reading a native answer into the canonical shape. */
export type ReadContext = OpenAIResponseContext & { model: string };

/** Turns canonical chunks into target-format events, one batch per chunk. */
export interface StreamEncoder {
  push(chunk: ChatCompletionChunk): unknown[];
  end(): unknown[];
  /** The events that end a stream the upstream failed after it started (e.g. Responses'
   * `response.failed`); without it, the transport writes the format's error event. */
  fail?(error: GatewayError): unknown[];
}

/** Turns native events into canonical chunks; `end` throws when the stream was cut. */
export type StreamDecoder = ChunkDecoder<unknown>;

/**
 * Watches native events pass unchanged (the same-format fast path): it reads only what usage
 * and completeness need, never converts an event.
 */
export interface UsageTap {
  push(event: unknown): void;
  /** The usage reported so far, if any. */
  usage(): Usage | undefined;
  /** Throws a GatewayError when the stream ended before its format's last event. */
  end(): void;
}

/** How a format frames its events as server-sent events. */
export interface SseFraming {
  /** The `event:` name of an event, or undefined for data-only events. */
  eventName(event: unknown): string | undefined;
  /** `data:` payloads written after the last event on success (e.g. OpenAI's `[DONE]`). */
  trailer: readonly string[];
  /** The `event:` name of the error event (undefined: data-only). */
  errorEvent?: string;
}

/**
 * Reading and writing bodies a provider takes as they are (Bedrock InvokeModel for Claude and
 * Titan bodies): the native fast path's side of a format.
 */
export interface NativeSide<Req> {
  /** The body to send upstream unchanged (gateway-only fields removed), or undefined when this
   * request must take the canonical hub (e.g. it needs file context or fetched URLs). */
  body(request: Req): Record<string, unknown> | undefined;
  /** A native JSON answer → canonical (throws a GatewayError on a malformed body). */
  readResponse(body: unknown, ctx: ReadContext): ChatCompletion;
  /** The usage a native JSON answer reports (read without converting the answer). */
  responseUsage(body: unknown): Usage | undefined;
  /** Native events → canonical chunks, for answers in another format. */
  streamDecoder(ctx: ReadContext): StreamDecoder;
  /** Native events passed through unchanged, watched for usage and completeness. */
  usageTap(): UsageTap;
}

/** The fields every format's request has: the model, the stream flag, the gateway's files. */
export interface RoutedRequest {
  model: string;
  stream?: boolean | null;
  file_ids?: string[];
}

/** One client-facing format. */
export interface FormatCodec<Req extends RoutedRequest = RoutedRequest> {
  /** The format's name (`target_format` value, registry key). */
  readonly name: string;
  /** Validates a request body of this format (HTTP and tRPC alike). */
  readonly schema: ZodType<Req>;
  /** The field whose presence identifies a body of this format (checked in registry order);
   * undefined for the fallback format. */
  readonly marker?: string;
  /** True for a format that detection never picks (no marker, not the fallback): only its own
   * route or procedure names it. */
  readonly routeOnly?: boolean;
  /** True for a body that lost its marker but plainly is this format (its errors are then
   * reported in this format's terms). */
  resembles?(body: Record<string, unknown>): boolean;
  /** What the canonical conversion of a request leaves out, named for the client (Responses'
   * built-in tools); reported in a response header and the log when the request takes the hub. */
  ignoredOnHub?(request: Req): string[];
  /** A request of this format → canonical (pure). */
  toCanonical(request: Req): ChatRequest;
  /** A canonical request → a request body of this format (tRPC `formats.convert`). */
  fromCanonical(request: ChatRequest): Record<string, unknown>;
  /** A canonical completion → this format's answer; undefined means the canonical one as is. */
  encodeResponse?(completion: ChatCompletion, ctx: OutputContext): unknown;
  /** Canonical chunks → this format's events; undefined means the chunks as they are. */
  streamEncoder?(ctx: OutputContext): StreamEncoder;
  /** Whether {@link OutputContext.inputTokens} is needed before a stream starts. */
  readonly wantsInputTokens?: boolean;
  /** This format's error body (also the payload of its streamed error event). */
  errorBody(error: GatewayError): unknown;
  readonly sse: SseFraming;
  /** Present when a provider may take this format's bodies as they are. */
  readonly native?: NativeSide<Req>;
}

/**
 * A native JSON answer as the object it must be; anything else is a 502 naming the format.
 *
 * @example
 * nativeObject<ClaudeResponse>(JSON.parse(text), "Claude");
 */
export function nativeObject<T>(body: unknown, format: string): T {
  if (typeof body !== "object" || body === null) {
    throw new GatewayError("upstream", `The upstream sent a malformed ${format} response.`);
  }
  return body as T;
}

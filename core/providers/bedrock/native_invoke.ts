/**
 * The Bedrock native fast path: a Bedrock Claude body for an Anthropic model, or a Titan body for
 * a Titan model, goes to InvokeModel / InvokeModelWithResponseStream unchanged, and the answer
 * (JSON body, or the JSON events inside the stream's `chunk.bytes`) comes back unchanged. SDK
 * errors — HTTP errors and mid-stream exception frames alike — become GatewayErrors.
 */
import {
  type BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { GatewayError } from "../../errors.ts";
import type { CallContext, NativeCall, NativeFormat, NativeResult } from "../provider.ts";
import { capabilitiesFor, type ModelFamily } from "./capabilities.ts";
import { mapBedrockError } from "./errors.ts";

/** The part of the runtime client the native path uses. */
export type NativeRuntimeSend = Pick<BedrockRuntimeClient, "send">;

const FAMILY_OF_FORMAT: Partial<Record<NativeFormat, ModelFamily>> = {
  bedrock_claude: "anthropic",
  bedrock_titan: "titan",
};

/**
 * True when a `format` body can go to `model` natively: Claude bodies to Anthropic models,
 * Titan bodies to Titan models (by the model family of {@link capabilitiesFor}).
 *
 * @example
 * acceptsNative("bedrock_claude", "us.anthropic.claude-sonnet-4-20250514-v1:0"); // true
 * acceptsNative("bedrock_claude", "amazon.nova-pro-v1:0"); // false
 */
export function acceptsNative(format: NativeFormat, model: string): boolean {
  const family = FAMILY_OF_FORMAT[format];
  return family !== undefined && capabilitiesFor(model).family === family;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Parses an upstream JSON payload; anything else is a 502. */
function parsePayload(bytes: Uint8Array | undefined, what: string): unknown {
  try {
    return JSON.parse(decoder.decode(bytes ?? new Uint8Array()));
  } catch {
    throw new GatewayError("upstream", `Bedrock sent a malformed ${what}.`);
  }
}

/** The stream member names Bedrock uses for exceptions inside a response stream. */
type StreamMember = { chunk?: { bytes?: Uint8Array } } & Record<string, unknown>;

/** Decodes `chunk.bytes` events; exception members and SDK stream errors become GatewayErrors. */
async function* nativeEvents(
  stream: AsyncIterable<unknown>,
  signal: AbortSignal,
): AsyncGenerator<unknown> {
  try {
    for await (const raw of stream) {
      const member = raw as StreamMember;
      if (member.chunk !== undefined) {
        yield parsePayload(member.chunk.bytes, "stream event");
        continue;
      }
      const [name, value] = Object.entries(member).find(([, v]) => v !== undefined) ?? [];
      if (name !== undefined && /Exception$/.test(name)) {
        const error = Object.assign(new Error(String((value as { message?: unknown })?.message)), {
          name: name[0].toUpperCase() + name.slice(1),
        });
        throw error;
      }
      // Unknown members are skipped (forward compatible).
    }
  } catch (error) {
    throw mapBedrockError(error);
  }
  if (signal.aborted) {
    throw new GatewayError("upstream", "The request was cancelled.", { code: "request_cancelled" });
  }
}

/**
 * Sends a native body through InvokeModel (JSON answer) or InvokeModelWithResponseStream
 * (decoded events). The promise rejects for errors before the upstream accepted the request.
 *
 * @example
 * const result = await invokeNative(client, "bedrock_claude",
 *   { anthropic_version: "bedrock-2023-05-31", max_tokens: 50, messages },
 *   { model: "anthropic.claude-3-haiku-20240307-v1:0", stream: false }, ctx);
 * // { stream: false, body: { id: "msg_…", type: "message", … } }
 */
export async function invokeNative(
  client: NativeRuntimeSend,
  _format: NativeFormat,
  body: Record<string, unknown>,
  call: NativeCall,
  ctx: CallContext,
): Promise<NativeResult> {
  const input = {
    modelId: call.model,
    contentType: "application/json",
    accept: "application/json",
    body: encoder.encode(JSON.stringify(body)),
  };
  const options = { abortSignal: ctx.signal };
  if (!call.stream) {
    let response: { body?: Uint8Array };
    try {
      response = await client.send(new InvokeModelCommand(input), options);
    } catch (error) {
      throw mapBedrockError(error);
    }
    return { stream: false, body: parsePayload(response.body, "response") };
  }
  let stream: AsyncIterable<unknown> | undefined;
  try {
    const response = await client.send(
      new InvokeModelWithResponseStreamCommand(input),
      options,
    );
    stream = response.body;
  } catch (error) {
    throw mapBedrockError(error);
  }
  if (stream === undefined) {
    throw new GatewayError("upstream", "Bedrock answered without an event stream.");
  }
  return { stream: true, events: nativeEvents(stream, ctx.signal) };
}

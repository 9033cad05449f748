/**
 * The OpenAI provider's native path for upstreams that speak the Responses API: a Responses
 * body goes to `POST /responses` as it is (model set to the provider-side id, `stream` as the
 * call asks), and its JSON answer or its events come back unchanged. Retries, deadlines, the
 * response-size bound and error mapping are the provider's, as for chat completions.
 */
import { GatewayError } from "../../errors.ts";
import { readBoundedBody } from "../bounded_body.ts";
import type { NativeCall, NativeResult } from "../provider.ts";
import { type RetryPolicy, type RetryTarget, withRetries } from "../retry.ts";
import { mapOpenAIError } from "./errors.ts";
import { decodeSseJson } from "./sse_decoder.ts";
import type { OpenAITransport } from "./transport.ts";

/** What the native Responses call needs from its provider. */
export interface ResponsesNativeOptions {
  transport: OpenAITransport;
  retry: RetryPolicy;
  target: (signal: AbortSignal | undefined) => RetryTarget;
  maxResponseBytes: number;
}

const LABEL = "The OpenAI upstream";
const decoder = new TextDecoder();

function parseBody(bytes: Uint8Array): unknown {
  try {
    const value = JSON.parse(decoder.decode(bytes));
    if (typeof value === "object" && value !== null) return value;
  } catch {
    // reported below
  }
  throw new GatewayError("upstream", "The OpenAI upstream sent a malformed Responses answer.");
}

/**
 * Sends a Responses body upstream and returns its answer unchanged.
 *
 * @example
 * await invokeResponses(options, { input: "Hi" }, { model: "gpt-4o", stream: false }, signal);
 */
export async function invokeResponses(
  options: ResponsesNativeOptions,
  native: Record<string, unknown>,
  call: NativeCall,
  signal: AbortSignal,
): Promise<NativeResult> {
  const { transport } = options;
  const body = { ...native, model: call.model, stream: call.stream };
  if (!call.stream) {
    return await withRetries(options.retry, options.target(signal), async (attempt) => {
      try {
        const response = await transport.post("/responses", body, attempt.signal);
        const bytes = await readBoundedBody(
          response,
          options.maxResponseBytes,
          attempt.deadline,
          LABEL,
        );
        return { stream: false as const, body: parseBody(bytes) };
      } finally {
        attempt.deadline.done();
      }
    });
  }
  // An attempt lasts until the first event, as for chat completions.
  const { deadline, events, first } = await withRetries(
    options.retry,
    options.target(signal),
    async (attempt) => {
      const response = await transport.post("/responses", body, attempt.signal);
      if (response.body === null) {
        throw new GatewayError("upstream", "The OpenAI upstream sent an empty stream.");
      }
      const events = decodeSseJson(
        response.body,
        () => attempt.deadline.touch(),
        options.maxResponseBytes,
      );
      return { deadline: attempt.deadline, events, first: await events.next() };
    },
  );
  async function* rest(): AsyncIterable<unknown> {
    let completed = false;
    try {
      for (let step = first; !step.done; step = await events.next()) yield step.value;
      completed = true;
    } catch (error) {
      throw deadline.fired ? deadline.timeoutError() : mapOpenAIError(error);
    } finally {
      if (completed) deadline.done();
      else deadline.cancel();
      await events.return(false).catch(() => {});
    }
  }
  return { stream: true, events: rest() };
}

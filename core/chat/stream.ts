/**
 * The stream wrapper of the chat pipeline: priming (errors before the first item reject, so
 * they become ordinary HTTP errors), usage metering, and the canonical → target encoding loop.
 */
import { GatewayError, toGatewayError } from "../errors.ts";
import type { StreamEncoder } from "../formats/codec.ts";
import type { ChatCompletionChunk } from "../formats/openai/schema.ts";
import type { RequestMeta } from "./request_meta.ts";

/**
 * Resolves once the first item arrived. The returned iterable yields every item `look` does not
 * refuse (`false`), calls `end` once the upstream finished (it may throw: a cut stream), and
 * throws later errors as GatewayErrors; closing it closes the upstream.
 *
 * @example
 * const chunks = await primed(provider.stream(request, ctx), meterChunks(meta));
 */
export async function primed<T>(
  items: AsyncIterable<T>,
  look?: (item: T) => boolean | void,
  end?: () => void,
): Promise<AsyncIterable<T>> {
  const iterator = items[Symbol.asyncIterator]();
  let first: IteratorResult<T>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw toGatewayError(error);
  }
  return (async function* () {
    try {
      for (let step = first; !step.done; step = await iterator.next()) {
        if (look === undefined || look(step.value) !== false) yield step.value;
      }
      end?.();
    } catch (error) {
      throw toGatewayError(error);
    } finally {
      await iterator.return?.();
    }
  })();
}

/**
 * A `look` for {@link primed} over canonical chunks: records the usage they report in `meta`;
 * with `hideUsage` (an OpenAI-format client that did not ask for usage, which the gateway
 * always collects) it drops the usage-only chunk and the `usage: null` field, as OpenAI does.
 *
 * @example
 * primed(chunks, meterChunks(meta, true));
 */
export function meterChunks(
  meta: RequestMeta | undefined,
  hideUsage = false,
): (chunk: ChatCompletionChunk) => boolean {
  return (chunk) => {
    const usage = chunk.usage;
    if (usage) {
      if (meta) meta.usage = usage;
      return !(hideUsage && chunk.choices.length === 0);
    }
    if (hideUsage && usage === null) delete chunk.usage;
    return true;
  };
}

/**
 * Maps a canonical chunk stream to target-format events.
 *
 * @example
 * for await (const event of encodeStream(chunks, codecOf("bedrock_claude").streamEncoder!(ctx))) …
 */
export async function* encodeStream(
  chunks: AsyncIterable<ChatCompletionChunk>,
  encoder: StreamEncoder,
): AsyncGenerator<unknown> {
  try {
    for await (const chunk of chunks) yield* encoder.push(chunk);
  } catch (error) {
    if (encoder.fail === undefined) throw error;
    const failure = toGatewayError(error);
    yield* encoder.fail(failure);
    throw new ReportedStreamError(failure);
  }
  yield* encoder.end();
}

/**
 * A stream failure the target format's encoder already wrote into the stream (Responses'
 * `response.failed`): the transport ends the stream without writing an error event of its own.
 */
export class ReportedStreamError extends GatewayError {
  constructor(readonly original: GatewayError) {
    super(original.kind, original.message, { code: original.code, param: original.param });
  }
}

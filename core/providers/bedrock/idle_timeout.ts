/**
 * `UPSTREAM_TIMEOUT_MS` for Bedrock, enforced by the gateway rather than by the HTTP handler's
 * socket timer (which Deno's `node:http` layer does not fire): a wrapper around the runtime
 * client's `send` that aborts the call when Bedrock sends nothing for `timeoutMs` — before the
 * response, or between two events of a stream — and reports it as a 504 `upstream_timeout`.
 */
import { GatewayError } from "../../errors.ts";

// deno-lint-ignore no-explicit-any
type Send = (command: any, options?: { abortSignal?: AbortSignal }) => Promise<any>;

/**
 * Wraps a client so every `send` has an idle deadline; the caller's `abortSignal` still aborts.
 *
 * @example
 * const runtime = withIdleTimeout(new BedrockRuntimeClient({ region }), 600_000);
 */
export function withIdleTimeout<C extends { send: Send }>(
  client: C,
  timeoutMs: number,
): Pick<C, "send"> {
  const timeoutError = () =>
    new GatewayError(
      "timeout",
      `Bedrock sent nothing for ${timeoutMs} ms (UPSTREAM_TIMEOUT_MS).`,
    );

  const send: Send = async (command, options = {}) => {
    const controller = new AbortController();
    const outer = options.abortSignal;
    const onOuter = () => controller.abort(outer?.reason);
    if (outer?.aborted) onOuter();
    else outer?.addEventListener("abort", onOuter, { once: true });
    let fired = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        fired = true;
        controller.abort();
      }, timeoutMs);
    };
    const done = () => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuter);
    };

    arm();
    let response;
    try {
      response = await client.send(command, { ...options, abortSignal: controller.signal });
    } catch (error) {
      done();
      throw fired ? timeoutError() : error;
    }
    // Event streams: ConverseStream's `stream`, InvokeModelWithResponseStream's `body`.
    const key = ["stream", "body"].find((k) =>
      typeof response?.[k]?.[Symbol.asyncIterator] === "function"
    );
    if (key === undefined) {
      done();
      return response;
    }
    const events: AsyncIterable<unknown> = response[key];
    response[key] = (async function* () {
      try {
        for await (const event of events) {
          arm();
          yield event;
        }
        if (fired) throw timeoutError();
      } catch (error) {
        throw fired ? timeoutError() : error;
      } finally {
        done();
      }
    })();
    return response;
  };

  return { send } as Pick<C, "send">;
}

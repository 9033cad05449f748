import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { silentLogger } from "../../../core/logger.ts";
import { withResilientSend } from "../../../core/providers/bedrock/resilient_send.ts";

// deno-lint-ignore no-explicit-any
const withIdleTimeout = (client: { send: (...args: any[]) => Promise<any> }, timeoutMs: number) =>
  withResilientSend(client, { retry: { maxRetries: 0, timeoutMs }, logger: silentLogger });

/** A stand-in for the SDK client: answers with a stream that stalls after `events` events. */
function stallingClient(events: number) {
  let seen: AbortSignal | undefined;
  return {
    get signal() {
      return seen;
    },
    send(_command: unknown, options: { abortSignal?: AbortSignal } = {}) {
      seen = options.abortSignal;
      const signal = seen!;
      return Promise.resolve({
        stream: (async function* () {
          for (let i = 0; i < events; i++) yield { n: i };
          await new Promise((_, reject) => {
            const abort = () => reject(new DOMException("x", "AbortError"));
            if (signal.aborted) abort();
            else signal.addEventListener("abort", abort);
          });
        })(),
      });
    },
  };
}

Deno.test("withResilientSend: a stream that stalls between events becomes upstream_timeout", async () => {
  const client = stallingClient(2);
  const wrapped = withIdleTimeout(client, 50);
  const response = await wrapped.send({});
  const got: unknown[] = [];
  await assert.rejects(
    async () => {
      for await (const event of response.stream) got.push(event);
    },
    (error: unknown) => error instanceof GatewayError && error.code === "upstream_timeout",
  );
  assert.equal(got.length, 2);
  assert.equal(client.signal?.aborted, true, "the upstream call is aborted");
});

Deno.test("withResilientSend: the caller's abort passes through and is not a timeout", async () => {
  const client = stallingClient(0);
  const caller = new AbortController();
  // The first event is awaited inside `send` (it ends the attempt), so the abort lands there.
  const sending = withIdleTimeout(client, 10_000).send({}, { abortSignal: caller.signal });
  caller.abort();
  await assert.rejects(
    sending,
    (error: unknown) => error instanceof GatewayError && error.code === "request_cancelled",
  );
  assert.equal(client.signal?.aborted, true);
});

Deno.test("withResilientSend: plain answers pass through and clear the timer", async () => {
  const client = { send: (_command: unknown) => Promise.resolve({ output: "ok" }) };
  assert.deepEqual(await withIdleTimeout(client, 10).send({}), { output: "ok" });
});

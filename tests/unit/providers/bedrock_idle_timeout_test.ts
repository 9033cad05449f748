import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { withIdleTimeout } from "../../../core/providers/bedrock/idle_timeout.ts";

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
          await new Promise((_, reject) =>
            signal.addEventListener("abort", () => reject(new DOMException("x", "AbortError")))
          );
        })(),
      });
    },
  };
}

Deno.test("withIdleTimeout: a stream that stalls between events becomes upstream_timeout", async () => {
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

Deno.test("withIdleTimeout: the caller's abort passes through and is not a timeout", async () => {
  const client = stallingClient(0);
  const caller = new AbortController();
  const response = await withIdleTimeout(client, 10_000).send({}, { abortSignal: caller.signal });
  const iterating = (async () => {
    for await (const _ of response.stream) { /* drain */ }
  })();
  caller.abort();
  await assert.rejects(iterating, (error: unknown) => !(error instanceof GatewayError));
  assert.equal(client.signal?.aborted, true);
});

Deno.test("withIdleTimeout: plain answers pass through and clear the timer", async () => {
  const client = { send: (_command: unknown) => Promise.resolve({ output: "ok" }) };
  assert.deepEqual(await withIdleTimeout(client, 10).send({}), { output: "ok" });
});

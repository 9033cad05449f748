/**
 * The bare Deno passthrough proxies: the floors for any Deno gateway. Each reads the request
 * body, forwards it to the upstream (same path) and streams the answer back.
 *
 * Modes (second argument):
 * - `fetch` (default): `fetch` the upstream and hand its body to the runtime, which pipes the
 *   bytes without JavaScript ever seeing them — the floor for any Deno proxy.
 * - `sdk`: the same, but the upstream call is made by the official `openai` SDK (as the gateway's
 *   OpenAI provider must) — the floor for a gateway built on the SDK.
 * - `sdk-relay`: the SDK call, then every upstream chunk read by JavaScript and re-enqueued
 *   unparsed — the floor for a gateway that looks at a stream at all (usage, errors, idle
 *   deadline, format conversion).
 * - `transform`: `fetch`, then every upstream chunk through a no-op TransformStream (its
 *   `transform` re-enqueues the chunk) — the JS relay floor for any Deno gateway that sees every
 *   upstream event.
 * - `aws-sdk`: a native Converse / ConverseStream body (`/model/{id}/converse[-stream]`) sent
 *   with `@aws-sdk/client-bedrock-runtime` and its answer written back without conversion (the
 *   SDK's output object as JSON; each stream event as one `data:` line) — the floor for a
 *   gateway built on the AWS SDK.
 *
 * Usage: `deno run --allow-net tests/performance/passthrough.ts <upstream-origin> [mode]`. Prints
 * `{"port":N}` on stdout once listening.
 */
import OpenAI from "openai";
import type { ConverseCommandInput } from "@aws-sdk/client-bedrock-runtime";

/** The proxy modes, in order of cost. */
export const PASSTHROUGH_MODES = ["fetch", "sdk", "sdk-relay", "transform", "aws-sdk"] as const;
/** One proxy mode. */
export type PassthroughMode = typeof PASSTHROUGH_MODES[number];

/** Forwards each chunk through JavaScript, one pull at a time (backpressure kept). */
export function relay(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const step = await reader.read();
      if (step.done) controller.close();
      else controller.enqueue(step.value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

const encoder = new TextEncoder();

/** The AWS SDK call alone: Converse answers as JSON, ConverseStream events as `data:` lines. */
async function awsSdkHandler(upstream: string): Promise<(request: Request) => Promise<Response>> {
  // Imported only in this mode: the SDK reads env, files and OS facts that the other proxies
  // are not granted.
  const { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } = await import(
    "@aws-sdk/client-bedrock-runtime"
  );
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: upstream,
    credentials: { accessKeyId: "AKIDBENCHMARK000000", secretAccessKey: "bench-secret-key" },
    maxAttempts: 1,
  });
  return async (request) => {
    const [, , encodedModel, op] = new URL(request.url).pathname.split("/");
    const input = {
      ...(await request.json()),
      modelId: decodeURIComponent(encodedModel),
    } as ConverseCommandInput;
    if (op !== "converse-stream") {
      const { $metadata: _, ...output } = await client.send(new ConverseCommand(input), {
        abortSignal: request.signal,
      });
      return Response.json(output);
    }
    const answer = await client.send(new ConverseStreamCommand(input), {
      abortSignal: request.signal,
    });
    const events = answer.stream![Symbol.asyncIterator]();
    return new Response(
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          const step = await events.next();
          if (step.done) controller.close();
          else controller.enqueue(encoder.encode(`data: ${JSON.stringify(step.value)}\n\n`));
        },
        cancel: async () => void await events.return?.(),
      }, { highWaterMark: 0 }),
      { headers: { "content-type": "text/event-stream" } },
    );
  };
}

/** Forwards the request to the same path on `upstream` with a bare `fetch`. */
async function forward(upstream: string, request: Request): Promise<Response> {
  const url = new URL(request.url);
  return await fetch(upstream + url.pathname + url.search, {
    method: request.method,
    headers: { "content-type": request.headers.get("content-type") ?? "application/json" },
    body: request.method === "GET" ? undefined : await request.arrayBuffer(),
    signal: request.signal,
  });
}

/** The proxy's request handler for `mode`. */
export function createPassthrough(
  upstream: string,
  mode: PassthroughMode,
): (request: Request) => Promise<Response> {
  if (mode === "aws-sdk") {
    const handler = awsSdkHandler(upstream);
    return async (request) => (await handler)(request);
  }
  const client = new OpenAI({ apiKey: "sk-passthrough", baseURL: `${upstream}/v1`, maxRetries: 0 });
  const noop = () =>
    new TransformStream<Uint8Array, Uint8Array>({ transform: (chunk, c) => c.enqueue(chunk) });
  return async (request) => {
    const answer = mode === "fetch" || mode === "transform"
      ? await forward(upstream, request)
      : await client.chat.completions.create(await request.json(), { signal: request.signal })
        .asResponse();
    const body = answer.body === null
      ? null
      : mode === "sdk-relay"
      ? relay(answer.body)
      : mode === "transform"
      ? answer.body.pipeThrough(noop())
      : answer.body;
    return new Response(body, {
      status: answer.status,
      headers: {
        "content-type": answer.headers.get("content-type") ?? "application/octet-stream",
      },
    });
  };
}

if (import.meta.main) {
  const mode = (Deno.args[1] ?? "fetch") as PassthroughMode;
  if (!PASSTHROUGH_MODES.includes(mode)) throw new Error(`unknown passthrough mode ${mode}`);
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (addr) => console.log(JSON.stringify({ port: addr.port })),
  }, createPassthrough(Deno.args[0] ?? "http://127.0.0.1:8001", mode));
}

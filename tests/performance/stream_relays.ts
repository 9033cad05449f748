/**
 * The relay processes of `stream_mechanisms.ts`: one small server per way of relaying an OpenAI
 * SSE stream, each answering `POST /v1/chat/completions` by fetching the same path on the
 * upstream and relaying the body its way, and `GET /cpu` with its `process.cpuUsage()`.
 *
 * Usage: `deno run -A tests/performance/stream_relays.ts <mechanism> <upstream-origin>`. Prints
 * `{"port":N}` on stdout once listening; exits cleanly on SIGTERM (so `--cpu-prof` writes).
 */
import process from "node:process";
import http from "node:http";
import { Buffer } from "node:buffer";
import { decodeSseJson } from "../../core/providers/openai/sse_decoder.ts";
import { startSseRelay } from "../../core/providers/openai/sse_relay.ts";
import { GatewayError } from "../../core/errors.ts";
import { sseFormatFor, toSseStream } from "../../server/sse.ts";
import { relay } from "./passthrough.ts";

/** The mechanisms, floor first. */
export const MECHANISMS = [
  "native",
  "transform",
  "pull",
  "byob",
  "from-generator",
  "node-http",
  "iterator",
  "sse-relay",
  "sse-relay-usage",
] as const;
/** One mechanism. */
export type Mechanism = typeof MECHANISMS[number];

/** The JS relay floor the others are compared with. */
export const JS_RELAY_FLOOR: Mechanism = "transform";

function byobRelay(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader({ mode: "byob" });
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 65_536,
    async pull(controller) {
      const request = controller.byobRequest!;
      const view = request.view as Uint8Array<ArrayBuffer>;
      const step = await reader.read(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      if (step.done) {
        controller.close();
        request.respond(0);
      } else {
        request.respondWithNewView(step.value);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

function generatorRelay(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return ReadableStream.from((async function* () {
    for await (const bytes of body) yield bytes;
  })());
}

type Chunk = { choices: Array<{ finish_reason?: string | null }>; usage?: unknown };

/** The gateway's pre-relay object path, with its real decoder and SSE framing. */
function iteratorRelay(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const events = decodeSseJson(body, () => {}, 67_108_864);
  const provider = (async function* () {
    let finished = false;
    let step = await events.next();
    for (; !step.done; step = await events.next()) {
      const chunk = step.value as Chunk;
      if (!Array.isArray(chunk?.choices)) throw new GatewayError("upstream", "malformed");
      if (!finished) finished = chunk.choices[0]?.finish_reason != null;
      yield chunk;
    }
    if (!step.value && !finished) throw new GatewayError("upstream", "cut");
  })();
  const service = (async function* () {
    for await (const chunk of provider) {
      if (chunk.choices.length === 0 && chunk.usage != null) continue;
      if (chunk.usage === null) delete chunk.usage;
      yield chunk;
    }
  })();
  return toSseStream(service, sseFormatFor("openai"));
}

async function sseRelay(body: ReadableStream<Uint8Array>, includeUsage: boolean) {
  const relay = await startSseRelay(body, {
    includeUsage,
    onUsage: () => {},
    touch: () => {},
    maxBytes: 67_108_864,
    mapError: (error) => new GatewayError("upstream", String(error)),
    cut: () => new GatewayError("upstream", "cut"),
  });
  return relay.open();
}

function nodeHttpBody(upstream: string, body: string, signal: AbortSignal) {
  return new Promise<ReadableStream<Uint8Array>>((resolve, reject) => {
    const request = http.request(`${upstream}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      signal,
    }, (response) => {
      resolve(
        new ReadableStream<Uint8Array>({
          start(controller) {
            response.on("data", (bytes: Uint8Array) => {
              controller.enqueue(bytes);
              if ((controller.desiredSize ?? 1) <= 0) response.pause();
            });
            response.on("end", () => controller.close());
            response.on("error", (error) => controller.error(error));
          },
          pull: () => void response.resume(),
          cancel: () => void response.destroy(),
        }, { highWaterMark: 1 }),
      );
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** The relay's request handler for `mechanism`. */
export function relayHandler(
  upstream: string,
  mechanism: Mechanism,
): (request: Request) => Promise<Response> {
  const headers = { "content-type": "text/event-stream" };
  return async (request) => {
    if (request.method === "GET") {
      return Response.json(process.cpuUsage());
    }
    const text = await request.text();
    if (mechanism === "node-http") {
      return new Response(await nodeHttpBody(upstream, text, request.signal), { headers });
    }
    const answer = await fetch(`${upstream}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: text,
      signal: request.signal,
    });
    const body = answer.body!;
    switch (mechanism) {
      case "native":
        return new Response(body, { headers });
      case "transform":
        return new Response(
          body.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({ transform: (c, ctl) => ctl.enqueue(c) }),
          ),
          { headers },
        );
      case "pull":
        return new Response(relay(body), { headers });
      case "byob":
        return new Response(byobRelay(body), { headers });
      case "from-generator":
        return new Response(generatorRelay(body), { headers });
      case "iterator":
        return new Response(iteratorRelay(body), { headers });
      case "sse-relay":
        return new Response(await sseRelay(body, false), { headers });
      case "sse-relay-usage":
        return new Response(await sseRelay(body, true), { headers });
      default:
        throw new Error(`unknown mechanism ${mechanism}`);
    }
  };
}

if (import.meta.main) {
  const mechanism = Deno.args[0] as Mechanism;
  if (!MECHANISMS.includes(mechanism)) throw new Error(`unknown mechanism ${mechanism}`);
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (addr) => console.log(JSON.stringify({ port: addr.port })),
  }, relayHandler(Deno.args[1] ?? "http://127.0.0.1:8001", mechanism));
}

/**
 * `MAX_RESPONSE_BYTES` for Bedrock's JSON answers (Converse, InvokeModel, error bodies): the
 * SDK reads those bodies itself, so the bound sits in its HTTP handler. A declared
 * `content-length` over the bound is refused before reading; a body that grows past it fails at
 * the chunk that crosses it (a 502). Event streams are not bounded here: they are forwarded event
 * by event, never buffered whole.
 */
import { NodeHttpHandler, type NodeHttpHandlerOptions } from "@smithy/node-http-handler";
import { pipeline, type Readable, Transform } from "node:stream";
import { tooLargeError } from "../bounded_body.ts";

type HandleArgs = Parameters<NodeHttpHandler["handle"]>;

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  for (const key in headers) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}

/** A counting pass-through that fails once more than `maxBytes` went through. */
function limiter(maxBytes: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Uint8Array, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes) callback(tooLargeError("Bedrock", maxBytes));
      else callback(null, chunk);
    },
  });
}

/**
 * The SDK's Node HTTP handler with a bound on non-stream response bodies.
 *
 * @example
 * new BedrockRuntimeClient({ requestHandler: new BoundedHttpHandler(64 * 1024 * 1024, { httpAgent }) });
 */
export class BoundedHttpHandler extends NodeHttpHandler {
  readonly #maxBytes: number;

  constructor(maxBytes: number, options?: NodeHttpHandlerOptions) {
    super(options);
    this.#maxBytes = maxBytes;
  }

  override async handle(request: HandleArgs[0], options?: HandleArgs[1]) {
    const out = await super.handle(request, options);
    const { headers } = out.response;
    if ((header(headers, "content-type") ?? "").includes("eventstream")) return out;
    const body = out.response.body as Readable;
    if (Number(header(headers, "content-length") ?? NaN) > this.#maxBytes) {
      body.destroy();
      throw tooLargeError("Bedrock", this.#maxBytes);
    }
    out.response.body = pipeline(body, limiter(this.#maxBytes), () => {});
    return out;
  }
}

/**
 * The head of a streaming tRPC answer (`httpBatchStreamLink`'s JSON lines) held back until the
 * call's outcome is known: tRPC answers a streamed batch 200 at once and reports a failed call
 * inside the stream, so a refused `chat.stream` (400 validation, 404 model, an upstream 429 or
 * 502 before the first chunk) would look like a successful response. For a batch of one call,
 * this reads the first two lines — the head, then the call's result or error — and turns an
 * error into a plain JSON answer with the error's own HTTP status (which the stream link reads
 * as the call's `TRPCClientError`); otherwise the stream goes on untouched.
 */
import superjson, { type SuperJSONResult } from "superjson";

/** The call failed before streaming: the status and body to answer instead. */
export interface RefusedStream {
  status: number;
  body: { error: SuperJSONResult };
  /** tRPC's error code, for the access log. */
  code: string;
}

interface ErrorShape {
  data?: { httpStatus?: unknown; code?: unknown };
}

/** The error of the call's first line (`[id, fulfilled, [[{ error }]]]`), if it is one. */
function callError(line: string): ErrorShape | undefined {
  let value: unknown;
  try {
    value = superjson.deserialize(JSON.parse(line) as SuperJSONResult);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value[1] !== 0) return undefined;
  const first = (value[2] as unknown[][] | undefined)?.[0]?.[0];
  if (typeof first !== "object" || first === null || !("error" in first)) return undefined;
  return first.error as ErrorShape;
}

/**
 * Waits for the call's outcome in `response` (a 200 JSON-lines answer to a batch of one). Resolves
 * with the answer to send: `response`'s stream, its consumed head replayed, or a
 * {@link RefusedStream} (the stream then cancelled, which aborts the call).
 */
export async function settleStreamHead(response: Response): Promise<Response | RefusedStream> {
  if (response.status !== 200 || response.body === null) return response;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const consumed: Uint8Array[] = [];
  let text = "";
  let done = false;
  while (!done && text.split("\n").length < 3) {
    const next = await reader.read();
    if (next.done) done = true;
    else {
      consumed.push(next.value);
      text += decoder.decode(next.value, { stream: true });
    }
  }
  const lines = text.split("\n");
  const error = lines.length >= 3 ? callError(lines[1]) : undefined;
  if (error !== undefined) {
    await reader.cancel().catch(() => {});
    const status = typeof error.data?.httpStatus === "number" ? error.data.httpStatus : 500;
    const code = typeof error.data?.code === "string" ? error.data.code : "INTERNAL_SERVER_ERROR";
    return { status, code, body: { error: superjson.serialize(error) } };
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const bytes of consumed) controller.enqueue(bytes);
      if (done) controller.close();
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

/**
 * Reads a non-streaming upstream answer with a size bound (`MAX_RESPONSE_BYTES`): a declared
 * `content-length` over the bound is refused before reading, and a body that grows past it is
 * cancelled at the first chunk that crosses it. Either way a 502, never an unbounded buffer.
 */
import { GatewayError } from "../errors.ts";
import type { UpstreamDeadline } from "./deadline.ts";

/** Answers up to this size with a declared length are read in one native call. */
const NATIVE_READ_BYTES = 1024 * 1024;

/** The 502 for an answer over the bound. */
export function tooLargeError(label: string, maxBytes: number): GatewayError {
  return new GatewayError(
    "upstream",
    `${label} sent an answer larger than ${maxBytes} bytes (MAX_RESPONSE_BYTES).`,
  );
}

/**
 * The body's bytes, at most `maxBytes`; `deadline.touch()` is called per chunk (idle rule). An
 * answer that declares at most 1 MiB is read in one native call, so for it the deadline bounds
 * the whole body.
 *
 * @example
 * const bytes = await readBoundedBody(response, 64 * 1024 * 1024, deadline, "The OpenAI upstream");
 */
export async function readBoundedBody(
  response: Response,
  maxBytes: number,
  deadline: UpstreamDeadline,
  label: string,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLargeError(label, maxBytes);
  }
  if (response.body === null) return new Uint8Array(0);
  if (Number.isInteger(declared) && declared <= NATIVE_READ_BYTES) {
    // A small answer of known length: one native read (the runtime's fast path for bodies it
    // owns), under the attempt's deadline, instead of a JavaScript loop per chunk.
    const bytes = new Uint8Array(await response.arrayBuffer());
    deadline.touch();
    return bytes;
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      deadline.touch();
      total += value.length;
      if (total > maxBytes) throw tooLargeError(label, maxBytes);
      parts.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

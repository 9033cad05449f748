/**
 * A lean decoder for OpenAI's `text/event-stream` responses: bytes in, parsed `data:` payloads
 * out, stopping at `data: [DONE]`. One TextDecoder pass and one JSON.parse per event, and no
 * per-line objects, so streaming costs little more than the bytes themselves.
 */
import { GatewayError } from "../../errors.ts";

/** Splits the data lines out of one SSE event block; null when it has none. */
function eventData(block: string): string | null {
  let data: string | null = null;
  for (const line of block.split("\n")) {
    if (!line.startsWith("data:")) continue; // comments, `event:`, `id:`, `retry:`
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    data = data === null ? value : `${data}\n${value}`;
  }
  return data;
}

/**
 * Yields each event's parsed JSON `data` until `[DONE]` or the end of the body, and returns
 * whether `[DONE]` came (false: the body just ended). An event whose payload carries `error`
 * (OpenAI's in-stream error) is thrown as an upstream GatewayError. `onBytes` is called per
 * chunk of bytes read (the idle deadline's `touch`); one event longer than `maxEventChars` is a
 * 502 (`MAX_RESPONSE_BYTES`), not an unbounded buffer.
 *
 * @example
 * for await (const chunk of decodeSseJson(response.body!)) console.log(chunk);
 */
export async function* decodeSseJson(
  body: ReadableStream<Uint8Array>,
  onBytes?: () => void,
  maxEventChars = Number.POSITIVE_INFINITY,
): AsyncGenerator<unknown, boolean> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const bytes of body) {
    onBytes?.();
    buffer += decoder.decode(bytes, { stream: true });
    if (buffer.includes("\r")) buffer = buffer.replace(/\r\n?/g, "\n");
    let end: number;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const data = eventData(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (data === null) continue;
      if (data === "[DONE]") return true;
      yield parseEvent(data);
    }
    if (buffer.length > maxEventChars) {
      throw new GatewayError(
        "upstream",
        `The OpenAI upstream sent a stream event larger than ${maxEventChars} bytes (MAX_RESPONSE_BYTES).`,
      );
    }
  }
  const rest = eventData((buffer + decoder.decode()).trim());
  if (rest === "[DONE]") return true;
  if (rest !== null) yield parseEvent(rest);
  return false;
}

function parseEvent(data: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new GatewayError("upstream", "The OpenAI upstream sent a malformed stream event.");
  }
  const error = (value as { error?: { message?: unknown } } | null)?.error;
  if (error !== undefined && error !== null) {
    const message = typeof error.message === "string" ? error.message : "stream error";
    throw new GatewayError("upstream", `OpenAI upstream stream error: ${message}`);
  }
  return value;
}

/**
 * Reading server-sent events from a response body in tests.
 */

/** One parsed SSE event. */
export interface SseEvent {
  /** The `event:` name, when present. */
  event?: string;
  /** The raw `data:` payload (lines joined by `\n`). */
  data: string;
}

/** Parses an SSE text into events (blank-line separated; `data:` lines joined). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (block.trim() === "") continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    events.push(event === undefined ? { data: data.join("\n") } : { event, data: data.join("\n") });
  }
  return events;
}

/** Reads the whole body and parses it as SSE. */
export async function readSse(response: Response): Promise<SseEvent[]> {
  return parseSse(await response.text());
}

/**
 * The `data:` payloads of an OpenAI-style stream: JSON objects parsed, `[DONE]` kept as the
 * string `"[DONE]"`.
 */
export async function readDataEvents(response: Response): Promise<unknown[]> {
  return (await readSse(response)).map((e) => (e.data === "[DONE]" ? e.data : JSON.parse(e.data)));
}

/**
 * Reads from a streaming body until `count` complete events arrived; leaves the stream open.
 * Returns the events and the reader (cancel it or keep reading).
 */
export async function readEvents(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  count: number,
): Promise<SseEvent[]> {
  const decoder = new TextDecoder();
  let text = "";
  while ((text.match(/\n\n/g) ?? []).length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return parseSse(text);
}

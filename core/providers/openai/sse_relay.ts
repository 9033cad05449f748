/**
 * The OpenAI→OpenAI stream relay: the upstream's SSE bytes go to the client as they came, one
 * write per upstream read (complete events only, coalesced), while the gateway looks only where
 * it must. Each read is viewed as a one-byte-per-char string (`latin1Slice`, so string offsets
 * are byte offsets) and searched natively: `"usage"` (the usage tap parses only events whose
 * usage is an object; when the client did not ask for usage the usage-only chunk is dropped and
 * `"usage":null` is cut out of the bytes), `"finish_reason"` (until the first non-null one),
 * `"error"` (an in-stream error ends the stream with the gateway's error event) and a
 * `data: [DONE]` line. Everything else is forwarded without being parsed.
 *
 * In JSON text a key's quotes are never escaped and raw newlines never occur inside strings, so
 * `"usage"` in the bytes is always a key and a line start is always an SSE line start.
 */
import { Buffer } from "node:buffer";
import { clientClosedError, GatewayError, shuttingDownError } from "../../errors.ts";
import { openaiErrorBody } from "../../formats/openai/errors.ts";
import type { Usage } from "../../formats/openai/schema.ts";

/** What the relay needs besides the upstream body. */
export interface SseRelayOptions {
  /** The client asked for usage (`stream_options.include_usage`); the upstream always is asked. */
  includeUsage: boolean;
  /** Called with the usage of each event that carries one (the gateway's log and metering). */
  onUsage?: (usage: Usage) => void;
  /** Called once per upstream read (the idle deadline's `touch`). */
  touch?: () => void;
  /** Bound on the bytes held for one incomplete event (`MAX_RESPONSE_BYTES`). */
  maxBytes: number;
  /** Maps a failed upstream read (reset, idle deadline) to a GatewayError. */
  mapError: (error: unknown) => GatewayError;
  /** The error for a body that ends before any finish_reason and without `data: [DONE]`. */
  cut: () => GatewayError;
  /** Called once when the stream settles: `completed` false after an error or cancellation. */
  onSettled?: (completed: boolean) => void;
}

/** What the transport attaches when it writes the relay. */
export interface SseRelayHooks {
  /** Called once with the error (if any) when the stream finishes, or with `clientClosedError()`
   * when it is cancelled (the client left). */
  onEnd?: (error?: GatewayError) => void;
  /** When it aborts (shutdown grace over), an open stream ends with `server_shutting_down`. */
  stop?: AbortSignal;
}

const latin1 = Buffer.prototype.latin1Slice as unknown as (
  this: Uint8Array,
  start: number,
  end: number,
) => string;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);
/** Bytes one read of a byte stream may fill. */
const READ_BYTES = 16_384;
const DONE_LINE = "data: [DONE]";
const DONE_EVENT = encoder.encode(`${DONE_LINE}\n\n`);

/** The OpenAI-format error event the gateway writes when a stream fails after it started. */
export function openaiErrorEvent(error: GatewayError): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(openaiErrorBody(error))}\n\n`);
}

const isSpace = (c: number) => c === 32 || c === 9;

/** Offset of the value after a key ending at `from` (skips `:` and blanks); -1 if malformed. */
function valueAt(s: string, from: number): number {
  let i = from;
  while (isSpace(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) !== 58) return -1;
  i++;
  while (isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** The `data:` payload of the event around offset `at`, and the event's bounds. */
function eventAround(s: string, at: number): { start: number; end: number; data: string } {
  const before = s.lastIndexOf("\n\n", at);
  const start = before === -1 ? 0 : before + 2;
  const end = s.indexOf("\n\n", at) + 2;
  let data = "";
  for (const line of s.slice(start, end - 2).split("\n")) {
    if (!line.startsWith("data:")) continue;
    const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
    data = data === "" ? value : `${data}\n${value}`;
  }
  return { start, end, data };
}

/** JSON of a payload read as latin1 (its bytes re-read as UTF-8 when not ASCII). */
function parseData(data: string): unknown {
  // deno-lint-ignore no-control-regex
  const text = /[^\x00-\x7f]/.test(data) ? decoder.decode(Buffer.from(data, "latin1")) : data;
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError("upstream", "The OpenAI upstream sent a malformed stream event.");
  }
}

/** An OpenAI stream relayed as its bytes; {@link startSseRelay} makes one. */
export class SseRelay {
  #reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
  /** With a byte stream: the one buffer every read fills (no fresh 64 KiB buffer per read, each
   * pinned until garbage collection, as default reads of a fetch body take). */
  #buffer: ArrayBuffer | undefined;
  #options: SseRelayOptions;
  #pending: Uint8Array = EMPTY;
  #queue: Uint8Array[] = [];
  #finished = false;
  /** Set once the upstream part is over: `null` on success, else the error to send. */
  #end: GatewayError | null | undefined = undefined;
  #settled = false;
  #hooks: SseRelayHooks = {};

  constructor(body: ReadableStream<Uint8Array>, options: SseRelayOptions) {
    try {
      this.#reader = body.getReader({ mode: "byob" });
      this.#buffer = new ArrayBuffer(READ_BYTES);
    } catch {
      this.#reader = body.getReader(); // not a byte stream
    }
    this.#options = options;
  }

  /** Reads until the first complete event is queued or the upstream part is over. */
  async prime(): Promise<void> {
    try {
      while (this.#queue.length === 0 && this.#end === undefined) {
        this.#take(await this.#read());
      }
    } catch (error) {
      this.#end = this.#options.mapError(error);
    }
    if (this.#queue.length === 0 && this.#end instanceof GatewayError) {
      const error = this.#end;
      this.#settle(error);
      throw error;
    }
  }

  /** The client-bound bytes (call once): complete events, then `[DONE]` or an error event. */
  open(hooks: SseRelayHooks = {}): ReadableStream<Uint8Array> {
    this.#hooks = hooks;
    const { stop } = hooks;
    let onStop: (() => void) | undefined;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        if (stop === undefined) return;
        onStop = () => {
          if (this.#settled) return;
          const error = shuttingDownError();
          controller.enqueue(openaiErrorEvent(error));
          controller.close();
          this.#settle(error);
        };
        if (stop.aborted) onStop();
        else stop.addEventListener("abort", onStop, { once: true });
      },
      pull: async (controller) => {
        try {
          while (this.#queue.length === 0 && this.#end === undefined) {
            this.#take(await this.#read());
          }
        } catch (error) {
          this.#end = this.#options.mapError(error);
        }
        if (this.#settled) return;
        for (const bytes of this.#queue) controller.enqueue(bytes);
        this.#queue.length = 0;
        if (this.#end === undefined) return;
        if (this.#end !== null) controller.enqueue(openaiErrorEvent(this.#end));
        controller.close();
        if (onStop !== undefined) stop?.removeEventListener("abort", onStop);
        this.#settle(this.#end ?? undefined);
      },
      cancel: () => {
        if (onStop !== undefined) stop?.removeEventListener("abort", onStop);
        this.#settle(clientClosedError(), false);
      },
    }, { highWaterMark: 0 });
  }

  #settle(error: GatewayError | undefined, completed = error === undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reader.cancel().catch(() => {});
    this.#options.onSettled?.(completed);
    this.#hooks.onEnd?.(error);
  }

  #read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    return this.#buffer === undefined
      ? (this.#reader as ReadableStreamDefaultReader<Uint8Array>).read()
      : (this.#reader as ReadableStreamBYOBReader).read(new Uint8Array(this.#buffer));
  }

  /** One upstream read: queue its complete events, hold the rest, note how the stream ends. */
  #take(step: ReadableStreamReadResult<Uint8Array>): void {
    this.#options.touch?.();
    // A BYOB read hands the buffer back (transferred); what is kept past this read is copied.
    if (this.#buffer !== undefined && step.value !== undefined) {
      this.#buffer = step.value.buffer as ArrayBuffer;
    }
    if (step.done) return this.#ended();
    let bytes = step.value;
    const shared = this.#buffer !== undefined;
    if (this.#pending.length > 0) {
      const joined = new Uint8Array(this.#pending.length + bytes.length);
      joined.set(this.#pending);
      joined.set(bytes, this.#pending.length);
      bytes = joined;
    }
    const carry = bytes.indexOf(13) !== -1 && bytes[bytes.length - 1] === 13;
    if (bytes.indexOf(13) !== -1) bytes = withoutCr(carry ? bytes.subarray(0, -1) : bytes);
    const reused = shared && bytes === step.value;
    const last = bytes.lastIndexOf(10);
    const end = last > 0 && bytes[last - 1] === 10 ? last + 1 : latin1.call(bytes, 0, bytes.length)
      .lastIndexOf("\n\n") + 2;
    const from = end < 2 ? 0 : end;
    this.#pending = from === bytes.length
      ? EMPTY
      : reused
      ? bytes.slice(from)
      : bytes.subarray(from);
    if (carry) {
      const held = new Uint8Array(this.#pending.length + 1);
      held.set(this.#pending);
      held[this.#pending.length] = 13;
      this.#pending = held;
    }
    if (this.#pending.length > this.#options.maxBytes) {
      this.#pending = EMPTY;
      this.#end = new GatewayError(
        "upstream",
        `The OpenAI upstream sent a stream event larger than ${this.#options.maxBytes} bytes (MAX_RESPONSE_BYTES).`,
      );
      return;
    }
    if (end >= 2) this.#scan(end === bytes.length ? bytes : bytes.subarray(0, end), reused);
  }

  /** The body ended: a last event without its blank line counts; then `[DONE]` or a cut. */
  #ended(): void {
    const rest = this.#pending;
    this.#pending = EMPTY;
    if (latin1.call(rest, 0, rest.length).trim() !== "") {
      const event = new Uint8Array(rest.length + 2);
      event.set(rest);
      event.set([10, 10], rest.length);
      this.#scan(event, false);
      if (this.#end !== undefined) return;
    }
    if (this.#finished) {
      this.#queue.push(DONE_EVENT);
      this.#end = null;
    } else {
      this.#end = this.#options.cut();
    }
  }

  /** Queues the complete events in `bytes` (edited only where usage must be hidden). */
  #scan(bytes: Uint8Array, reused: boolean): void {
    const s = latin1.call(bytes, 0, bytes.length);
    let limit = bytes.length;
    let done = s.indexOf(DONE_LINE);
    while (done > 0 && s.charCodeAt(done - 1) !== 10) done = s.indexOf(DONE_LINE, done + 1);
    if (done !== -1) {
      limit = s.indexOf("\n\n", done) + 2;
      this.#end = null;
    }
    try {
      for (let p = s.indexOf('"error"'); p !== -1 && p < limit; p = s.indexOf('"error"', p + 7)) {
        const event = eventAround(s, p);
        const value = parseData(event.data) as { error?: { message?: unknown } | null } | null;
        if (value?.error === undefined || value.error === null) continue;
        const message = typeof value.error.message === "string"
          ? value.error.message
          : "stream error";
        limit = event.start;
        this.#end = new GatewayError("upstream", `OpenAI upstream stream error: ${message}`);
        break;
      }
      if (!this.#finished) this.#finished = hasFinishReason(s, limit);
      const cuts = this.#usage(s, limit);
      const out = cuts !== undefined
        ? cutOut(bytes, cuts, limit)
        : reused
        ? bytes.slice(0, limit)
        : limit === bytes.length
        ? bytes
        : bytes.subarray(0, limit);
      if (out.length > 0) this.#queue.push(out);
    } catch (error) {
      this.#end = error instanceof GatewayError ? error : this.#options.mapError(error);
    }
  }

  /** Taps usage objects; without `includeUsage`, the byte ranges to cut (usage-only chunks,
   * `"usage":null` members). */
  #usage(s: string, limit: number): number[] | undefined {
    const { includeUsage, onUsage } = this.#options;
    let cuts: number[] | undefined;
    for (let p = s.indexOf('"usage"'); p !== -1 && p < limit;) {
      const v = valueAt(s, p + 7);
      if (v === -1) {
        p = s.indexOf('"usage"', p + 7);
        continue;
      }
      if (s.charCodeAt(v) === 123) {
        const event = eventAround(s, p);
        const chunk = parseData(event.data) as { usage?: Usage; choices?: unknown[] } | null;
        if (chunk?.usage != null && typeof chunk.usage === "object") onUsage?.(chunk.usage);
        if (!includeUsage && Array.isArray(chunk?.choices) && chunk.choices.length === 0) {
          (cuts ??= []).push(event.start, event.end);
        }
        p = s.indexOf('"usage"', event.end);
        continue;
      }
      if (!includeUsage && s.startsWith("null", v)) {
        let before = p - 1;
        while (isSpace(s.charCodeAt(before))) before--;
        let after = v + 4;
        while (isSpace(s.charCodeAt(after))) after++;
        if (s.charCodeAt(before) === 44) (cuts ??= []).push(before, v + 4);
        else if (s.charCodeAt(after) === 44) (cuts ??= []).push(p, after + 1);
      }
      p = s.indexOf('"usage"', v);
    }
    return cuts;
  }
}

/** Whether a non-null `finish_reason` occurs before `limit`. */
function hasFinishReason(s: string, limit: number): boolean {
  for (let p = s.indexOf('"finish_reason"'); p !== -1 && p < limit;) {
    const v = valueAt(s, p + 15);
    if (v !== -1 && s.charCodeAt(v) === 34) return true;
    p = s.indexOf('"finish_reason"', p + 15);
  }
  return false;
}

/** SSE line ends as LF only: CRLF → LF, a lone CR → LF (a final CR is held by the caller). */
function withoutCr(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 13) out[n++] = c;
    else if (bytes[i + 1] !== 10) out[n++] = 10;
  }
  return out.subarray(0, n);
}

/** `bytes[0, limit)` without the ascending `[from, to)` ranges in `cuts`. */
function cutOut(bytes: Uint8Array, cuts: number[], limit: number): Uint8Array {
  let removed = 0;
  for (let i = 0; i < cuts.length; i += 2) removed += cuts[i + 1] - cuts[i];
  const out = new Uint8Array(limit - removed);
  let at = 0;
  let from = 0;
  for (let i = 0; i < cuts.length; i += 2) {
    out.set(bytes.subarray(from, cuts[i]), at);
    at += cuts[i] - from;
    from = cuts[i + 1];
  }
  out.set(bytes.subarray(from, limit), at);
  return out;
}

/**
 * Starts relaying `body`: resolves once the first complete event is read, so an upstream that
 * fails (or sends an error event) before any event rejects here, inside the caller's retries.
 *
 * @example
 * const relay = await startSseRelay(response.body!, { includeUsage: false, maxBytes, mapError, cut });
 * return new Response(relay.open(), { headers: SSE_HEADERS });
 */
export async function startSseRelay(
  body: ReadableStream<Uint8Array>,
  options: SseRelayOptions,
): Promise<SseRelay> {
  const relay = new SseRelay(body, options);
  await relay.prime();
  return relay;
}

/**
 * A small EventSource over `fetch`, for the tRPC subscription link: unlike the browser's, it
 * sends headers (the client key travels as `Authorization`, never in the URL), uses an injected
 * `fetch`, and reports a refused connection (401, 400…) with the server's error body instead of
 * a bare `error` event. It does not reconnect: a dropped stream is an error, so a chat request is
 * never sent twice.
 */

/** Options of {@link fetchEventSourceClass}. */
export interface FetchEventSourceOptions {
  /** The fetch used for the connection (default: the global one). */
  fetch?: typeof fetch;
  /** Turns a refused connection's JSON body into the `error` of the `error` event. */
  errorFromBody?: (body: unknown) => unknown;
}

/** The second constructor argument (tRPC's `eventSourceOptions`). */
export interface FetchEventSourceInit {
  headers?: HeadersInit;
}

/** One server-sent event, dispatched under its `event:` name (default `message`). */
export class ServerSentEvent extends Event {
  /** The event's `data:` lines, joined with newlines. */
  readonly data: string;
  /** The last `id:` seen. */
  readonly lastEventId: string;
  constructor(type: string, data: string, lastEventId: string) {
    super(type);
    this.data = data;
    this.lastEventId = lastEventId;
  }
}

/** The `error` event; `error` holds the server's error (from its body) when it refused. */
export class EventSourceError extends Event {
  /** The server's error, or the failure. */
  readonly error: unknown;
  /** The HTTP status of a refused connection. */
  readonly status?: number;
  /** The reason, for logs. */
  readonly message: string;
  constructor(message: string, error: unknown, status?: number) {
    super("error");
    this.message = message;
    this.error = error;
    if (status !== undefined) this.status = status;
  }
}

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

/**
 * Builds an EventSource class bound to `options`, to pass as tRPC's `EventSource`.
 *
 * @example
 * const ES = fetchEventSourceClass({ fetch });
 * new ES("http://127.0.0.1:8000/trpc/chat.stream?input=…", { headers: { authorization: "Bearer k" } });
 */
export function fetchEventSourceClass(options: FetchEventSourceOptions = {}) {
  return class FetchEventSource extends EventTarget {
    static readonly CONNECTING = CONNECTING;
    static readonly OPEN = OPEN;
    static readonly CLOSED = CLOSED;
    readonly CONNECTING = CONNECTING;
    readonly OPEN = OPEN;
    readonly CLOSED = CLOSED;
    readonly url: string;
    readonly withCredentials = false;
    readyState: number = CONNECTING;
    #abort = new AbortController();

    constructor(url: string | URL, init: FetchEventSourceInit = {}) {
      super();
      this.url = String(url);
      const headers = new Headers(init.headers);
      if (!headers.has("accept")) headers.set("accept", "text/event-stream");
      this.#run(headers);
    }

    /** Stops the stream; no event follows. */
    close(): void {
      this.readyState = CLOSED;
      this.#abort.abort();
    }

    #fail(event: EventSourceError): void {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      this.#abort.abort();
      this.dispatchEvent(event);
    }

    async #run(headers: Headers): Promise<void> {
      try {
        const response = await (options.fetch ?? fetch)(this.url, {
          headers,
          signal: this.#abort.signal,
        });
        const type = response.headers.get("content-type") ?? "";
        if (!response.ok || !type.startsWith("text/event-stream") || response.body === null) {
          const text = await response.text();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch { /* not JSON: keep the text */ }
          const error = options.errorFromBody?.(body) ?? body;
          this.#fail(new EventSourceError(`HTTP ${response.status}`, error, response.status));
          return;
        }
        if (this.readyState === CLOSED) return;
        this.readyState = OPEN;
        this.dispatchEvent(new Event("open"));
        await this.#read(response.body);
        this.#fail(new EventSourceError("the stream ended", undefined));
      } catch (error) {
        if (this.readyState !== CLOSED) {
          this.#fail(new EventSourceError(String(error), error));
        }
      }
    }

    /** Parses the stream (WHATWG SSE: `event`, `data`, `id`; comments and `retry` ignored). */
    async #read(body: ReadableStream<Uint8Array>): Promise<void> {
      const reader = body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let event = "";
      let data: string[] = [];
      let lastEventId = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.readyState === CLOSED) return;
        buffer += value;
        let newline: number;
        while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
          if (line === "") {
            if (data.length > 0) {
              this.dispatchEvent(
                new ServerSentEvent(event || "message", data.join("\n"), lastEventId),
              );
              if (this.readyState === CLOSED) return;
            }
            event = "";
            data = [];
            continue;
          }
          const colon = line.indexOf(":");
          if (colon === 0) continue;
          const field = colon === -1 ? line : line.slice(0, colon);
          let content = colon === -1 ? "" : line.slice(colon + 1);
          if (content.startsWith(" ")) content = content.slice(1);
          if (field === "event") event = content;
          else if (field === "data") data.push(content);
          else if (field === "id" && !content.includes("\0")) lastEventId = content;
        }
      }
    }
  };
}

/**
 * Incremental check of an OpenAI-format SSE stream as the soak test reads it: counts the `data:`
 * events, and reports a stream that carries an error event (`data: {"error": …}` or
 * `event: error`), has anything after `data: [DONE]`, ends without it, or has an unexpected
 * number of data events. Text is fed as it arrives (events may be split across chunks); no JSON
 * is parsed, so the check costs the driver little CPU. A whole stream ends `data: [DONE]\n\n`.
 */

/** Checks one SSE stream; feed decoded text with `push`, then call `finish`. */
export class SseEndCheck {
  #pending = "";
  #dataEvents = 0;
  #done = false;
  /** The blank line that ends the `[DONE]` event has arrived. */
  #closed = false;
  #problem: string | undefined;

  /** @param expectedDataEvents data events required before `[DONE]`; undefined: any number. */
  constructor(readonly expectedDataEvents?: number) {}

  /** Data events seen so far, not counting `[DONE]`. */
  get dataEvents(): number {
    return this.#dataEvents;
  }

  /** Feeds the next piece of the stream's text. */
  push(text: string): void {
    if (this.#problem !== undefined) return;
    const lines = (this.#pending + text).split("\n");
    this.#pending = lines.pop() ?? "";
    for (const line of lines) this.#line(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  #line(line: string): void {
    if (this.#problem !== undefined) return;
    if (line === "") {
      if (this.#done) this.#closed = true;
      return;
    }
    if (line.startsWith(":")) return;
    if (this.#done) {
      this.#problem = `data after [DONE]: ${line.slice(0, 200)}`;
    } else if (line === "event: error") {
      this.#problem = "error event";
    } else if (line === "data: [DONE]") {
      this.#done = true;
    } else if (line.startsWith("data:")) {
      const data = line.slice(line.startsWith("data: ") ? 6 : 5);
      if (data.startsWith('{"error"')) this.#problem = `error event: ${data.slice(0, 300)}`;
      else this.#dataEvents++;
    }
  }

  /** Ends the stream: undefined when it was whole and clean, else what was wrong. */
  finish(): string | undefined {
    if (this.#problem !== undefined) return this.#problem;
    if (this.#pending !== "") return `stream ended mid-line: ${this.#pending.slice(0, 200)}`;
    if (!this.#done) return `stream ended without data: [DONE] after ${this.#dataEvents} events`;
    if (!this.#closed) return "stream ended without the blank line after data: [DONE]";
    if (this.expectedDataEvents !== undefined && this.#dataEvents !== this.expectedDataEvents) {
      return `${this.#dataEvents} data events, expected ${this.expectedDataEvents}`;
    }
    return undefined;
  }
}

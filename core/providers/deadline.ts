/**
 * `UPSTREAM_TIMEOUT_MS` for one upstream attempt, the same for every provider and format: the
 * upstream must send its first byte before the attempt's first-byte deadline (the request's
 * budget, shared by its retries), and after that may never be silent for `UPSTREAM_TIMEOUT_MS`.
 * When either rule is broken the attempt's signal aborts and the caller reports a 504
 * `upstream_timeout`.
 *
 * One timer per attempt: {@link UpstreamDeadline.touch} only records the time, and the timer,
 * when it fires, re-arms itself for the rest of the idle window if bytes came meanwhile. So a
 * stream costs one `performance.now()` per chunk, not a timer per chunk.
 */
import { GatewayError } from "../errors.ts";

/**
 * The deadline of one upstream attempt; its {@link signal} aborts when the client leaves or the
 * deadline passes.
 *
 * @example
 * const deadline = new UpstreamDeadline(request.signal, performance.now() + 2000, 2000, "OpenAI");
 * const response = await fetch(url, { signal: deadline.signal });
 * for await (const bytes of response.body!) deadline.touch();
 * deadline.done();
 */
export class UpstreamDeadline {
  /** Aborted by the caller's signal, by {@link cancel}, or when the deadline passes. */
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #outer: AbortSignal | undefined;
  readonly #firstByteBy: number;
  readonly #idleMs: number;
  readonly #label: string;
  #last = -1;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fired = false;
  #onOuter = () => this.#controller.abort(this.#outer?.reason);

  /**
   * @param outer the caller's signal (client disconnect), if any
   * @param firstByteBy `performance.now()` time by which the first byte must have arrived
   * @param idleMs the longest silence allowed once bytes flow (`UPSTREAM_TIMEOUT_MS`)
   * @param label the upstream's name in the error message, e.g. `Bedrock`
   */
  constructor(
    outer: AbortSignal | undefined,
    firstByteBy: number,
    idleMs: number,
    label: string,
  ) {
    this.signal = this.#controller.signal;
    this.#outer = outer;
    this.#firstByteBy = firstByteBy;
    this.#idleMs = idleMs;
    this.#label = label;
    if (outer?.aborted) this.#onOuter();
    else outer?.addEventListener("abort", this.#onOuter, { once: true });
    this.#schedule(firstByteBy);
  }

  /** True once the deadline passed (the abort was a timeout, not the client). */
  get fired(): boolean {
    return this.#fired;
  }

  /** Bytes arrived: from now on the idle rule applies. */
  touch(): void {
    this.#last = performance.now();
  }

  /** The 504 this deadline reports. */
  timeoutError(): GatewayError {
    return new GatewayError(
      "timeout",
      this.#last < 0
        ? `${this.#label} did not answer in time (UPSTREAM_TIMEOUT_MS=${this.#idleMs}).`
        : `${this.#label} sent nothing for ${this.#idleMs} ms (UPSTREAM_TIMEOUT_MS).`,
    );
  }

  /** The call finished: stops the timer (the upstream request is left as it is). */
  done(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#outer?.removeEventListener("abort", this.#onOuter);
  }

  /** The call is abandoned: stops the timer and aborts the upstream request. */
  cancel(): void {
    this.done();
    this.#controller.abort();
  }

  #schedule(at: number): void {
    this.#timer = setTimeout(this.#check, Math.max(0, at - performance.now()));
  }

  #check = () => {
    const due = this.#last < 0 ? this.#firstByteBy : this.#last + this.#idleMs;
    if (performance.now() + 1 < due) return this.#schedule(due);
    this.#timer = undefined;
    this.#fired = true;
    this.#outer?.removeEventListener("abort", this.#onOuter);
    this.#controller.abort(this.timeoutError());
  };
}

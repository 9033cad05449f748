/**
 * Reads text lines from a byte stream (stdin), one at a time, for prompts and the REPL.
 */

/** A line reader. */
export interface LineReader {
  /** The next line without its line break, or null at the end of input. */
  next(): Promise<string | null>;
  /** Everything not read yet. */
  rest(): Promise<string>;
}

/** Creates a line reader over `stream`. */
export function createLineReader(stream: ReadableStream<Uint8Array>): LineReader {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let ended = false;
  let pending: Promise<void> | undefined;
  const fill = () =>
    pending ??= reader.read().then(({ value, done }) => {
      pending = undefined;
      if (done) ended = true;
      else buffer += value;
    });
  return {
    async next() {
      while (true) {
        const at = buffer.indexOf("\n");
        if (at >= 0) {
          const line = buffer.slice(0, at).replace(/\r$/, "");
          buffer = buffer.slice(at + 1);
          return line;
        }
        if (ended) {
          if (buffer === "") return null;
          const line = buffer;
          buffer = "";
          return line;
        }
        await fill();
      }
    },
    async rest() {
      while (!ended) await fill();
      const text = buffer;
      buffer = "";
      return text;
    },
  };
}

/**
 * Request body helpers for routes: a bounded reader that copies the body once into a buffer of
 * its declared size, client faults (a cut body, broken chunked encoding) reported as 400s, and a
 * nesting-depth limit checked before any other work touches the value.
 */
import { GatewayError } from "../core/errors.ts";

/** The limits every JSON body is read under. */
export interface BodyLimits {
  /** Largest body in bytes (`MAX_REQUEST_BYTES`). */
  maxBytes: number;
  /** Deepest nesting of objects and arrays (`MAX_JSON_DEPTH`). */
  maxDepth: number;
}

const decoder = new TextDecoder();

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError(
    "too_large",
    `The request body exceeds the limit of ${maxBytes} bytes (MAX_REQUEST_BYTES).`,
  );
}

/** The client stopped sending, or sent a broken body: its fault, a 400 (if it is still there). */
export function unreadableBody(cause: unknown): GatewayError {
  return new GatewayError(
    "invalid_request",
    "The request body could not be read completely (the connection was closed or the chunked " +
      "encoding is malformed); send the whole body again.",
    { code: "invalid_body", cause },
  );
}

/**
 * Reads the whole body as bytes, at most `maxBytes`: into one buffer of the declared
 * `content-length` when there is one (no chunk list, no second copy), else into a buffer that
 * doubles as needed. A read failure is a 400 `invalid_body`, an overrun a 413.
 */
export async function readBodyBytes(
  request: Request,
  maxBytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const body = request.body;
  if (body === null) return new Uint8Array(0);
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await body.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  let buffer = new Uint8Array(
    Number.isInteger(declared) && declared >= 0 ? declared : Math.min(16_384, maxBytes),
  );
  let length = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (length + value.byteLength > maxBytes) throw tooLarge(maxBytes);
      if (length + value.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(
          Math.min(maxBytes, Math.max(buffer.byteLength * 2, length + value.byteLength)),
        );
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(value, length);
      length += value.byteLength;
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error instanceof GatewayError ? error : unreadableBody(error);
  }
  return length === buffer.byteLength ? buffer : buffer.subarray(0, length);
}

/**
 * Throws a 400 when `value` nests objects and arrays deeper than `maxDepth` (the top level is
 * depth 1). Iterative, so hostile input cannot exhaust the stack here either.
 *
 * @example
 * checkDepth(JSON.parse("[[[]]]"), 2); // throws: nesting depth 3 exceeds 2
 */
export function checkDepth(value: unknown, maxDepth: number): void {
  if (typeof value !== "object" || value === null) return;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    const depth = depths.pop() as number;
    if (depth > maxDepth) {
      throw new GatewayError(
        "invalid_request",
        `The request body nests objects and arrays deeper than ${maxDepth} levels ` +
          "(MAX_JSON_DEPTH); flatten it.",
        { code: "too_deep" },
      );
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const child = node[i];
        if (typeof child === "object" && child !== null) {
          stack.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === "object" && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
}

/** Parses JSON text; malformed JSON is a 400 `invalid_json`. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError(
      "invalid_request",
      text.trim() === ""
        ? "The request body is empty; send a JSON object."
        : "The request body is not valid JSON.",
      { code: "invalid_json" },
    );
  }
}

/** Reads the body as JSON under `limits`: bounded, depth-checked, client faults as 400s. */
export async function readJson(request: Request, limits: BodyLimits): Promise<unknown> {
  const text = decoder.decode(await readBodyBytes(request, limits.maxBytes));
  const value = parseJsonText(text);
  checkDepth(value, limits.maxDepth);
  return value;
}

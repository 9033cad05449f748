/**
 * OpenAI's `encoding_format: "base64"`: a vector as little-endian float32 bytes, base64-encoded
 * (what the official SDKs decode with `Float32Array`).
 */
import { decodeBase64, encodeBase64 } from "../text/base64.ts";

/**
 * Encodes a vector as base64 of little-endian float32.
 *
 * @example
 * encodeFloat32Base64([1, 0]); // "AACAPwAAAAA="
 */
export function encodeFloat32Base64(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i], true);
  return encodeBase64(bytes);
}

/**
 * Decodes base64 of little-endian float32 into numbers; undefined when it is not that.
 *
 * @example
 * decodeFloat32Base64("AACAPwAAAAA="); // [1, 0]
 */
export function decodeFloat32Base64(data: string): number[] | undefined {
  const bytes = decodeBase64(data);
  if (bytes === undefined || bytes.length % 4 !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

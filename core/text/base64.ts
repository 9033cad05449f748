/**
 * Base64 for media and redacted reasoning carried in JSON bodies.
 */
import { GatewayError } from "../errors.ts";

/**
 * Decodes base64 (standard or URL-safe, whitespace ignored); undefined when invalid.
 *
 * @example
 * decodeBase64("aGk="); // Uint8Array [104, 105]
 */
export function decodeBase64(data: string): Uint8Array | undefined {
  const clean = data.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  try {
    const binary = atob(clean);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

/**
 * Encodes bytes as base64 (for redacted reasoning carried in OpenAI-shaped messages).
 *
 * @example
 * encodeBase64(new Uint8Array([104, 105])); // "aGk="
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Decodes base64 (standard or URL-safe), throwing a 400 naming `param` when invalid.
 *
 * @example
 * decodeBase64OrThrow("aGk=", "x"); // Uint8Array [104, 105]
 */
export function decodeBase64OrThrow(data: string, param: string): Uint8Array {
  const bytes = decodeBase64(data);
  if (bytes === undefined) {
    throw new GatewayError("invalid_request", `${param} is not valid base64.`, { param });
  }
  return bytes;
}

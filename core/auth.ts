/**
 * Client key checks shared by both transports: constant-time comparison against every
 * configured key, so neither the key nor which key matched leaks through timing.
 */

const encoder = new TextEncoder();

/** Compares two byte strings in time that depends only on their lengths. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i % (a.length || 1)] ?? 0) ^ (b[i % (b.length || 1)] ?? 0);
  return diff === 0;
}

/** A predicate telling whether a presented key is one of the configured client keys. */
export type KeyChecker = (presented: string | null | undefined) => boolean;

/**
 * Builds a {@link KeyChecker}. With no keys configured authentication is off and every request
 * passes (the config only allows that on loopback).
 *
 * @example
 * const check = createKeyChecker(["k1", "k2"]); check("k2"); // true
 */
export function createKeyChecker(keys: readonly string[]): KeyChecker {
  if (keys.length === 0) return () => true;
  const encoded = keys.map((k) => encoder.encode(k));
  return (presented) => {
    const candidate = encoder.encode(presented ?? "");
    let ok = false;
    // Compare against every key, never stopping early.
    for (const key of encoded) ok = constantTimeEqual(candidate, key) || ok;
    return ok && presented !== undefined && presented !== null && presented !== "";
  };
}

/** Extracts the client key from `Authorization: Bearer …` or `x-api-key`. */
export function keyFromHeaders(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth !== null) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1].trim();
  }
  return headers.get("x-api-key");
}

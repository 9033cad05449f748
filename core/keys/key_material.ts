/**
 * Virtual key material: generation (`sk-gw-` + 40 random base62 characters from
 * `crypto.getRandomValues`), the SHA-256 hash that is all the store keeps, the short prefix shown
 * in listings, and key ids.
 */
import { createHash } from "node:crypto";

/** What every virtual key starts with. */
export const KEY_PREFIX = "sk-gw-";

/** Random characters after {@link KEY_PREFIX} (40 × log2(62) ≈ 238 bits). */
const KEY_RANDOM_CHARS = 40;

/** Characters of the random part shown in the visible prefix. */
const VISIBLE_CHARS = 4;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `count` uniformly random base62 characters (rejection sampling, no modulo bias). */
export function randomBase62(count: number): string {
  let out = "";
  const bytes = new Uint8Array(Math.min(count * 2, 65_536)); // getRandomValues' limit
  while (out.length < count) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      if (byte < 248 && out.length < count) out += BASE62[byte % 62];
    }
  }
  return out;
}

/**
 * A new virtual key (plaintext: shown once, never stored).
 *
 * @example
 * generateKey(); // "sk-gw-3fK9…" (46 characters)
 */
export function generateKey(): string {
  return KEY_PREFIX + randomBase62(KEY_RANDOM_CHARS);
}

/** The time part of the last id made here, so ids made in one millisecond still sort. */
let lastIdMs = 0;

/** A new key id, `key_` + 24 base62 characters: the creation time in milliseconds (8
 * characters, so ids sort by creation; a second id in the same millisecond takes the next one)
 * and 16 random ones. */
export function newKeyId(now = Date.now()): string {
  lastIdMs = Math.max(Math.floor(now), lastIdMs + 1);
  let time = "";
  for (let n = Math.max(0, lastIdMs), i = 0; i < 8; i++, n = Math.floor(n / 62)) {
    time = BASE62[n % 62] + time;
  }
  return "key_" + time + randomBase62(16);
}

/**
 * The lower-case hex SHA-256 of a key: what the store keeps and lookups compare.
 *
 * @example
 * hashKey("sk-gw-abc").length; // 64
 */
export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/**
 * The visible prefix of a key (`sk-gw-` and the first 4 random characters).
 *
 * @example
 * visiblePrefix("sk-gw-AbCdEf…"); // "sk-gw-AbCd"
 */
export function visiblePrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + VISIBLE_CHARS);
}

/** True when a presented key has the virtual key shape (it is then looked up by hash). */
export function isVirtualKey(presented: string): boolean {
  return presented.startsWith(KEY_PREFIX);
}

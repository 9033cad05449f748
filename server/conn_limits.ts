/**
 * Connection limits shared by every worker of the process: the open-connection count and one
 * count per client address live in a `SharedArrayBuffer` updated with `Atomics`, so
 * `MAX_CONNECTIONS` and `MAX_CONNECTIONS_PER_IP` hold per process, whichever worker the kernel
 * hands a connection to (workers are threads of one process and share its open-files limit).
 *
 * Addresses are counted in 65,536 hashed buckets (seeded per process): exact unless two
 * addresses that are connected at the same time share a bucket, in which case they share one
 * limit (the bound can only get stricter, never looser).
 */
import { parseIPv6 } from "../core/net/ip_ranges.ts";

const BUCKETS = 1 << 16;
const TOTAL = 0;
const SEED = 1;
const FIRST_BUCKET = 2;

/** Descriptors kept free for everything but client sockets (upstream sockets, files, …). */
const RESERVED_FILES = 64;
/** Upper bound of the automatic connection limit, and its value when the number of free
 * descriptors is unknown. */
export const AUTO_MAX_CONNECTIONS = 4_096;

/** How many free descriptors the automatic limit needs to know about at most. */
export const DESCRIPTORS_WORTH_COUNTING = 2 * AUTO_MAX_CONNECTIONS + RESERVED_FILES;

/** Why a connection was not admitted (`ok`: it was, and holds its slots until released). */
export type Admission = "ok" | "total" | "address";

/** The shared counters; one instance per worker, all on the same buffer. */
export class ConnectionLimits {
  readonly #counts: Int32Array;
  readonly #seed: number;

  /**
   * @param buffer from {@link createLimitsBuffer}, shared with every worker of the process.
   * @param maxConnections open connections allowed in the process.
   * @param maxPerAddress open connections allowed per client address.
   */
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly maxConnections: number,
    readonly maxPerAddress: number,
  ) {
    this.#counts = new Int32Array(buffer);
    this.#seed = Atomics.load(this.#counts, SEED);
  }

  /** The counter slot of a remote hostname (IPv4, IPv6 by its /64, IPv4-mapped as IPv4). */
  slotOf(hostname: string): number {
    const key = addressKey(hostname);
    let hash = this.#seed ^ 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
    }
    return FIRST_BUCKET + ((hash >>> 0) & (BUCKETS - 1));
  }

  /** Counts a connection on `slot` in, unless the process or the address is at its limit. */
  acquire(slot: number): Admission {
    const counts = this.#counts;
    if (Atomics.add(counts, TOTAL, 1) >= this.maxConnections) {
      Atomics.sub(counts, TOTAL, 1);
      return "total";
    }
    if (Atomics.add(counts, slot, 1) >= this.maxPerAddress) {
      Atomics.sub(counts, slot, 1);
      Atomics.sub(counts, TOTAL, 1);
      return "address";
    }
    return "ok";
  }

  /** Counts an admitted connection out. */
  release(slot: number): void {
    Atomics.sub(this.#counts, slot, 1);
    Atomics.sub(this.#counts, TOTAL, 1);
  }

  /** Open connections in the process. */
  open(): number {
    return Atomics.load(this.#counts, TOTAL);
  }
}

/** A fresh buffer for {@link ConnectionLimits}, with a random hash seed. */
export function createLimitsBuffer(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer((FIRST_BUCKET + BUCKETS) * 4);
  new Int32Array(buffer)[SEED] = crypto.getRandomValues(new Int32Array(1))[0];
  return buffer;
}

/**
 * What connections are counted by: an IPv4 address, an IPv6 address's /64 (one host usually
 * holds a whole /64), an IPv4-mapped IPv6 address as its IPv4 address.
 *
 * @example
 * addressKey("2001:db8:1:2:3:4:5:6"); // "2001:db8:1:2::/64"
 * addressKey("::ffff:10.0.0.1"); // "10.0.0.1"
 */
export function addressKey(hostname: string): string {
  if (!hostname.includes(":")) return hostname;
  const groups = parseIPv6(hostname);
  if (groups === undefined) return hostname;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join(".");
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

/**
 * The connection limit in force: the configured one, or (0) half of the file descriptors the
 * process has free at start-up, after a reserve — each open client connection may hold an
 * upstream socket too — capped at 4,096 (also the value when the count is unknown).
 *
 * @example
 * effectiveMaxConnections(0, 1000); // 468
 * effectiveMaxConnections(300, 1000); // 300
 */
export function effectiveMaxConnections(configured: number, freeFiles: number | undefined): number {
  if (configured > 0) return configured;
  if (freeFiles === undefined) return AUTO_MAX_CONNECTIONS;
  return Math.max(1, Math.min(AUTO_MAX_CONNECTIONS, Math.floor((freeFiles - RESERVED_FILES) / 2)));
}

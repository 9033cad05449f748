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
/** Room requests between workers (see {@link ConnectionLimits.requestRoom}). */
const ROOM = 2;
const FIRST_BUCKET = 3;

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

  /**
   * Hands an admitted connection's place on `from` to a new connection on `to` (the old one is
   * being closed to make room): the process count stays as it is, so no other worker can take
   * the place in between; fails if `to` is at its per-address limit.
   */
  transfer(from: number, to: number): Admission {
    if (from === to) return "ok";
    const counts = this.#counts;
    if (Atomics.add(counts, to, 1) >= this.maxPerAddress) {
      Atomics.sub(counts, to, 1);
      return "address";
    }
    Atomics.sub(counts, from, 1);
    return "ok";
  }

  // Room requests: a worker at the process limit with no waiting connection of its own asks the
  // others to close one of theirs and hand its place over (the process count stays, so nobody
  // else can take it in between). One word holds `requests + handed * 65536`; every requester
  // that has not finished is counted in exactly one of the two.

  /** Asks the other workers for a place; finish with {@link takeRoom} or {@link cancelRoom}. */
  requestRoom(): void {
    Atomics.add(this.#counts, ROOM, 1);
    Atomics.notify(this.#counts, ROOM);
  }

  /** For a worker with a waiting connection to close: takes one room request, if there is one
   * (then close the connection with {@link handOver}). */
  claimRoomRequest(): boolean {
    return this.#update((requests, handed) =>
      requests > 0 ? [requests - 1, handed + 1] : undefined
    );
  }

  /** Releases a closed connection's address count but keeps its place for a requester. */
  handOver(slot: number): void {
    Atomics.sub(this.#counts, slot, 1);
  }

  /** For a requester: a handed-over place, or an ordinary one; `undefined`: none yet. */
  takeRoom(slot: number): Admission | undefined {
    if (this.#update((requests, handed) => handed > 0 ? [requests, handed - 1] : undefined)) {
      if (Atomics.add(this.#counts, slot, 1) >= this.maxPerAddress) {
        this.release(slot);
        return "address";
      }
      return "ok";
    }
    const admission = this.acquire(slot);
    if (admission === "ok") this.cancelRoom();
    return admission === "ok" ? "ok" : undefined;
  }

  /** For a requester that gives up (or found a place otherwise): withdraws its request, or
   * gives back the place handed over to it. */
  cancelRoom(): void {
    let gaveBack = false;
    this.#update((requests, handed) => {
      gaveBack = requests === 0 && handed > 0;
      if (requests > 0) return [requests - 1, handed];
      return handed > 0 ? [requests, handed - 1] : undefined;
    });
    if (gaveBack) Atomics.sub(this.#counts, TOTAL, 1);
  }

  /** Outstanding room requests (not yet claimed). */
  roomRequests(): number {
    return Atomics.load(this.#counts, ROOM) & 0xffff;
  }

  /** Resolves when the room word changes from what {@link roomRequests} saw, or after
   * `timeoutMs`. */
  async roomRequestsChange(timeoutMs: number): Promise<void> {
    const wait = Atomics.waitAsync(this.#counts, ROOM, Atomics.load(this.#counts, ROOM), timeoutMs);
    if (wait.async) await wait.value;
  }

  /** Wakes every {@link roomRequestsChange} waiter (e.g. to let it see a shutdown). */
  wake(): void {
    Atomics.notify(this.#counts, ROOM);
  }

  #update(change: (requests: number, handed: number) => [number, number] | undefined): boolean {
    const counts = this.#counts;
    let word = Atomics.load(counts, ROOM);
    while (true) {
      const next = change(word & 0xffff, word >>> 16);
      if (next === undefined) return false;
      const seen = Atomics.compareExchange(counts, ROOM, word, next[0] + next[1] * 65536);
      if (seen === word) return true;
      word = seen;
    }
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

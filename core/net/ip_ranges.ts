/**
 * Classifies IP addresses as public or not, for the guarded media fetch (SSRF protection).
 */

/** Parses dotted-quad IPv4 into four octets, or undefined. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return octets.every((o) => Number.isInteger(o) && o >= 0 && o <= 255) ? octets : undefined;
}

/** Parses IPv6 (with `::` and an optional dotted IPv4 tail) into eight 16-bit groups. */
export function parseIPv6(text: string): number[] | undefined {
  let s = text.replace(/^\[|\]$/g, "").split("%")[0].toLowerCase();
  if (!s.includes(":")) return undefined;
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (tail !== null) {
    const v4 = parseIPv4(tail[1]);
    if (v4 === undefined) return undefined;
    const hi = ((v4[0] << 8) | v4[1]).toString(16);
    const lo = ((v4[2] << 8) | v4[3]).toString(16);
    s = `${s.slice(0, -tail[1].length)}${hi}:${lo}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => parseInt(g, 16));
}

/**
 * Non-public IPv4 ranges as [base, prefix length, reason]: the IANA IPv4 Special-Purpose Address
 * Registry (every entry, including the few marked globally reachable inside 192.0.0.0/24), plus
 * multicast and the reserved 240.0.0.0/4.
 */
const BLOCKED_V4: ReadonlyArray<[number[], number, string]> = [
  [[0, 0, 0, 0], 8, "this-network"],
  [[10, 0, 0, 0], 8, "private"],
  [[100, 64, 0, 0], 10, "carrier-grade NAT"],
  [[127, 0, 0, 0], 8, "loopback"],
  [[169, 254, 0, 0], 16, "link-local/metadata"],
  [[172, 16, 0, 0], 12, "private"],
  [[192, 0, 0, 0], 24, "IETF protocol assignments"],
  [[192, 0, 2, 0], 24, "documentation"],
  [[192, 88, 99, 0], 24, "6to4 relay anycast"],
  [[192, 168, 0, 0], 16, "private"],
  [[198, 18, 0, 0], 15, "benchmarking"],
  [[198, 51, 100, 0], 24, "documentation"],
  [[203, 0, 113, 0], 24, "documentation"],
  [[224, 0, 0, 0], 4, "multicast"],
  [[255, 255, 255, 255], 32, "limited broadcast"],
  [[240, 0, 0, 0], 4, "reserved"],
];

const toInt = (o: number[]) => ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3];

function v4Reason(octets: number[]): string | undefined {
  const value = toInt(octets);
  for (const [base, bits, reason] of BLOCKED_V4) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if (((value & mask) >>> 0) === ((toInt(base) & mask) >>> 0)) return reason;
  }
  return undefined;
}

/** The IPv4 address held by two 16-bit groups, as octets. */
const embedded = (hi: number, lo: number) => [hi >> 8, hi & 255, lo >> 8, lo & 255];

/** A prefix of an IPv6 address, compared group by group over `bits` bits. */
function v6Prefix(text: string, bits: number): (g: number[]) => boolean {
  const base = parseIPv6(text)!;
  return (g) => {
    for (let i = 0, left = bits; left > 0; i++, left -= 16) {
      const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
      if ((g[i] & mask) !== (base[i] & mask)) return false;
    }
    return true;
  };
}

/**
 * IPv6 ranges refused outright, as [test, reason], in order (more specific first): the IANA IPv6
 * Special-Purpose Address Registry's ranges that are not globally reachable (2001::/23 wholesale),
 * and the deprecated, multicast and documentation ranges.
 */
const BLOCKED_V6: ReadonlyArray<[(g: number[]) => boolean, string]> = [
  [v6Prefix("64:ff9b:1::", 48), "local-use NAT64"],
  [v6Prefix("100::", 63), "discard-only/dummy prefix"],
  [v6Prefix("2001:db8::", 32), "documentation"],
  [v6Prefix("2001::", 23), "IETF protocol assignments"],
  [v6Prefix("3fff::", 20), "documentation"],
  [v6Prefix("5f00::", 16), "SRv6 SIDs"],
  [v6Prefix("fc00::", 7), "unique-local"],
  [v6Prefix("fe80::", 10), "link-local"],
  [v6Prefix("fec0::", 10), "site-local"],
  [v6Prefix("ff00::", 8), "multicast"],
];

const isNat64 = v6Prefix("64:ff9b::", 96);
const isTeredo = v6Prefix("2001::", 32);

function v6Reason(g: number[]): string | undefined {
  const zeroPrefix = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroPrefix(7) && g[7] === 1) return "loopback";
  if (zeroPrefix(8)) return "unspecified";
  // Forms that carry an IPv4 address in their last 32 bits and reach it on the host itself or
  // through a translator: refused whatever the IPv4 address (none is globally reachable).
  if (zeroPrefix(5) && g[5] === 0xffff) return "IPv4-mapped";
  if (zeroPrefix(4) && g[4] === 0xffff && g[5] === 0) return "IPv4-translated";
  if (zeroPrefix(6)) return "IPv4-compatible";
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach a public IPv4 address: judge that address.
  if (isNat64(g)) return v4Reason(embedded(g[6], g[7]));
  if (g[0] === 0x2002) return v4Reason(embedded(g[1], g[2]));
  if (isTeredo(g)) {
    // Teredo: the server is bits 32-63, the client the last 32 bits inverted.
    const server = v4Reason(embedded(g[2], g[3]));
    const client = v4Reason(embedded(g[6] ^ 0xffff, g[7] ^ 0xffff));
    const inner = server ?? client;
    return inner === undefined ? "Teredo" : `Teredo, ${inner}`;
  }
  for (const [test, reason] of BLOCKED_V6) if (test(g)) return reason;
  // Only 2000::/3 is allocated for global unicast; the rest is reserved by the IETF.
  if ((g[0] & 0xe000) !== 0x2000) return "reserved";
  return undefined;
}

/**
 * Why an address is not public (e.g. `"loopback"`), or undefined when it is public. Text that is
 * not an IP address is reported as `"not an IP address"`.
 *
 * @example
 * nonPublicReason("169.254.169.254"); // "link-local/metadata"
 * nonPublicReason("8.8.8.8"); // undefined
 */
export function nonPublicReason(address: string): string | undefined {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return v4Reason(v4);
  const v6 = parseIPv6(address);
  if (v6 !== undefined) return v6Reason(v6);
  return "not an IP address";
}

/**
 * IP classification for the guarded media fetch: every IPv6 form that embeds an IPv4 address
 * (mapped, compatible, translated/SIIT, NAT64 well-known and local-use, 6to4, Teredo) and the
 * IANA special-purpose ranges, as table rows; then the same forms as URLs, refused before any
 * connection is made.
 */
import assert from "node:assert/strict";
import { GatewayError } from "../../../core/errors.ts";
import { createGuardedFetch } from "../../../core/net/guarded_fetch.ts";
import { nonPublicReason } from "../../../core/net/ip_ranges.ts";

/** [address, expected reason (undefined: public)] */
const TRANSITION_FORMS: Array<[string, string | undefined]> = [
  // IPv4-mapped ::ffff:0:0/96: refused whatever the IPv4 address.
  ["::ffff:127.0.0.1", "IPv4-mapped"],
  ["::ffff:7f00:1", "IPv4-mapped"],
  ["::ffff:10.0.0.1", "IPv4-mapped"],
  ["::ffff:169.254.169.254", "IPv4-mapped"],
  ["::ffff:8.8.8.8", "IPv4-mapped"],
  // IPv4-compatible ::/96 (deprecated).
  ["::127.0.0.1", "IPv4-compatible"],
  ["::7f00:1", "IPv4-compatible"],
  ["::8.8.8.8", "IPv4-compatible"],
  // IPv4-translated ::ffff:0:0:0/96 (SIIT).
  ["::ffff:0:7f00:1", "IPv4-translated"],
  ["::ffff:0:127.0.0.1", "IPv4-translated"],
  ["::ffff:0:a9fe:a9fe", "IPv4-translated"],
  ["::ffff:0:8.8.8.8", "IPv4-translated"],
  // NAT64 well-known prefix 64:ff9b::/96: the embedded address is judged.
  ["64:ff9b::127.0.0.1", "loopback"],
  ["64:ff9b::7f00:1", "loopback"],
  ["64:ff9b::10.0.0.1", "private"],
  ["64:ff9b::a9fe:a9fe", "link-local/metadata"],
  ["64:ff9b::192.168.1.1", "private"],
  ["64:ff9b::100.64.0.1", "carrier-grade NAT"],
  ["64:ff9b::0.0.0.0", "this-network"],
  ["64:ff9b::8.8.8.8", undefined],
  // NAT64 local-use 64:ff9b:1::/48: refused (not globally reachable).
  ["64:ff9b:1::7f00:1", "local-use NAT64"],
  ["64:ff9b:1:ffff::808:808", "local-use NAT64"],
  // 6to4 2002::/16: the IPv4 address in bits 16-47 is judged.
  ["2002:7f00:1::", "loopback"],
  ["2002:a00:1::1", "private"],
  ["2002:a9fe:a9fe::", "link-local/metadata"],
  ["2002:c0a8:101::1", "private"],
  ["2002:808:808::1", undefined],
  // Teredo 2001::/32: refused; an inner loopback/private server or client is named.
  ["2001:0:4136:e378::f7f7:f7f7", "Teredo"], // server 65.54.227.120, client 8.8.8.8
  ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo, documentation"], // client 192.0.2.45
  ["2001:0:7f00:1::", "Teredo, loopback"], // server 127.0.0.1
  ["2001:0:808:808:0:0:80ff:fffe", "Teredo, loopback"], // client ~0x80fffffe = 127.0.0.1
  ["2001:0:808:808:0:0:f5ff:fffe", "Teredo, private"], // client 10.0.0.1
  // Discard-only 100::/64 and the dummy prefix 100:0:0:1::/64.
  ["100::", "discard-only/dummy prefix"],
  ["100::7f00:1", "discard-only/dummy prefix"],
  ["100:0:0:1::1", "discard-only/dummy prefix"],
  // Zone ids and brackets are ignored.
  ["[::ffff:0:7f00:1]", "IPv4-translated"],
  ["fe80::1%eth0", "link-local"],
];

const V6_SPECIAL: Array<[string, string | undefined]> = [
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback"],
  ["2001:db8::1", "documentation"],
  ["2001:2::1", "IETF protocol assignments"], // benchmarking
  ["2001:10::1", "IETF protocol assignments"], // ORCHID
  ["2001:1ff:ffff::1", "IETF protocol assignments"], // last of 2001::/23
  ["2001:200::1", undefined], // first after 2001::/23
  ["3fff::1", "documentation"],
  ["3fff:fff:ffff::1", "documentation"],
  ["3fff:1000::1", undefined],
  ["5f00::1", "SRv6 SIDs"],
  ["fc00::1", "unique-local"],
  ["fd00:ec2::254", "unique-local"],
  ["fe80::1", "link-local"],
  ["febf::1", "link-local"],
  ["fec0::1", "site-local"],
  ["ff02::1", "multicast"],
  ["ff05::1:3", "multicast"],
  ["::2", "IPv4-compatible"],
  ["1::1", "reserved"],
  ["4000::1", "reserved"],
  ["e000::1", "reserved"],
  ["2606:4700:4700::1111", undefined],
  ["2a00:1450:4001:82a::200e", undefined],
];

const V4_SPECIAL: Array<[string, string | undefined]> = [
  ["0.0.0.0", "this-network"],
  ["0.1.2.3", "this-network"],
  ["10.255.255.255", "private"],
  ["100.64.0.0", "carrier-grade NAT"],
  ["127.1.2.3", "loopback"],
  ["169.254.169.254", "link-local/metadata"],
  ["172.16.0.1", "private"],
  ["192.0.0.8", "IETF protocol assignments"],
  ["192.0.2.1", "documentation"],
  ["192.88.99.1", "6to4 relay anycast"],
  ["192.168.255.255", "private"],
  ["198.18.0.1", "benchmarking"],
  ["198.19.255.255", "benchmarking"],
  ["198.20.0.1", undefined],
  ["198.51.100.7", "documentation"],
  ["203.0.113.9", "documentation"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "limited broadcast"],
  ["1.1.1.1", undefined],
  ["93.184.216.34", undefined],
];

for (
  const [title, rows] of [
    ["IPv6 transition forms", TRANSITION_FORMS],
    ["IPv6 special-purpose ranges", V6_SPECIAL],
    ["IPv4 special-purpose ranges", V4_SPECIAL],
  ] as const
) {
  Deno.test(`nonPublicReason: ${title}`, async (t) => {
    for (const [address, expected] of rows) {
      await t.step(`${address} → ${expected ?? "public"}`, () => {
        assert.equal(nonPublicReason(address), expected);
      });
    }
  });
}

Deno.test("guarded fetch refuses every IPv6 transition URL before connecting", async (t) => {
  let hits = 0;
  const guarded = createGuardedFetch({
    allowPrivate: false,
    resolveHost: () => Promise.reject(new Error("no DNS in this test")),
    fetch: () => {
      hits++;
      return Promise.resolve(new Response("x"));
    },
  });
  const urls = [
    "http://[::ffff:0:7f00:1]/a.png",
    "http://[::ffff:0:127.0.0.1]:8080/a.png",
    "http://[::127.0.0.1]/a.png",
    "http://[64:ff9b::127.0.0.1]/a.png",
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
    "http://[64:ff9b:1::a00:1]/a.png",
    "http://[2002:7f00:1::1]/a.png",
    "http://[2001:0:7f00:1::]/a.png",
    "http://[2001:0:808:808::80ff:fffe]/a.png",
    "http://[100::1]/a.png",
    "http://[fe80::1%25eth0]/a.png",
  ];
  for (const url of urls) {
    await t.step(url, async () => {
      const error = await guarded(url, "image_url", new AbortController().signal).then(
        () => undefined,
        (e) => e,
      );
      assert.ok(error instanceof GatewayError, `refused: ${error}`);
      assert.equal(error.kind, "invalid_request");
      assert.match(error.message, /non-public address|not valid/);
    });
  }
  assert.equal(hits, 0, "no connection attempted");
});

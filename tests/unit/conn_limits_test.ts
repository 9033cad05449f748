import assert from "node:assert/strict";
import {
  addressKey,
  ConnectionLimits,
  createLimitsBuffer,
  effectiveMaxConnections,
} from "../../server/conn_limits.ts";

Deno.test("ConnectionLimits: per process and per address, released on close", () => {
  const limits = new ConnectionLimits(createLimitsBuffer(), 4, 2);
  const a = limits.slotOf("10.0.0.1");
  const b = limits.slotOf("10.0.0.2");
  assert.notEqual(a, b);
  assert.equal(limits.acquire(a), "ok");
  assert.equal(limits.acquire(a), "ok");
  assert.equal(limits.acquire(a), "address", "a third from the same address");
  assert.equal(limits.acquire(b), "ok", "another address still gets in");
  assert.equal(limits.acquire(b), "ok");
  assert.equal(limits.open(), 4);
  assert.equal(limits.acquire(limits.slotOf("10.0.0.3")), "total");
  assert.equal(limits.open(), 4, "refusals leave the counts as they were");
  limits.release(a);
  assert.equal(limits.acquire(limits.slotOf("10.0.0.3")), "ok");
  assert.equal(limits.acquire(a), "total");
});

Deno.test("ConnectionLimits: workers on one buffer share the counts and the hashing", () => {
  const buffer = createLimitsBuffer();
  const one = new ConnectionLimits(buffer, 3, 3);
  const two = new ConnectionLimits(buffer, 3, 3);
  assert.equal(one.slotOf("192.0.2.7"), two.slotOf("192.0.2.7"));
  assert.equal(one.acquire(one.slotOf("192.0.2.7")), "ok");
  assert.equal(two.acquire(two.slotOf("192.0.2.7")), "ok");
  assert.equal(one.acquire(one.slotOf("192.0.2.8")), "ok");
  assert.equal(two.acquire(two.slotOf("192.0.2.9")), "total");
  assert.equal(two.open(), 3);
});

Deno.test("ConnectionLimits.transfer: a place changes hands without the total dipping", () => {
  const limits = new ConnectionLimits(createLimitsBuffer(), 2, 1);
  const a = limits.slotOf("10.0.0.1");
  const b = limits.slotOf("10.0.0.2");
  const c = limits.slotOf("10.0.0.3");
  assert.equal(limits.acquire(a), "ok");
  assert.equal(limits.acquire(b), "ok");
  assert.equal(limits.acquire(c), "total");
  assert.equal(limits.transfer(b, a), "address", "a is at its per-address limit");
  assert.equal(limits.transfer(b, c), "ok");
  assert.equal(limits.open(), 2);
  assert.equal(limits.acquire(b), "total", "b's place went to c");
  limits.release(c);
  assert.equal(limits.acquire(b), "ok");
  assert.equal(limits.transfer(a, a), "ok");
  assert.equal(limits.open(), 2);
});

Deno.test("ConnectionLimits room requests: a full worker gets a place handed over by another", () => {
  const buffer = createLimitsBuffer();
  const holder = new ConnectionLimits(buffer, 2, 2);
  const asker = new ConnectionLimits(buffer, 2, 2);
  const a = holder.slotOf("10.0.0.1");
  const b = asker.slotOf("10.0.0.2");
  assert.equal(holder.acquire(a), "ok");
  assert.equal(holder.acquire(a), "ok");
  assert.equal(asker.acquire(b), "total");
  assert.equal(holder.claimRoomRequest(), false, "nothing asked yet");

  asker.requestRoom();
  assert.equal(holder.roomRequests(), 1);
  assert.equal(asker.takeRoom(b), undefined, "not handed over yet");
  assert.equal(holder.claimRoomRequest(), true);
  holder.handOver(a); // the holder closes one of its connections, keeping the place
  assert.equal(holder.open(), 2);
  assert.equal(holder.acquire(a), "total", "nobody else can take the handed-over place");
  assert.equal(asker.takeRoom(b), "ok");
  assert.equal(asker.open(), 2);
  assert.equal(holder.roomRequests(), 0);

  // A request withdrawn before anyone claims it.
  asker.requestRoom();
  asker.cancelRoom();
  assert.equal(holder.claimRoomRequest(), false);
  // A place handed over to a requester that gave up meanwhile is given back.
  asker.requestRoom();
  assert.equal(holder.claimRoomRequest(), true);
  holder.handOver(a);
  asker.cancelRoom();
  assert.equal(asker.open(), 1, "the place was given back");
  assert.equal(asker.acquire(b), "ok");
});

Deno.test("addressKey: IPv4, IPv4-mapped, IPv6 by /64", async (t) => {
  const rows = [
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::ffff:7f00:1", "127.0.0.1"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::ffff", "2001:db8:1:2::/64"],
    ["::1", "0:0:0:0::/64"],
    ["not-an-address", "not-an-address"],
  ];
  for (const [input, expected] of rows) {
    await t.step(input, () => assert.equal(addressKey(input), expected));
  }
  await t.step("addresses in one /64 share a slot", () => {
    const limits = new ConnectionLimits(createLimitsBuffer(), 10, 10);
    assert.equal(limits.slotOf("2001:db8::1"), limits.slotOf("2001:db8::2"));
  });
});

Deno.test("effectiveMaxConnections: configured, or half the free descriptors after a reserve", async (t) => {
  const rows: Array<[number, number | undefined, number]> = [
    [300, 1_000, 300],
    [0, 1_000, 468],
    [0, 240, 88],
    [0, 50, 1],
    [0, 1_000_000, 4_096],
    [0, undefined, 4_096],
  ];
  for (const [configured, free, expected] of rows) {
    await t.step(`${configured}, ${free} → ${expected}`, () => {
      assert.equal(effectiveMaxConnections(configured, free), expected);
    });
  }
});

/**
 * The spawned gateway against hostile connections: a flood of connections that dribble their
 * headers, under a lowered open-files limit, must not stop it answering (connections beyond the
 * limits are closed early; running out of descriptors backs off instead of exiting); headers must
 * arrive within HEADERS_TIMEOUT_MS, idle keep-alive connections are closed after
 * KEEPALIVE_TIMEOUT_MS; MAX_CONNECTIONS and MAX_CONNECTIONS_PER_IP hold per process.
 */
import assert from "node:assert/strict";
import { chatBody } from "../helpers/app.ts";
import {
  getRequest,
  healthStatus,
  openRaw,
  postRequest,
  type RawConn,
} from "../helpers/raw_conn.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";

const DRIBBLE = "GET /health HTTP/1.1\r\nHo";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens `count` dribbling connections in batches, probing `/health` after each batch. */
async function flood(gw: SpawnedGateway, count: number, batch = 50) {
  const conns: RawConn[] = [];
  let connectFailures = 0;
  const probes: number[] = [];
  for (let i = 0; i < count; i += batch) {
    const opened = await Promise.all(
      Array.from(
        { length: Math.min(batch, count - i) },
        () => openRaw(gw.port, DRIBBLE).catch(() => undefined),
      ),
    );
    for (const c of opened) c === undefined ? connectFailures++ : conns.push(c);
    probes.push(await healthStatus(gw.port));
  }
  return { conns, connectFailures, probes };
}

/** Waits until `check` holds (bounded). */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(25);
  }
}

/** The `gateway listening` log line (written once every worker is ready). */
async function listening(gw: SpawnedGateway): Promise<Record<string, unknown>> {
  const find = () => gw.logs().find((l) => String(l.msg).startsWith("gateway listening"));
  await eventually(() => find() !== undefined, 10_000, "gateway listening");
  return find()!;
}

for (const workers of ["1", "2"]) {
  Deno.test(`connections: WORKERS=${workers}, ulimit -n 256, 600 dribbling connections: /health keeps answering, recovers`, async () => {
    const gw = await spawnGateway({ WORKERS: workers }, { openFilesLimit: 256 });
    let conns: RawConn[] = [];
    try {
      const started = performance.now();
      const result = await flood(gw, 600);
      conns = result.conns;
      const floodMs = performance.now() - started;
      assert.deepEqual(result.probes, result.probes.map(() => 200), "every probe answered 200");
      // The automatic limit, per process: half the descriptors free at start-up, less a reserve
      // ((256 - the few in use - 64) / 2).
      const max = Number((await listening(gw)).max_connections);
      assert.ok(max > 60 && max <= 96, `max_connections ${max}`);
      // Beyond the limit connections were closed early; at most the limit is held.
      await eventually(
        () => conns.filter((c) => !c.isClosed()).length <= max,
        5_000,
        `at most ${max} flood connections held`,
      );
      const held = conns.filter((c) => !c.isClosed()).length;
      console.log(
        `flood: ${conns.length} connected (${result.connectFailures} refused by the kernel), ` +
          `${held} held, ${conns.length - held} closed early, ${result.probes.length} probes ` +
          `200 in ${floodMs.toFixed(0)} ms`,
      );
      for (const c of conns) c.close();
      await Promise.all(conns.map((c) => c.closed));
      assert.equal(await healthStatus(gw.port), 200, "recovered after the flood");
    } finally {
      for (const c of conns) c.close();
      const status = await gw.stop("SIGTERM");
      assert.equal(status.code, 0, gw.stderr());
    }
    assert.doesNotMatch(gw.stderr(), /Too many open files|Uncaught/);
  });
}

Deno.test("connections: MAX_CONNECTIONS above the fd limit: accept backs off on EMFILE and keeps serving", async () => {
  const gw = await spawnGateway({ WORKERS: "1", MAX_CONNECTIONS: "5000" }, {
    openFilesLimit: 128,
  });
  let conns: RawConn[] = [];
  try {
    assert.equal((await listening(gw)).max_connections, 5000);
    const result = await flood(gw, 400);
    conns = result.conns;
    assert.deepEqual(result.probes, result.probes.map(() => 200), "every probe answered 200");
    const held = conns.filter((c) => !c.isClosed()).length;
    assert.ok(held < 128, `the fd limit bounds what is held (${held})`);
    for (const c of conns) c.close();
    await Promise.all(conns.map((c) => c.closed));
    assert.equal(await healthStatus(gw.port), 200, "recovered after the flood");
    await eventually(
      () => gw.logs().some((l) => l.msg === "connections shed"),
      8_000,
      "shed counts logged",
    );
  } finally {
    for (const c of conns) c.close();
    const status = await gw.stop("SIGTERM");
    assert.equal(status.code, 0, gw.stderr());
  }
  assert.doesNotMatch(gw.stderr(), /Uncaught/);
  // The shed counts are logged every 5 s.
  const shed = gw.logs().filter((l) => l.msg === "connections shed");
  assert.ok(shed.some((l) => Number(l.accept_errors) > 0), gw.stdout());
  assert.match(String(shed.find((l) => l.accept_error)?.accept_error), /Too many open files/);
});

Deno.test("connections: headers must arrive within HEADERS_TIMEOUT_MS", async () => {
  await using gw = await spawnGateway({ HEADERS_TIMEOUT_MS: "1000" });
  const t0 = performance.now();
  const dribbling = await openRaw(gw.port, DRIBBLE);
  const silent = await openRaw(gw.port);
  // A connection that finishes its headers in time is answered.
  const slowButInTime = await openRaw(gw.port, "GET /health HTTP/1.1\r\n");
  await sleep(300);
  await slowButInTime.write(`Host: 127.0.0.1:${gw.port}\r\nConnection: close\r\n\r\n`);
  const within = (c: RawConn) => Promise.race([c.closed, sleep(8_000).then(() => Number.NaN)]);
  const [d, s] = await Promise.all([within(dribbling), within(silent)]);
  for (const [name, at] of [["dribbling", d], ["silent", s]] as const) {
    assert.ok(!Number.isNaN(at), `${name} connection still open after 8 s`);
    const after = at - t0;
    assert.ok(after >= 900 && after < 5_000, `${name} closed after ${after.toFixed(0)} ms`);
  }
  assert.equal(dribbling.text(), "", "closed without an answer");
  await slowButInTime.closed;
  assert.match(slowButInTime.text(), /^HTTP\/1\.1 200/);
});

Deno.test("connections: an idle keep-alive connection is closed after KEEPALIVE_TIMEOUT_MS", async () => {
  await using gw = await spawnGateway({ KEEPALIVE_TIMEOUT_MS: "1000" });
  const c = await openRaw(gw.port);
  // Two requests on the connection, 400 ms apart: in-use connections stay open.
  for (let i = 0; i < 2; i++) {
    await c.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${gw.port}\r\n\r\n`);
    await eventually(
      () => (c.text().match(/HTTP\/1\.1 200/g) ?? []).length === i + 1,
      5_000,
      "answer",
    );
    await sleep(400);
    assert.equal(c.isClosed(), false);
  }
  const idleFrom = performance.now();
  const at = await Promise.race([c.closed, sleep(8_000).then(() => Number.NaN)]);
  assert.ok(!Number.isNaN(at), "still open after 8 s idle");
  assert.ok(at - idleFrom < 5_000, `closed after ${(at - idleFrom).toFixed(0)} ms idle`);
});

/** A connection with a long `mock-slow` stream in flight (not evictable). */
async function busy(port: number): Promise<RawConn> {
  const words = Array.from({ length: 100 }, (_, i) => `w${i}`).join(" ");
  const c = await openRaw(
    port,
    postRequest(port, "/v1/chat/completions", chatBody("mock-slow", words, { stream: true })),
  );
  await eventually(() => c.text().includes("data: "), 10_000, "stream started");
  return c;
}

Deno.test("connections: MAX_CONNECTIONS_PER_IP=3: idle connections give way, busy ones are kept, a 4th is closed", async () => {
  // KEEPALIVE_TIMEOUT_MS closes the readiness probe's pooled connection before counting starts.
  await using gw = await spawnGateway({
    MAX_CONNECTIONS_PER_IP: "3",
    KEEPALIVE_TIMEOUT_MS: "500",
  });
  assert.equal((await listening(gw)).max_connections_per_ip, 3);
  await sleep(1_000);
  const opened: RawConn[] = [];
  try {
    // Three idle (pre-header) connections: a new one takes the oldest one's place.
    for (let i = 0; i < 3; i++) opened.push(await openRaw(gw.port));
    await sleep(100);
    const answered = await openRaw(gw.port, getRequest(gw.port, "/health"));
    opened.push(answered);
    await answered.closed;
    assert.match(answered.text(), /^HTTP\/1\.1 200/, "the newcomer is served");
    await eventually(() => opened[0].isClosed(), 5_000, "the oldest idle connection gave way");
    assert.ok(!opened[1].isClosed() && !opened[2].isClosed(), "only the oldest gave way");
    for (const c of opened) c.close();
    await Promise.all(opened.map((c) => c.closed));
    await sleep(200);
    await refusesBeyond(gw, 3, opened);
  } finally {
    for (const c of opened) c.close();
  }
});

Deno.test("connections: MAX_CONNECTIONS=3 holds per process across WORKERS=2", async () => {
  await using gw = await spawnGateway({
    MAX_CONNECTIONS: "3",
    WORKERS: "2",
    KEEPALIVE_TIMEOUT_MS: "500",
  });
  assert.equal((await listening(gw)).max_connections, 3);
  await sleep(1_000);
  const opened: RawConn[] = [];
  try {
    await refusesBeyond(gw, 3, opened);
  } finally {
    for (const c of opened) c.close();
  }
});

/** `limit` connections with requests in flight are kept; one more is closed unanswered; once
 * one of them is gone, a new connection is served again. */
async function refusesBeyond(gw: SpawnedGateway, limit: number, opened: RawConn[]) {
  const streams = [];
  for (let i = 0; i < limit; i++) streams.push(await busy(gw.port));
  opened.push(...streams);
  const refused = await openRaw(gw.port, getRequest(gw.port, "/health"));
  opened.push(refused);
  const at = await Promise.race([refused.closed, sleep(5_000).then(() => Number.NaN)]);
  assert.ok(!Number.isNaN(at), "the connection beyond the limit was not closed");
  assert.equal(refused.text(), "", "closed without an answer");
  assert.ok(streams.every((c) => !c.isClosed()), "busy connections are kept");
  streams[0].close();
  await streams[0].closed;
  await sleep(200);
  assert.equal(await healthStatus(gw.port), 200);
}

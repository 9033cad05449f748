/**
 * A client that disconnects aborts the upstream request. Once a stream has started, whatever
 * the request body's size (1 byte to 1 MB); before the first byte, for requests that reach the
 * server in one piece of up to about 512 bytes — a larger request's disconnect before any answer
 * byte is not reported by Deno's HTTP server (README, Known limits), and the upstream call is
 * then bounded by UPSTREAM_TIMEOUT_MS, which this test also checks.
 */
import assert from "node:assert/strict";
import { hang, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { spawnGateway } from "../helpers/server.ts";

const encoder = new TextEncoder();

/** A chat request of at least `bytes` bytes (padded in the message text). */
function bodyOf(bytes: number, stream: boolean): string {
  const base = JSON.stringify({
    model: "gpt-4o-mini",
    stream,
    messages: [{ role: "user", content: "" }],
  });
  if (bytes <= base.length) return base;
  return base.replace('"content":""', `"content":"${"x".repeat(bytes - base.length)}"`);
}

function requestBytes(port: number, body: string): Uint8Array {
  return encoder.encode(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${encoder.encode(body).length}\r\n\r\n` +
      body,
  );
}

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([
    promise,
    new Promise((r) => setTimeout(() => r(`still running after ${ms} ms`), ms)),
  ]);

Deno.test("disconnects abort the upstream request", async (t) => {
  await using fake = await startFakeOpenAI();
  await using gw = await spawnGateway({
    WORKERS: "1",
    OPENAI_API_KEY: "test",
    OPENAI_BASE_URL: fake.url,
    UPSTREAM_TIMEOUT_MS: "3000",
  });
  const untilRequest = async (before: number) => {
    for (let i = 0; fake.chatRequests.length === before && i < 1000; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(fake.chatRequests.length, before + 1, "the request reached the upstream");
    return fake.chatRequests[before];
  };

  for (const size of [1, 1_000, 65_536, 1_000_000]) {
    await t.step(`after the first streamed byte: ${size} bytes`, async () => {
      fake.script(streamReply(textDeltas(["first"]), { end: "hang" }));
      const before = fake.chatRequests.length;
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: gw.port });
      await conn.write(requestBytes(gw.port, bodyOf(size, true)));
      const request = await untilRequest(before);
      // Read until the first event arrived, so the answer really started before the close.
      let seen = "";
      const buffer = new Uint8Array(4096);
      while (!seen.includes("data: ")) {
        const n = await conn.read(buffer);
        assert.ok(n !== null, "the stream started");
        seen += new TextDecoder().decode(buffer.subarray(0, n));
      }
      assert.match(seen, /^HTTP\/1\.1 200/);
      conn.close();
      assert.equal(await within(request.outcome, 2_000), "aborted");
    });
  }
  for (const stream of [false, true]) {
    await t.step(
      `before the first byte, a small request (${stream ? "stream" : "JSON"})`,
      async () => {
        fake.script(hang());
        const before = fake.chatRequests.length;
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: gw.port });
        const bytes = requestBytes(gw.port, bodyOf(1, stream));
        assert.ok(bytes.length < 512);
        await conn.write(bytes);
        const request = await untilRequest(before);
        conn.close();
        assert.equal(await within(request.outcome, 2_000), "aborted");
      },
    );
  }
  await t.step(
    "before the first byte, a large request: bounded by UPSTREAM_TIMEOUT_MS",
    async () => {
      fake.script(hang());
      const before = fake.chatRequests.length;
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: gw.port });
      await conn.write(requestBytes(gw.port, bodyOf(65_536, false)));
      const request = await untilRequest(before);
      conn.close();
      assert.equal(await within(request.outcome, 6_000), "aborted");
    },
  );
});

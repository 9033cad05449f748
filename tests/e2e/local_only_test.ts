/**
 * The spawned gateway without API_KEY over real sockets, with raw HTTP/1.1 so the Host header is
 * exactly what a browser after DNS rebinding sends: loopback Hosts are served, others refused;
 * a cross-site text/plain POST is refused; the official SDK (JSON, 127.0.0.1) still works.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { spawnGateway } from "../helpers/server.ts";

/** Sends one raw HTTP/1.1 request; returns the status and body. */
async function raw(
  port: number,
  head: string,
  body = "",
): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const length = new TextEncoder().encode(body).length;
    const request = `${head}\r\nconnection: close\r\ncontent-length: ${length}\r\n\r\n${body}`;
    await conn.write(new TextEncoder().encode(request));
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(16384);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
    const text = new TextDecoder().decode(
      chunks.reduce((all, c) => new Uint8Array([...all, ...c]), new Uint8Array()),
    );
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
    return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
  } finally {
    conn.close();
  }
}

Deno.test("spawned gateway without API_KEY: Host, Origin and content-type rules on the wire", async (t) => {
  await using gw = await spawnGateway({});
  const chat = JSON.stringify({ model: "mock-echo", messages: [{ role: "user", content: "hi" }] });

  for (const host of [`127.0.0.1:${gw.port}`, `localhost:${gw.port}`, `[::1]:${gw.port}`]) {
    await t.step(`Host ${host} is served`, async () => {
      const res = await raw(gw.port, `GET /v1/models HTTP/1.1\r\nhost: ${host}`);
      assert.equal(res.status, 200, res.body);
    });
  }
  for (const host of [`attacker.example:${gw.port}`, "attacker.example"]) {
    await t.step(`Host ${host} (DNS rebinding) is refused`, async () => {
      for (const target of ["GET /v1/models", "GET /v1/files/file-x/content", "GET /health"]) {
        const res = await raw(gw.port, `${target} HTTP/1.1\r\nhost: ${host}`);
        assert.equal(res.status, 403, `${target}: ${res.body}`);
        assert.match(res.body, /host_not_allowed/);
      }
      const post = await raw(
        gw.port,
        `POST /v1/chat/completions HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json`,
        chat,
      );
      assert.equal(post.status, 403);
    });
  }
  await t.step("a cross-site text/plain POST is refused", async () => {
    const res = await raw(
      gw.port,
      `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${gw.port}\r\n` +
        `origin: https://attacker.example\r\ncontent-type: text/plain`,
      chat,
    );
    assert.equal(res.status, 403);
    assert.match(res.body, /origin_not_allowed/);
    const sameSite = await raw(
      gw.port,
      `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1:${gw.port}\r\ncontent-type: text/plain`,
      chat,
    );
    assert.equal(sameSite.status, 415);
    assert.match(sameSite.body, /unsupported_media_type/);
  });
  await t.step("the official openai SDK is served", async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: "unused", maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: "mock-echo",
      messages: [{ role: "user", content: "sdk ok" }],
    });
    assert.equal(answer.choices[0].message.content, "sdk ok");
  });
});

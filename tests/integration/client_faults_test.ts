/**
 * Client faults over real sockets (Deno's HTTP server in front of the app): a body cut short or
 * sent with broken chunked encoding is the client's fault — a 400 `invalid_body` logged at
 * `info`, never a 500 — and a body nested past MAX_JSON_DEPTH is refused at the edge, on every
 * JSON route.
 */
import assert from "node:assert/strict";
import { chatBody, testApp } from "../helpers/app.ts";

const encoder = new TextEncoder();

function serveApp(env: Record<string, string> = {}) {
  const app = testApp(env);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.handler);
  return {
    app,
    port: server.addr.port,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/**
 * Writes `head` and `body` on a raw connection, then (after a pause, so the server has started
 * reading the body) `rest`, half-closes, and reads the answer.
 */
async function raw(port: number, head: string, body: string, rest = ""): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(encoder.encode(head + body));
    if (rest !== "") {
      await new Promise((r) => setTimeout(r, 100));
      await conn.write(encoder.encode(rest));
    }
    await conn.closeWrite();
    let text = "";
    const buffer = new Uint8Array(16_384);
    const decoder = new TextDecoder();
    const deadline = setTimeout(() => conn.close(), 10_000);
    try {
      for (;;) {
        const n = await conn.read(buffer).catch(() => null);
        if (n === null) break;
        text += decoder.decode(buffer.subarray(0, n), { stream: true });
      }
    } finally {
      clearTimeout(deadline);
    }
    return text;
  } finally {
    try {
      conn.close();
    } catch { /* closed by the deadline */ }
  }
}

const ROUTES = [
  { path: "/v1/chat/completions", type: "application/json" },
  { path: "/v1/messages", type: "application/json" },
  { path: "/trpc/chat.complete", type: "application/json" },
  { path: "/v1/files", type: "multipart/form-data; boundary=xyz" },
];

const head = (path: string, type: string, extra: string) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nConnection: close\r\n${extra}\r\n`;

function assertClientFault(app: ReturnType<typeof testApp>, answer: string, path: string) {
  assert.match(answer, /^HTTP\/1\.1 400 /, `${path}: ${answer.slice(0, 200)}`);
  // OpenAI's envelope carries the code; Anthropic's (on /v1/messages) only type and message.
  assert.match(answer, path === "/v1/messages" ? /could not be read completely/ : /invalid_body/);
  const errors = app.logs().filter((l) => l.level === "error");
  assert.deepEqual(errors, [], `${path}: error lines logged`);
}

Deno.test("client faults: a body cut short is a 400 invalid_body on every body route", async (t) => {
  await using served = await serveApp();
  for (const { path, type } of ROUTES) {
    await t.step(path, async () => {
      const answer = await raw(
        served.port,
        head(path, type, "Content-Length: 500\r\n"),
        '{"model":"mock-echo","messages":[',
      );
      assertClientFault(served.app, answer, path);
    });
  }
  const records = served.app.accessLogs();
  assert.equal(records.length, ROUTES.length);
  for (const record of records) {
    assert.equal(record.status, 400);
    assert.equal(record.error_code, "invalid_body");
  }
});

Deno.test("client faults: malformed chunked encoding is a 400 invalid_body", async (t) => {
  await using served = await serveApp();
  for (const { path, type } of ROUTES) {
    await t.step(path, async () => {
      const answer = await raw(
        served.port,
        head(path, type, "Transfer-Encoding: chunked\r\n"),
        '5\r\n{"mod\r\n',
        'zz-not-hex\r\nel"}\r\n0\r\n\r\n',
      );
      assertClientFault(served.app, answer, path);
    });
  }
});

Deno.test("client faults: the server is healthy afterwards", async () => {
  await using served = await serveApp();
  await raw(
    served.port,
    head("/v1/chat/completions", "application/json", "Content-Length: 90\r\n"),
    "{",
  );
  const res = await fetch(`http://127.0.0.1:${served.port}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(chatBody("mock-echo", "still here")),
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).choices[0].message.content, "still here");
});

const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

Deno.test("depth limit: bodies nested past MAX_JSON_DEPTH are 400s on every JSON route", async (t) => {
  const gw = testApp({ MAX_JSON_DEPTH: "64" });
  const inContent = (levels: number) =>
    `{"model":"mock-echo","messages":[{"role":"user","content":"hi","x":${deep(levels)}}]}`;
  const rows = [
    { name: "chat, 10,000 levels", path: "/v1/chat/completions", body: inContent(10_000) },
    {
      name: "chat, Claude body",
      path: "/v1/chat/completions?target_format=bedrock_claude",
      body: inContent(1_000),
    },
    { name: "messages", path: "/v1/messages", body: inContent(1_000) },
    { name: "tRPC mutation", path: "/trpc/chat.complete", body: `{"json":${inContent(1_000)}}` },
    {
      name: "tRPC batch",
      path: "/trpc/chat.complete?batch=1",
      body: `{"0":{"json":${inContent(1_000)}}}`,
    },
    {
      name: "tRPC convert",
      path: "/trpc/formats.convert",
      body: `{"json":{"to":"openai","body":${deep(5_000)}}}`,
    },
  ];
  for (const row of rows) {
    await t.step(row.name, async () => {
      const res = await gw.post(row.path, row.body);
      assert.equal(res.status, 400);
      const text = await res.text();
      assert.match(text, /deeper than 64 levels \(MAX_JSON_DEPTH\)/);
      // Anthropic's envelope (the answer's format) has no code; OpenAI's and tRPC's do.
      if (!/messages|bedrock_claude/.test(row.path)) assert.match(text, /too_deep/);
    });
  }
  await t.step("tRPC query input in the URL", async () => {
    const input = encodeURIComponent(`{"json":{"body":${deep(2_000)}}}`);
    const res = await gw.get(`/trpc/formats.detect?input=${input}`);
    assert.equal(res.status, 400);
    assert.match(await res.text(), /too_deep/);
  });
  await t.step("at the limit it is an ordinary request", async () => {
    // 64 levels in all: the body, messages, the message and 61 levels below "x".
    const res = await gw.post("/v1/chat/completions", inContent(61));
    assert.equal(res.status, 200, await res.text());
  });
  assert.deepEqual(gw.logs().filter((l) => l.level === "error"), []);
});

/**
 * The launcher as `deno task start` runs it: bad configuration stops it with one line naming the
 * variable; it serves with one or several workers; `.env` is read under the real environment;
 * SIGTERM/SIGINT shut it down cleanly, letting in-flight requests finish.
 */
import assert from "node:assert/strict";
import { startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { chatBody } from "../helpers/app.ts";
import { runGateway, spawnGateway } from "../helpers/server.ts";
import { readDataEvents } from "../helpers/sse.ts";

Deno.test("launcher: bad configuration exits 1 with one stderr line naming the variable", async (t) => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ["bad PORT", { PORT: "eighty" }, /PORT/],
    ["PORT out of range", { PORT: "70000" }, /PORT/],
    ["unknown LOG_LEVEL", { LOG_LEVEL: "verbose" }, /LOG_LEVEL/],
    ["HOST=0.0.0.0 without API_KEY", { HOST: "0.0.0.0" }, /API_KEY/],
    ["bad OPENAI_BASE_URL", { OPENAI_BASE_URL: "ftp://example" }, /OPENAI_BASE_URL/],
  ];
  // The runs are independent: start them together.
  const results = await Promise.all(cases.map(([, env]) => runGateway(env)));
  for (const [i, [name, , variable]] of cases.entries()) {
    await t.step(name, () => {
      const { code, stderr, stdout } = results[i];
      assert.equal(code, 1, stderr);
      const lines = stderr.trim().split("\n");
      assert.equal(lines.length, 1, `one line: ${stderr}`);
      assert.match(lines[0], variable);
      assert.ok(!/\bat .*\.ts:\d+/.test(stderr), "no stack trace");
      assert.equal(stdout.trim(), "", "nothing served, nothing logged");
    });
  }
});

Deno.test("launcher: HOST=0.0.0.0 with API_KEY starts", async () => {
  await using gw = await spawnGateway({ HOST: "0.0.0.0", API_KEY: "k" });
  const res = await fetch(`${gw.url}/v1/models`, { headers: { authorization: "Bearer k" } });
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

for (const workers of ["1", "2"]) {
  Deno.test(`launcher: WORKERS=${workers} serves and exits 0 on SIGTERM`, async () => {
    const gw = await spawnGateway({ WORKERS: workers });
    try {
      // Concurrent requests (spread over the workers with SO_REUSEPORT).
      const answers = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const res = await fetch(`${gw.url}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(chatBody("mock-echo", `hello ${i}`)),
          });
          return (await res.json()).choices[0].message.content;
        }),
      );
      assert.deepEqual(answers, Array.from({ length: 8 }, (_, i) => `hello ${i}`));
    } finally {
      const status = await gw.stop("SIGTERM");
      assert.equal(status.code, 0, gw.stderr());
      assert.equal(status.signal, null);
    }
    const listening = gw.logs().find((l) => String(l.msg).startsWith("gateway listening"));
    assert.ok(listening, gw.stdout());
    assert.match(String(listening.msg), new RegExp(`\\(${workers} workers?\\)`));
    assert.equal(gw.logs().filter((l) => l.msg === "request").length, 9, "8 chats + /health");
  });
}

Deno.test("launcher: SIGTERM right after the first worker is healthy still exits 0", async () => {
  const gw = await spawnGateway({ WORKERS: "3" });
  const status = await gw.stop("SIGTERM");
  assert.equal(status.code, 0, `signal ${status.signal}; ${gw.stderr()}`);
});

Deno.test("launcher: SIGINT also exits 0", async () => {
  const gw = await spawnGateway({ WORKERS: "1" });
  const status = await gw.stop("SIGINT");
  assert.equal(status.code, 0, gw.stderr());
});

Deno.test("launcher: an in-flight stream finishes during graceful shutdown", async () => {
  await using fake = await startFakeOpenAI();
  const gw = await spawnGateway({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  fake.script(streamReply(textDeltas(["still", " streaming", " after", " SIGTERM"]), {
    chunkDelayMs: 150,
  }));
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(chatBody("gpt-4o-mini", "x", { stream: true })),
  });
  assert.equal(res.status, 200);
  const stopping = gw.stop("SIGTERM");
  const events = await readDataEvents(res);
  assert.equal(events.at(-1), "[DONE]");
  const text = events.slice(0, -1).map((e) =>
    (e as { choices: Array<{ delta: { content?: string } }> }).choices[0].delta.content ?? ""
  ).join("");
  assert.equal(text, "still streaming after SIGTERM");
  assert.equal((await stopping).code, 0);
  // New connections are refused once it stopped.
  await assert.rejects(fetch(`${gw.url}/health`));
});

Deno.test("launcher: ./.env is read, real environment variables win", async () => {
  const gw = await spawnGateway(
    { LOG_LEVEL: "info" },
    { files: { ".env": "API_KEY=dotenv-key\nLOG_LEVEL=error\nMOCK_MODELS=false\n" } },
  );
  try {
    const denied = await fetch(`${gw.url}/v1/models`);
    assert.equal(denied.status, 401, "API_KEY from .env applies");
    await denied.body?.cancel();
    const res = await fetch(`${gw.url}/v1/models`, {
      headers: { authorization: "Bearer dotenv-key" },
    });
    const ids = (await res.json()).data.map((m: { id: string }) => m.id);
    assert.ok(!ids.includes("mock-echo"), "MOCK_MODELS=false from .env applies");
  } finally {
    await gw.stop();
  }
  // LOG_LEVEL=info from the real environment beat LOG_LEVEL=error from .env.
  assert.ok(gw.logs().some((l) => l.msg === "request"));
});

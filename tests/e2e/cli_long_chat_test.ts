/**
 * The CLI streams long conversations: a resumed session of about 2 MB (a long history and a
 * base64 image in OpenAI's content-part form) and a 2 MB piped prompt reach the gateway in a
 * POST body through a recording proxy, the answer streams back, and no URL carries the key or
 * the input.
 */
import assert from "node:assert/strict";
import { streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { longChat } from "../helpers/long_chat.ts";
import { proxiedGateway } from "../helpers/proxied_gateway.ts";
import { runCli, scratch } from "./cli_harness.ts";

const KEY = "cli-long-key-5d21e0";
const MiB = 1024 * 1024;

Deno.test("CLI chat: 2 MB conversations stream through the POST transport, no key in a URL", async (t) => {
  await using setup = await proxiedGateway(KEY);
  const { fake, proxy } = setup;
  using s = scratch();
  const env = s.env({ GATEWAY_URL: proxy.url, GATEWAY_API_KEY: KEY });
  const run = (args: string[], stdin?: string) =>
    runCli(args, { env, cwd: s.dir, stdin, timeoutMs: 30_000 });
  const streams = setup.streams;

  await t.step("--session with a 2 MB history and an image: all of it goes upstream", async () => {
    const long = longChat();
    const messages = [...long.messages, { role: "assistant", content: "I see a picture." }];
    const id = "20260101-000000-long";
    Deno.mkdirSync(s.historyDir, { recursive: true });
    const now = new Date().toISOString();
    s.write(
      `history/${id}.json`,
      JSON.stringify({ id, created_at: now, updated_at: now, model: "gpt-4o-mini", messages }),
    );
    fake.script(streamReply(textDeltas(["still ", "a picture"])));
    const r = await run(["chat", "--session", id, "and now?"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "still a picture\n");
    const upstream = fake.chatRequests.at(-1)!.body as { messages: unknown[] };
    assert.deepEqual(upstream.messages, [...messages, { role: "user", content: "and now?" }]);
    const [sent] = streams();
    assert.equal(sent.method, "POST");
    assert.ok(sent.bodyBytes >= 2 * MiB, `body of ${sent.bodyBytes} bytes`);
    assert.equal(sent.status, 200);
  });

  await t.step("a 2 MB prompt piped on stdin is echoed back whole", async () => {
    // Long words (a pasted blob): ~10 000 streamed pieces, not 400 000.
    const word = "quick".repeat(40);
    const line = Array.from({ length: 20 }, (_, i) => `${word}${i}`).join(" ");
    const prompt = Array.from({ length: Math.ceil((2 * MiB) / line.length) }, () => line)
      .join("\n");
    const r = await run(["chat", "-m", "mock-echo"], prompt);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${prompt}\n`);
    assert.ok(streams().at(-1)!.bodyBytes >= 2 * MiB);
  });

  await t.step("no URL carries the key or the input", () => {
    assert.equal(streams().length, 2);
    for (const request of proxy.requests) {
      assert.ok(!request.url.includes(KEY), `key in ${request.url}`);
      assert.equal(request.headers.get("authorization"), `Bearer ${KEY}`, request.url);
      for (const marker of ["u0w0", "quick", "base64", "and now"]) {
        assert.ok(!decodeURIComponent(request.url).includes(marker), `${marker} in ${request.url}`);
      }
    }
  });
});

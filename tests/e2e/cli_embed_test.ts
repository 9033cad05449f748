/**
 * `deno task cli embed` as a real subprocess against a spawned gateway: the vector size and its
 * first values per input, `--json` (the /v1/embeddings answer), `--dimensions`, and mistakes as
 * one line with a non-zero exit.
 */
import assert from "node:assert/strict";
import { MOCK_EMBED_DIMENSIONS, mockVector } from "../../core/providers/mock/mock_embed.ts";
import { spawnGateway } from "../helpers/server.ts";
import { runCli, scratch } from "./cli_harness.ts";

const KEY = "cli-embed-key-0123456789";

Deno.test("CLI embed: size and first values, --json, --dimensions, errors", async (t) => {
  await using gw = await spawnGateway({ API_KEY: KEY });
  using s = scratch();
  const env = s.env({ GATEWAY_URL: gw.url, GATEWAY_API_KEY: KEY });
  const run = (args: string[]) => runCli(args, { env, cwd: s.dir });

  await t.step("one text: its size and first 8 values", async () => {
    const r = await run(["embed", "hello world", "-m", "mock-embed"]);
    assert.equal(r.code, 0, r.stderr);
    const [vectorLine, footer] = r.stdout.trimEnd().split("\n");
    const expected = mockVector("hello world", MOCK_EMBED_DIMENSIONS);
    const shown = expected.slice(0, 8).map((n) => (n >= 0 ? " " : "") + n.toFixed(6)).join(", ");
    assert.equal(vectorLine, `${MOCK_EMBED_DIMENSIONS} dimensions: [${shown}, …]`);
    assert.equal(footer, "mock-embed · 2 prompt tokens");
  });

  await t.step("several texts, --dimensions", async () => {
    const r = await run(["embed", "one", "two three", "--dimensions", "4"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^\[0\] 4 dimensions: \[[- ]\d\.\d{6}(, [- ]\d\.\d{6}){3}\]$/);
    assert.match(lines[1], /^\[1\] 4 dimensions: /);
    assert.equal(lines[2], "mock-embed · 3 prompt tokens");
  });

  await t.step("--json prints the response", async () => {
    const r = await run(["embed", "hello world", "-m", "mock-embed", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout);
    assert.equal(body.object, "list");
    assert.equal(body.model, "mock-embed");
    assert.deepEqual(body.data[0].embedding, mockVector("hello world", MOCK_EMBED_DIMENSIONS));
    assert.deepEqual(body.usage, { prompt_tokens: 2, total_tokens: 2 });
  });

  await t.step("mistakes: no text, a chat model, bad --dimensions", async () => {
    const none = await run(["embed"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Give the text to embed/);
    const chat = await run(["embed", "x", "-m", "mock-echo"]);
    assert.notEqual(chat.code, 0);
    assert.match(chat.stderr, /does not serve embeddings/);
    assert.equal(chat.stderr.trim().split("\n").length, 1, chat.stderr);
    const dims = await run(["embed", "x", "--dimensions", "zero"]);
    assert.equal(dims.code, 2);
    assert.match(dims.stderr, /--dimensions must be an integer/);
  });

  await t.step("help lists the command", async () => {
    const root = await run(["--help"]);
    assert.match(root.stdout, /\n {2}embed {4}Embed texts/);
    const help = await run(["embed", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /deno task cli embed "text"/);
  });
});

/**
 * The README's examples run as written: `docs/examples/*.ts` with the command the README gives,
 * and the quick start's curl commands, against a spawned gateway as a new user starts it
 * (loopback, no API_KEY, the mock model).
 */
import assert from "node:assert/strict";
import { spawnGateway } from "../helpers/server.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);

/** The fenced `sh` blocks of README.md that follow `marker`, up to the next heading. */
function shellBlocks(marker: string): string[] {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  const start = readme.indexOf(marker);
  assert.ok(start !== -1, `README has ${marker}`);
  const section = readme.slice(start, readme.indexOf("\n## ", start + marker.length));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

async function run(command: string, args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(command, {
    args,
    cwd: ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("README examples run as written", async (t) => {
  await using gw = await spawnGateway();
  const env = { GATEWAY_URL: gw.url, NO_COLOR: "1" };

  const expected: Record<string, RegExp> = {
    openai_sdk: /streamed word by word/,
    trpc_client: /streamed over tRPC/,
    responses_sdk: /\(3 input items\)[^]*output tokens\n2 vectors of 256\n\d+ input tokens/,
  };
  for (const example of Object.keys(expected)) {
    await t.step(`deno run --allow-net --allow-env docs/examples/${example}.ts`, async () => {
      const readme = Deno.readTextFileSync(`${ROOT}README.md`);
      const command = `deno run --allow-net --allow-env docs/examples/${example}.ts`;
      assert.ok(readme.includes(command), "README gives this command");
      const result = await run(Deno.execPath(), command.split(" ").slice(1), env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, expected[example]);
    });
  }

  const sections = {
    "the quick start's curl commands": ["## Quick start", 3],
    "the Responses API, embeddings and token counting curl commands": [
      ["## Responses API", "## Embeddings", "## Token counting"],
      3,
    ],
  } as const;
  for (const [name, [markers, least]] of Object.entries(sections)) {
    await t.step(name, async () => {
      const blocks = [markers].flat().flatMap((marker) => shellBlocks(marker)).filter((b) =>
        b.includes("curl")
      );
      assert.ok(blocks.length >= least, `at least ${least} curl examples`);
      await runCurlBlocks(blocks, gw.url, env);
    });
  }
});

/** Runs README shell blocks against the gateway at `url`; none may fail or answer an error. */
async function runCurlBlocks(blocks: string[], url: string, env: Record<string, string>) {
  for (const block of blocks) {
    const script = `set -euo pipefail\nGATEWAY_URL=${url}\n` +
      block.replaceAll("http://127.0.0.1:8000", "$GATEWAY_URL");
    const result = await run("bash", ["-c", script], env);
    assert.equal(result.code, 0, `${block}\n${result.stderr}`);
    assert.ok(!/"error":\s*\{/.test(result.stdout), `${block}\n${result.stdout}`);
  }
}

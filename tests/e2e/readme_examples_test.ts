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

  for (const example of ["openai_sdk", "trpc_client"]) {
    await t.step(`deno run --allow-net --allow-env docs/examples/${example}.ts`, async () => {
      const readme = Deno.readTextFileSync(`${ROOT}README.md`);
      const command = `deno run --allow-net --allow-env docs/examples/${example}.ts`;
      assert.ok(readme.includes(command), "README gives this command");
      const result = await run(Deno.execPath(), command.split(" ").slice(1), env);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        example === "openai_sdk" ? /streamed word by word/ : /streamed over tRPC/,
      );
    });
  }

  await t.step("the quick start's curl commands", async () => {
    const blocks = shellBlocks("## Quick start").filter((b) => b.includes("curl"));
    assert.ok(blocks.length >= 3, "curl examples for chat, messages and files");
    for (const block of blocks) {
      const script = `set -euo pipefail\nGATEWAY_URL=${gw.url}\n` +
        block.replaceAll("http://127.0.0.1:8000", "$GATEWAY_URL");
      const result = await run("bash", ["-c", script], env);
      assert.equal(result.code, 0, `${block}\n${result.stderr}`);
      assert.ok(!/"error"/.test(result.stdout), `${block}\n${result.stdout}`);
    }
  });
});

/**
 * Start-up failures of the launcher: a port another process holds (with or without
 * SO_REUSEPORT, another gateway included) is refused instead of shared; a HOST that cannot be
 * bound fails the same way — one stderr line naming what failed, exit status 1, no stack trace.
 */
import assert from "node:assert/strict";
import { freePort, runGateway, spawnGateway } from "../helpers/server.ts";

function assertOneLine(result: { code: number; stderr: string; stdout: string }, pattern: RegExp) {
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line: ${result.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+|Uncaught/, "no stack trace");
  assert.doesNotMatch(result.stdout, /gateway listening/);
}

for (const reusePort of [false, true]) {
  for (const workers of ["1", "2"]) {
    Deno.test(
      `startup: a port held by another process${
        reusePort ? " with SO_REUSEPORT" : ""
      } is refused (WORKERS=${workers})`,
      async () => {
        using held = Deno.listen({ hostname: "127.0.0.1", port: 0, reusePort });
        const port = (held.addr as Deno.NetAddr).port;
        const result = await runGateway({ PORT: String(port), WORKERS: workers });
        assertOneLine(result, new RegExp(`port ${port}.*in use`));
      },
    );
  }
}

Deno.test("startup: a second gateway on the same port is refused; the first keeps serving", async () => {
  await using first = await spawnGateway({ WORKERS: "2" });
  const second = await runGateway({ PORT: String(first.port), WORKERS: "2" });
  assertOneLine(second, new RegExp(`port ${first.port}.*in use`));
  const res = await fetch(`${first.url}/health`);
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

Deno.test("startup: a HOST that is not an address of this machine fails in one line", async () => {
  const result = await runGateway({ HOST: "192.0.2.1", API_KEY: "k" });
  assertOneLine(result, /192\.0\.2\.1/);
});

for (const workers of ["1", "2"]) {
  Deno.test(`startup: an unreachable DATABASE_URL fails in one line, no password (WORKERS=${workers})`, async () => {
    const port = freePort();
    const result = await runGateway({
      DATABASE_URL: `postgres://gateway:pw-s3cret-9@127.0.0.1:${port}/gateway`,
      WORKERS: workers,
    });
    assertOneLine(result, new RegExp(`DATABASE_URL \\(127\\.0\\.0\\.1:${port}\\).*refused`));
    assert.doesNotMatch(result.stderr + result.stdout, /pw-s3cret-9/);
  });
}

Deno.test("startup: an unwritable DATA_DIR fails in one line naming it", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/file`, "");
    const result = await runGateway({ DATA_DIR: `${dir}/file/data` });
    assertOneLine(result, new RegExp(`DATA_DIR ${dir}/file/data is not writable`));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("startup: `deno serve [--parallel] main.ts` is refused (it would bypass the checks)", async (t) => {
  const root = new URL("../../", import.meta.url).pathname;
  for (const parallel of [false, true]) {
    await t.step(parallel ? "deno serve --parallel" : "deno serve", async () => {
      const port = freePort();
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "serve",
          ...(parallel ? ["--parallel"] : []),
          "--allow-all",
          "--config",
          `${root}deno.json`,
          "--port",
          String(port),
          `${root}main.ts`,
        ],
        env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      // Bounded: a gateway that did start is killed after 10 s (and the test fails).
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const { code, stderr } = await child.output();
      clearTimeout(timer);
      const text = new TextDecoder().decode(stderr);
      assert.equal(code, 1, text);
      assert.match(text, /deno task start/);
      assert.equal(text.trim().split("\n").length, 1, text);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), "nothing listens");
    });
  }
});

Deno.test("start-up: an AWS_PROFILE no shared file defines is reported in one warning line", async () => {
  const home = Deno.makeTempDirSync({ prefix: "gateway-home-" });
  try {
    Deno.writeTextFileSync(`${home}/config`, "[profile dev]\nregion = eu-west-1\n");
    await using gw = await spawnGateway({
      WORKERS: "2",
      AWS_CONFIG_FILE: `${home}/config`,
      AWS_SHARED_CREDENTIALS_FILE: `${home}/credentials`,
      AWS_PROFILE: "prodution",
    });
    const warnings = gw.logs().filter((l) =>
      l.level === "warn" && String(l.msg).includes("AWS_PROFILE")
    );
    assert.equal(warnings.length, 1, "once, not once per worker");
    assert.match(
      String(warnings[0].msg),
      /^AWS_PROFILE 'prodution' is not defined in .*\/config or .*\/credentials/,
    );
    const health = await (await fetch(`${gw.url}/health`)).json();
    assert.equal(health.providers.bedrock, "configured");
  } finally {
    Deno.removeSync(home, { recursive: true });
  }
});

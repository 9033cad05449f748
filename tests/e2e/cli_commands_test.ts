/**
 * The CLI's non-chat commands as real subprocesses: help and version, `models`, `health`,
 * connection and auth errors (one sentence, non-zero exit), `config show|get|set|unset` on a
 * scratch `.env` (other lines kept, invalid values refused).
 */
import assert from "node:assert/strict";
import { freePort, spawnGateway } from "../helpers/server.ts";
import { runCli, runTask, scratch } from "./cli_harness.ts";

const KEY = "cli-e2e-key-0123456789";

Deno.test("CLI without a gateway: help, version, usage errors, unreachable server", async (t) => {
  using s = scratch();
  const run = (args: string[], stdin?: string) => runCli(args, { env: s.env(), cwd: s.dir, stdin });

  await t.step("--version and --help on every command", async () => {
    const version = await run(["--version"]);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^llm-gateway \d+\.\d+\.\d+\n$/);
    const results = await Promise.all(
      ["chat", "models", "health", "history", "config"].map((c) => run([c, "--help"])),
    );
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Usage:\n {2}deno task cli /);
      assert.match(r.stdout, /--url URL/);
    }
    const root = await run(["--help"]);
    assert.equal(root.code, 0);
    assert.match(root.stdout, /chat .*\n.*models/s);
  });

  await t.step("usage mistakes exit 2 with one line", async () => {
    const unknown = await run(["frobnicate"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: Unknown command 'frobnicate': use one of chat, /);
    const option = await run(["models", "--bogus"]);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /--bogus.*see `deno task cli models --help`/);
    const temp = await run(["chat", "--temperature", "hot", "hi"]);
    assert.equal(temp.code, 2);
    assert.match(temp.stderr, /--temperature must be a number between 0 and 2, got 'hot'/);
    assert.equal(temp.stderr.trim().split("\n").length, 1);
  });

  await t.step("server unreachable: exit 1 and how to fix it", async () => {
    const url = `http://127.0.0.1:${freePort()}`;
    for (const args of [["health"], ["models"], ["chat", "hi"], ["chat", "--no-stream", "hi"]]) {
      const r = await runCli([...args, "--url", url], { env: s.env(), cwd: s.dir });
      assert.equal(r.code, 1, `${args}: ${r.stderr}`);
      assert.equal(
        r.stderr,
        `error: Cannot reach the gateway at ${url}: start it with \`deno task start\`, or point the CLI at it with --url or GATEWAY_URL.\n`,
      );
      assert.equal(r.stdout, "");
    }
  });
});

Deno.test("CLI against a gateway: models, health, auth from flags, env and .env", async (t) => {
  await using gw = await spawnGateway({ API_KEY: `${KEY},other-key` });
  using s = scratch();

  await t.step("models: table of id, provider, created; --json", async () => {
    const r = await runCli(["models", "--url", gw.url, "--api-key", KEY], {
      env: s.env(),
      cwd: s.dir,
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^ID\s+PROVIDER\s+CREATED$/);
    assert.ok(lines.some((l) => /^mock-echo\s+mock\s+2023-11-14$/.test(l)), r.stdout);
    assert.ok(!r.stdout.includes("\x1b["), "no colours when not on a terminal");
    const json = await runCli(["models", "--json"], {
      env: s.env({ GATEWAY_URL: gw.url, GATEWAY_API_KEY: KEY }),
      cwd: s.dir,
    });
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout) as { object: string; data: Array<{ id: string }> };
    assert.equal(list.object, "list");
    assert.ok(list.data.some((m) => m.id === "mock-echo"));
  });

  await t.step("health: ok with exit 0; connection from .env (API_KEY's first key)", async () => {
    s.write(".env", `# local gateway\nPORT=${gw.port}\nAPI_KEY=${KEY},other-key\n`);
    const r = await runCli(["health"], { env: s.env(), cwd: s.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${gw.url}: ok \\(version \\d`));
    assert.match(r.stdout, /mock\s+enabled/);
    const json = await runCli(["health", "--json"], { env: s.env(), cwd: s.dir });
    assert.equal(JSON.parse(json.stdout).status, "ok");
    Deno.removeSync(`${s.dir}/.env`);
  });

  await t.step("health needs no key, as GET /health", async () => {
    const r = await runCli(["health", "--url", gw.url], { env: s.env(), cwd: s.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: ok \(version \d/);
    const wrong = await runCli(["health", "--url", gw.url, "--api-key", "wrong-key-000000"], {
      env: s.env(),
      cwd: s.dir,
    });
    assert.equal(wrong.code, 0, "a wrong key is not sent either");
  });

  await t.step("401: no key and a wrong key, exit 1 with the fix", async () => {
    const none = await runCli(["models", "--url", gw.url], { env: s.env(), cwd: s.dir });
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /^error: The gateway at .* requires an API key \(401\): pass --api-key/,
    );
    const wrong = await runCli(["chat", "hi"], {
      env: s.env({ GATEWAY_URL: gw.url, GATEWAY_API_KEY: "wrong-key-000000" }),
      cwd: s.dir,
    });
    assert.equal(wrong.code, 1);
    assert.match(
      wrong.stderr,
      /^error: The gateway at .* rejected the API key \(401\): pass a valid one/,
    );
    assert.equal(wrong.stderr.trim().split("\n").length, 1);
  });

  await t.step("--url wins over GATEWAY_URL", async () => {
    const r = await runCli(["health", "--url", gw.url, "--api-key", KEY], {
      env: s.env({ GATEWAY_URL: "http://127.0.0.1:1" }),
      cwd: s.dir,
    });
    assert.equal(r.code, 0, r.stderr);
  });
});

Deno.test("CLI config: show, get, set, unset on .env", async (t) => {
  using s = scratch();
  const original = [
    "# Gateway settings",
    "PORT=9100",
    "",
    "export LOG_LEVEL=debug   # verbose",
    "OPENAI_API_KEY=sk-proj-abcdefghijklmnop1234",
    "UNRELATED_THING='keep me'",
    "",
  ].join("\n");
  s.write(".env", original);
  const run = (args: string[], extra: Record<string, string> = {}, stdin?: string) =>
    runCli(["config", ...args], { env: s.env(extra), cwd: s.dir, stdin });

  await t.step("show: every key, effective value, source, secrets masked", async () => {
    const r = await run(["show"], {
      HOST: "127.0.0.2",
      GATEWAY_API_KEY: "gw-key-abcdefghijkl9876",
    });
    assert.equal(r.code, 0, r.stderr);
    const row = (key: string) => r.stdout.split("\n").find((l) => l.startsWith(`${key} `)) ?? "";
    assert.match(row("HOST"), /^HOST\s+127\.0\.0\.2\s+environment$/);
    assert.match(row("PORT"), /^PORT\s+9100\s+\.env$/);
    assert.match(row("LOG_LEVEL"), /^LOG_LEVEL\s+debug\s+\.env$/);
    assert.match(row("OPENAI_API_KEY"), /^OPENAI_API_KEY\s+sk-…1234\s+\.env$/);
    assert.match(row("GATEWAY_API_KEY"), /^GATEWAY_API_KEY\s+gw-…9876\s+environment$/);
    assert.match(row("GATEWAY_URL"), /^GATEWAY_URL\s+http:\/\/127\.0\.0\.1:9100\s+default$/);
    assert.match(row("DEFAULT_MODEL"), /^DEFAULT_MODEL\s+mock-echo\s+default$/);
    assert.match(row("CHAT_HISTORY_DIR"), /\s+environment$/);
    assert.match(row("OPENAI_BASE_URL"), /https:\/\/api\.openai\.com\/v1\s+default$/);
    assert.match(row("API_KEY"), /^API_KEY\s+\(unset\)\s+unset$/);
    assert.ok(!r.stdout.includes("abcdefghijklmnop"), "secret leaked");
    for (const key of ["AWS_REGION", "MAX_REQUEST_BYTES", "MOCK_MODELS", "FILES_BACKEND"]) {
      assert.ok(row(key) !== "", key);
    }
    const json = JSON.parse((await run(["show", "--json"])).stdout);
    assert.deepEqual(json.PORT, { value: "9100", source: ".env" });
    assert.deepEqual(json.OPENAI_API_KEY, { value: "sk-…1234", source: ".env" });
  });

  await t.step("get: masked secret, --reveal, unknown key exit 2", async () => {
    assert.equal((await run(["get", "PORT"])).stdout, "9100\n");
    assert.equal((await run(["get", "openai_api_key"])).stdout, "sk-…1234\n");
    assert.equal(
      (await run(["get", "OPENAI_API_KEY", "--reveal"])).stdout,
      "sk-proj-abcdefghijklmnop1234\n",
    );
    const unset = await run(["get", "API_KEY"]);
    assert.equal(unset.code, 1);
    const unknown = await run(["get", "NOPE"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown key 'NOPE'/);
  });

  await t.step("set: replaces in place, appends new keys, keeps other lines", async () => {
    assert.equal((await run(["set", "PORT", "9200"])).code, 0);
    const r = await run(["set", "DEFAULT_MODEL", "gpt-4o mini"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Set DEFAULT_MODEL=gpt-4o mini in \.env/);
    assert.equal((await run(["set", "LOG_LEVEL", "warn"])).code, 0);
    assert.equal(
      s.read(".env"),
      [
        "# Gateway settings",
        "PORT=9200",
        "",
        "export LOG_LEVEL=warn",
        "OPENAI_API_KEY=sk-proj-abcdefghijklmnop1234",
        "UNRELATED_THING='keep me'",
        "DEFAULT_MODEL='gpt-4o mini'",
        "",
      ].join("\n"),
    );
    assert.equal((await run(["get", "DEFAULT_MODEL"])).stdout, "gpt-4o mini\n");
  });

  await t.step("set: invalid values are refused and .env is untouched", async () => {
    const before = s.read(".env");
    for (
      const [key, value, message] of [
        ["PORT", "eighty", /PORT must be an integer/],
        ["LOG_LEVEL", "loud", /LOG_LEVEL must be one of/],
        ["HOST", "0.0.0.0", /API_KEY must be set/],
        ["GATEWAY_URL", "ftp://x", /GATEWAY_URL must be an http\(s\) URL/],
      ] as const
    ) {
      const r = await run(["set", key, value]);
      assert.equal(r.code, 1, `${key}=${value}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /^error: Not saved: /);
    }
    assert.equal(s.read(".env"), before);
    assert.equal((await run(["set", "PORT"])).code, 2);
  });

  await t.step("set: a key the environment overrides is written with a note", async () => {
    const r = await run(["set", "MOCK_MODELS", "false"], { MOCK_MODELS: "true" });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /MOCK_MODELS is also set in the environment/);
  });

  await t.step("unset: removes only that key", async () => {
    const r = await run(["unset", "LOG_LEVEL"]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!s.read(".env").includes("LOG_LEVEL"));
    assert.ok(s.read(".env").startsWith("# Gateway settings\nPORT=9200\n\nOPENAI_API_KEY="));
    assert.ok(s.read(".env").includes("UNRELATED_THING='keep me'"));
    assert.match((await run(["unset", "LOG_LEVEL"])).stdout, /not in \.env; nothing to do/);
  });

  await t.step("set without arguments: interactive prompts, Enter keeps, - removes", async () => {
    // Prompted keys in order: GATEWAY_URL, GATEWAY_API_KEY, DEFAULT_MODEL, HOST, PORT, …
    const r = await run(["set"], {}, "http://127.0.0.1:9300\n\n-\n\n9300\n");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /GATEWAY_URL .*\[http:\/\/127\.0\.0\.1:9200\]: /);
    assert.match(r.stdout, /Set GATEWAY_URL=http:\/\/127\.0\.0\.1:9300/);
    assert.match(r.stdout, /Removed DEFAULT_MODEL/);
    const text = s.read(".env");
    assert.match(text, /^PORT=9300$/m);
    assert.match(text, /^GATEWAY_URL=http:\/\/127\.0\.0\.1:9300$/m);
    assert.ok(!text.includes("DEFAULT_MODEL"));
    assert.ok(text.startsWith("# Gateway settings\n"));
  });

  await t.step("--env-file edits another file", async () => {
    const r = await run(["set", "PORT", "1234", "--env-file", "other.env"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(s.read("other.env"), "PORT=1234\n");
  });

  await t.step(".env is written with mode 0600, also when it existed with another", async () => {
    const mode = (name: string) => (Deno.statSync(`${s.dir}/${name}`).mode ?? 0) & 0o777;
    assert.equal(mode("other.env"), 0o600);
    Deno.chmodSync(`${s.dir}/.env`, 0o644);
    assert.equal((await run(["set", "PORT", "9400"])).code, 0);
    assert.equal(mode(".env"), 0o600);
  });
});

Deno.test("deno task -q cli prints only the command's output; install-cli gives a command", async (t) => {
  using s = scratch();

  await t.step("deno task -q cli: nothing on stderr, no Task or Download line", async () => {
    const quiet = await runTask(["--version"], { env: s.env(), cwd: s.dir, quiet: true });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.match(quiet.stdout, /^llm-gateway \d+\.\d+\.\d+\n$/);
    assert.equal(quiet.stderr, "");
    // Without -q the task runner announces the task (one line); dependencies are cached, so
    // nothing else is printed.
    const loud = await runTask(["--version"], { env: s.env({ NO_COLOR: "1" }), cwd: s.dir });
    assert.equal(loud.code, 0, loud.stderr);
    assert.match(loud.stderr, /^Task cli deno run [^\n]*cli\/main\.ts "?'?--version'?"?\n$/);
    assert.ok(!loud.stderr.includes("Download"));
  });

  await t.step("deno task install-cli: a command that runs from any directory", async () => {
    const root = `${s.dir}/install`;
    const install = await runTask([], {
      env: s.env({ DENO_INSTALL_ROOT: root }),
      cwd: s.dir,
      task: "install-cli",
      timeoutMs: 120_000,
    });
    assert.equal(install.code, 0, install.stderr);
    Deno.mkdirSync(`${s.dir}/elsewhere`);
    const run = await new Deno.Command(`${root}/bin/llm-gateway`, {
      args: ["--help"],
      env: s.env(),
      clearEnv: true,
      cwd: `${s.dir}/elsewhere`,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assert.equal(run.code, 0, stderr);
    assert.match(new TextDecoder().decode(run.stdout), /^LLM gateway CLI/);
    assert.equal(stderr, "");
  });
});

Deno.test("CLI models: aliases with their strategy and deployments; --json has them too", async () => {
  const file = [
    "providers:",
    "  m1: {kind: mock}",
    "  m2: {kind: mock}",
    "models:",
    "  - name: echo-pool",
    "    strategy: weighted",
    "    deployments:",
    "      - {provider: m1, model: mock-echo, weight: 3}",
    "      - {provider: m2, model: mock-echo, weight: 1, priority: 2}",
    "",
  ].join("\n");
  await using gw = await spawnGateway({ GATEWAY_CONFIG: "gateway.yaml" }, {
    files: { "gateway.yaml": file },
  });
  using s = scratch();
  const r = await runCli(["models", "--url", gw.url], { env: s.env(), cwd: s.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^echo-pool\s+gateway\s/m);
  assert.match(r.stdout, /^ALIAS\s+STRATEGY\s+DEPLOYMENT\s+WEIGHT\s+PRIORITY\s+STATE$/m);
  assert.match(r.stdout, /^echo-pool\s+weighted\s+m1\/mock-echo\s+3\s+-\s+ready$/m);
  assert.match(r.stdout, /^\s+m2\/mock-echo\s+1\s+2\s+ready$/m);
  const json = await runCli(["models", "--json", "--url", gw.url], { env: s.env(), cwd: s.dir });
  const list = JSON.parse(json.stdout);
  assert.equal(list.aliases[0].name, "echo-pool");
  assert.equal(list.aliases[0].deployments.length, 2);
});

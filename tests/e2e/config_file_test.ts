/**
 * The config file at start-up and in the CLI: the spawned gateway with a bad file exits 1 with
 * one stderr line per problem (no stack trace, nothing served), with `./gateway.yaml` found
 * by default or `GATEWAY_CONFIG`; with a good file it serves the file's providers.
 * `deno task cli config validate` says the same without any gateway.
 */
import assert from "node:assert/strict";
import { completion, DEFAULT_USAGE, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { runGateway, spawnGateway } from "../helpers/server.ts";
import { runCli, scratch } from "./cli_harness.ts";

const BAD = `providers:
  groq: {kind: openai, base_url: "not a url", api_key: "\${GROQ_KEY}"}
  vertex: {kind: vertex}
  mock: {kind: mock, enabled: "yes"}
`;

const BAD_LINES = [
  /^gateway\.yaml: providers\.groq\.api_key: environment variable GROQ_KEY is not set/,
];

const VALID_LINES = [
  /^gateway\.yaml: providers\.groq\.base_url: must be an http\(s\) URL$/,
  /^gateway\.yaml: providers\.vertex\.kind: unknown kind 'vertex' \(known: openai, bedrock, anthropic, azure_openai, mock\)$/,
  /^gateway\.yaml: providers\.mock\.enabled: /,
];

function assertLines(result: { code: number; stderr: string; stdout: string }, lines: RegExp[]) {
  assert.equal(result.code, 1, result.stderr);
  const got = result.stderr.trim().split("\n");
  assert.equal(got.length, lines.length, result.stderr);
  lines.forEach((pattern, i) => assert.match(got[i], pattern));
  assert.doesNotMatch(result.stderr, /\bat .*\.ts:\d+|Uncaught/, "no stack trace");
  assert.doesNotMatch(result.stdout, /gateway listening/);
}

for (const workers of ["1", "2"]) {
  Deno.test(`startup: a bad ./gateway.yaml fails, one line per problem (WORKERS=${workers})`, async () => {
    const missingVar = await runGateway({ WORKERS: workers }, { files: { "gateway.yaml": BAD } });
    assertLines(missingVar, BAD_LINES);
    const invalid = await runGateway({ WORKERS: workers, GROQ_KEY: "k" }, {
      files: { "gateway.yaml": BAD },
    });
    assertLines(invalid, VALID_LINES);
  });
}

Deno.test("startup: GATEWAY_CONFIG naming a missing file fails in one line", async () => {
  const result = await runGateway({ GATEWAY_CONFIG: "conf/nope.yaml" });
  assertLines(result, [
    /^conf\/nope\.yaml: cannot read the config file \(GATEWAY_CONFIG\): not found$/,
  ]);
});

Deno.test("startup: a good file (JSON via GATEWAY_CONFIG) serves its providers", async () => {
  await using upstream = await startFakeOpenAI({ requireKey: "key-up" });
  upstream.script(completion({ content: "from the file", usage: DEFAULT_USAGE }));
  const file = JSON.stringify({
    providers: {
      up: { kind: "openai", base_url: upstream.url, api_key: "${UP_KEY}" },
      mock: { kind: "mock" },
    },
  });
  await using gw = await spawnGateway({ GATEWAY_CONFIG: "gw.json", UP_KEY: "key-up" }, {
    files: { "gw.json": file },
  });
  const health = await (await fetch(`${gw.url}/health`)).json();
  assert.deepEqual(health.providers, { up: "configured", mock: "enabled" });
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "up/llama3", messages: [{ role: "user", content: "Hi" }] }),
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).choices[0].message.content, "from the file");
  assert.ok(gw.logs().some((l) => l.msg === "config file gw.json: providers up, mock"));
  assert.doesNotMatch(gw.stdout(), /key-up/, "the interpolated key is not logged");
});

Deno.test("cli config validate: ok line, problem lines, default file, exit codes", async (t) => {
  using s = scratch();
  const run = (args: string[], extra: Record<string, string> = {}) =>
    runCli(["config", "validate", ...args], { env: s.env(extra), cwd: s.dir });

  await t.step("no file at all", async () => {
    const r = await run([]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^No config file: GATEWAY_CONFIG is unset and \.\/gateway\.yaml/);
  });
  await t.step("a bad file: one line per problem", async () => {
    s.write("gateway.yaml", BAD);
    const r = await run([], { GROQ_KEY: "k" });
    assertLines(r, VALID_LINES);
  });
  await t.step("a good file, by argument, ${VAR} from .env", async () => {
    s.write("ok.yaml", "providers:\n  a: {kind: openai, api_key: '${A_KEY}'}\n  m: {kind: mock}\n");
    s.write(".env", "A_KEY=from-dotenv\n");
    const r = await run(["ok.yaml"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "ok: 2 providers (a, m)\n");
  });
  await t.step("GATEWAY_CONFIG names the file", async () => {
    const r = await run([], { GATEWAY_CONFIG: "ok.yaml" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "ok: 2 providers (a, m)\n");
  });
});

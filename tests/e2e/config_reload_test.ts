/**
 * Reloading the config file in a running gateway (`deno task start`, two workers): SIGHUP makes
 * every worker serve a rewritten file's new provider; a bad file keeps the old config and the
 * log says why, one line per problem; under a steady load of JSON and streaming requests,
 * reloads fail none of them, and a stream started before a reload finishes on the config it
 * started with; `deno task cli config reload` does the same and answers once every worker has
 * reloaded (a bad file: exit 1 with the problem lines); it needs the API key when API_KEY is set;
 * a gateway without a config file has nothing to reload.
 */
import assert from "node:assert/strict";
import { createGatewayClient } from "../../routers/client.ts";
import { chatBody } from "../helpers/app.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";
import { readDataEvents } from "../helpers/sse.ts";
import { runCli, scratch } from "./cli_harness.ts";

const ONE = "providers:\n  m: {kind: mock}\n";
const TWO = "providers:\n  m: {kind: mock}\n  m2: {kind: mock}\n";
const BAD = "providers:\n  m: {kind: nope}\n  m2: {kind: mock, enabled: 'yes'}\n";

/** A config file outside the gateway's working directory, rewritten atomically (a temporary
 * file renamed over it, as editors and deploy tools do). */
function configFile(text: string) {
  const dir = Deno.makeTempDirSync({ prefix: "gateway-reload-" });
  const path = `${dir}/gateway.yaml`;
  const write = (next: string) => {
    Deno.writeTextFileSync(`${path}.tmp`, next);
    Deno.renameSync(`${path}.tmp`, path);
  };
  write(text);
  return { path, write, [Symbol.dispose]: () => Deno.removeSync(dir, { recursive: true }) };
}

/** A POST on a connection of its own, so that requests spread over the workers (SO_REUSEPORT
 * picks a worker per connection). */
async function postFresh(gw: SpawnedGateway, path: string, body: unknown): Promise<Response> {
  using client = Deno.createHttpClient({});
  const res = await fetch(`${gw.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    client,
  });
  // Read it before the client goes.
  return new Response(await res.arrayBuffer(), { status: res.status, headers: res.headers });
}

/** `count` chat requests for `model`, each on a new connection; their statuses and answers. */
async function chats(gw: SpawnedGateway, model: string, count: number) {
  return await Promise.all(Array.from({ length: count }, async (_, i) => {
    const res = await postFresh(gw, "/v1/chat/completions", chatBody(model, `hello ${i}`));
    const body = await res.json();
    return {
      status: res.status,
      text: body.choices?.[0]?.message?.content,
      code: body.error?.code,
    };
  }));
}

/** Resolves once `count` log lines match `msg`; fails with the log after `timeoutMs`. */
async function logged(gw: SpawnedGateway, msg: RegExp, count = 1, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const lines = gw.logs().filter((l) => msg.test(String(l.msg)));
    if (lines.length >= count) return lines;
    if (Date.now() > deadline) assert.fail(`no ${count}× ${msg} in:\n${gw.stdout()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

Deno.test("reload: SIGHUP makes every worker serve the rewritten file; a bad file keeps it", async () => {
  using file = configFile(ONE);
  await using gw = await spawnGateway({ WORKERS: "2", GATEWAY_CONFIG: file.path });
  const before = await chats(gw, "m2/mock-echo", 4);
  assert.ok(before.every((r) => r.status === 404 && r.code === "model_not_found"), "no m2 yet");

  file.write(TWO);
  gw.child.kill("SIGHUP");
  const [reloaded] = await logged(gw, /^config reloaded: /);
  assert.equal(reloaded.msg, "config reloaded: providers m, m2");
  assert.equal(reloaded.workers, 2, "both workers reloaded, with the same outcome");
  assert.equal(reloaded.file, file.path);
  const after = await chats(gw, "m2/mock-echo", 40);
  assert.deepEqual(after.map((r) => r.status), after.map(() => 200));
  assert.deepEqual(after.map((r) => r.text), after.map((_, i) => `hello ${i}`));

  file.write(BAD);
  gw.child.kill("SIGHUP");
  const failed = await logged(gw, /^config reload failed: /, 2);
  await new Promise((r) => setTimeout(r, 200)); // no further lines (one per problem, not per worker)
  const lines = gw.logs().filter((l) => String(l.msg).startsWith("config reload failed: "));
  assert.equal(lines.length, 2, gw.stdout());
  assert.match(String(failed[0].msg), /gateway\.yaml: providers\.m\.kind: unknown kind 'nope'/);
  assert.match(String(failed[1].msg), /gateway\.yaml: providers\.m2\.enabled: /);
  assert.ok(failed.every((l) => l.level === "warn" && l.workers === 2));
  const kept = await chats(gw, "m2/mock-echo", 20);
  assert.ok(kept.every((r) => r.status === 200), "the previous config still serves");

  Deno.removeSync(file.path);
  gw.child.kill("SIGHUP");
  const [gone] = await logged(gw, /cannot read the config file/);
  assert.equal(gone.level, "warn");
  assert.ok((await chats(gw, "m2/mock-echo", 10)).every((r) => r.status === 200));
  const status = await gw.stop();
  assert.equal(status.code, 0, gw.stderr());
});

/** The chat completions counted by `/metrics` (over every status). */
async function chatsCounted(gw: SpawnedGateway): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  return text.split("\n")
    .filter((l) => l.startsWith("gateway_requests_total{") && l.includes('"/v1/chat/completions"'))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
}

Deno.test("reload with one worker: SIGHUP serves the new file; /metrics keeps counting", async () => {
  using file = configFile(ONE);
  await using gw = await spawnGateway({ WORKERS: "1", GATEWAY_CONFIG: file.path });
  assert.ok((await chats(gw, "m/mock-echo", 3)).every((r) => r.status === 200));
  assert.equal(await chatsCounted(gw), 3);
  file.write(TWO);
  gw.child.kill("SIGHUP");
  const [line] = await logged(gw, /^config reloaded: /);
  assert.deepEqual([line.msg, line.workers], ["config reloaded: providers m, m2", 1]);
  assert.ok((await chats(gw, "m2/mock-echo", 5)).every((r) => r.status === 200));
  assert.equal(await chatsCounted(gw), 8, "the counters survived the reload");
});

Deno.test("reload under load: no request fails; a stream started before finishes on its config", async () => {
  const OLD = "providers:\n  old: {kind: mock}\n";
  const NEW = "providers:\n  new: {kind: mock}\n";
  using file = configFile(OLD);
  await using gw = await spawnGateway({ WORKERS: "2", GATEWAY_CONFIG: file.path });
  // 25 words of mock-slow: a 5 s stream, started on `old` before any reload.
  const words = Array.from({ length: 25 }, (_, i) => `w${i}`).join(" ");
  const clients = Array.from({ length: 4 }, () => Deno.createHttpClient({}));
  const started = await Promise.all(clients.map((client) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(chatBody("old/mock-slow", words, { stream: true })),
      client,
    })
  ));
  assert.deepEqual(started.map((r) => r.status), [200, 200, 200, 200]);
  const slow = started.map((res) => readDataEvents(res));

  const failures: string[] = [];
  let served = 0;
  let loading = true;
  const load = Array.from({ length: 6 }, async (_, worker) => {
    for (let i = 0; loading; i++) {
      const stream = (worker + i) % 2 === 0;
      const text = `load ${worker} ${i}`;
      try {
        const res = await postFresh(
          gw,
          "/v1/chat/completions",
          chatBody("mock-echo", text, { stream }),
        );
        const body = await res.text();
        const ok = res.status === 200 &&
          (stream
            ? body.trimEnd().endsWith("data: [DONE]")
            : JSON.parse(body).choices[0].message.content === text);
        if (!ok) failures.push(`${res.status} ${body.slice(0, 200)}`);
        served++;
      } catch (error) {
        failures.push(String(error));
      }
    }
  });

  for (let n = 1; n <= 4; n++) {
    await new Promise((r) => setTimeout(r, 300));
    file.write(n % 2 === 1 ? NEW : OLD);
    // SIGHUP, and the tRPC call (from a worker, fanned out by the launcher) in turn.
    if (n % 2 === 1) gw.child.kill("SIGHUP");
    else {assert.equal(
        (await createGatewayClient({ url: gw.url }).config.reload.mutate()).reloaded,
        true,
      );}
    await logged(gw, /^config reloaded: /, n);
    if (n === 1) {
      const refused = await chats(gw, "old/mock-slow", 6);
      assert.ok(refused.every((r) => r.status === 404), "new requests see the new config");
    }
  }
  loading = false;
  await Promise.all(load);
  assert.deepEqual(failures, [], `${failures.length} of ${served} requests failed`);
  assert.ok(served >= 20, `a steady load (${served} requests)`);

  const streamed = await Promise.all(slow);
  clients.forEach((client) => client.close());
  for (const events of streamed) {
    assert.equal(events.at(-1), "[DONE]");
    const text = events.slice(0, -1).map((e) =>
      (e as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? ""
    ).join("");
    assert.equal(text, words, "the whole stream, on the provider that is gone since");
  }
  const reloads = gw.logs().filter((l) => String(l.msg).startsWith("config reloaded: "));
  assert.deepEqual(reloads.map((l) => [l.msg, l.workers]), [
    ["config reloaded: providers new", 2],
    ["config reloaded: providers old", 2],
    ["config reloaded: providers new", 2],
    ["config reloaded: providers old", 2],
  ]);
});

Deno.test("cli config reload: every worker reloaded when it answers; a bad file exits 1 with the lines", async () => {
  using file = configFile(ONE);
  await using gw = await spawnGateway({ WORKERS: "2", GATEWAY_CONFIG: file.path });
  using s = scratch();
  const reload = (...args: string[]) =>
    runCli(["config", "reload", "--url", gw.url, ...args], { env: s.env(), cwd: s.dir });

  file.write(TWO);
  const ok = await reload();
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, `reloaded ${file.path}: 2 providers (m, m2)\n`);
  // No waiting: the answer came once every worker had reloaded.
  const after = await chats(gw, "m2/mock-echo", 30);
  assert.deepEqual(after.map((r) => r.status), after.map(() => 200));

  file.write(BAD);
  const bad = await reload();
  assert.equal(bad.code, 1);
  const lines = bad.stderr.trimEnd().split("\n");
  assert.match(lines[0], /^Not reloaded: the gateway keeps its previous config/);
  assert.equal(lines.length, 3, bad.stderr);
  assert.match(lines[1], /^.*gateway\.yaml: providers\.m\.kind: unknown kind 'nope'/);
  assert.match(lines[2], /^.*gateway\.yaml: providers\.m2\.enabled: /);
  assert.ok((await chats(gw, "m2/mock-echo", 10)).every((r) => r.status === 200));
  await logged(gw, /^config reload failed: /, 2);
  const typed = await createGatewayClient({ url: gw.url }).config.reload.mutate().then(
    () => assert.fail("a bad file is not reloaded"),
    (error: { message: string; data: { httpStatus: number; gateway: unknown } }) => error,
  );
  assert.equal(typed.data.httpStatus, 400);
  assert.deepEqual(typed.data.gateway, {
    type: "invalid_request_error",
    code: "invalid_config",
    param: null,
  });
  assert.deepEqual(typed.message.split("\n").slice(1), lines.slice(1), "the same problem lines");

  file.write(ONE);
  const json = await reload("--json");
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { reloaded: true, file: file.path, providers: ["m"] });
});

Deno.test("config.reload needs the API key when API_KEY is set", async () => {
  using file = configFile(ONE);
  await using gw = await spawnGateway({
    WORKERS: "2",
    API_KEY: "reload-key-1234",
    GATEWAY_CONFIG: file.path,
  });
  file.write(TWO);
  const raw = await fetch(`${gw.url}/trpc/config.reload`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(raw.status, 401);
  await raw.body?.cancel();
  using s = scratch();
  const none = await runCli(["config", "reload", "--url", gw.url], { env: s.env(), cwd: s.dir });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /requires an API key \(401\)/);
  assert.ok(!gw.logs().some((l) => String(l.msg).startsWith("config reload")), "nothing reloaded");
  const keyed = await runCli(
    ["config", "reload", "--url", gw.url, "--api-key", "reload-key-1234"],
    {
      env: s.env(),
      cwd: s.dir,
    },
  );
  assert.equal(keyed.code, 0, keyed.stderr);
  assert.match(keyed.stdout, /: 2 providers \(m, m2\)/);
});

Deno.test("reload without a config file: SIGHUP logs it, cli config reload says so", async () => {
  await using gw = await spawnGateway({ WORKERS: "1" });
  gw.child.kill("SIGHUP");
  const [line] = await logged(gw, /^no config file to reload/);
  assert.equal(line.level, "info");
  using s = scratch();
  const r = await runCli(["config", "reload", "--url", gw.url], { env: s.env(), cwd: s.dir });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^error: Reload is not available: the gateway was started without a config file/,
  );
  const res = await postFresh(gw, "/v1/chat/completions", chatBody("mock-echo", "still here"));
  assert.equal(res.status, 200);
  assert.equal((await gw.stop()).code, 0, "SIGHUP did not end the process");
});

Deno.test("reload: aliases come and go with the file", async () => {
  using file = configFile(ONE);
  await using gw = await spawnGateway({ WORKERS: "1", GATEWAY_CONFIG: file.path });
  assert.deepEqual((await chats(gw, "pool", 1)).map((r) => r.status), [404]);
  file.write(
    TWO +
      "models:\n  - name: pool\n    strategy: weighted\n    deployments:\n" +
      "      - {provider: m, model: mock-echo}\n      - {provider: m2, model: mock-echo}\n",
  );
  gw.child.kill("SIGHUP");
  await logged(gw, /^config reloaded: /);
  const served = await chats(gw, "pool", 6);
  assert.ok(served.every((r) => r.status === 200), JSON.stringify(served));
  const models = await (await fetch(`${gw.url}/v1/models`)).json();
  assert.equal(models.data[0].id, "pool");
  file.write(ONE);
  gw.child.kill("SIGHUP");
  await logged(gw, /^config reloaded: /, 2);
  assert.deepEqual((await chats(gw, "pool", 1)).map((r) => r.status), [404]);
});

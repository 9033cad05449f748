/**
 * `deno task cli keys …` as real subprocesses against a spawned gateway: create with a flag for
 * every field (the key printed once), list, show, update (allowlist, --disable, --clear), revoke,
 * `--json`, the admin key from ADMIN_API_KEY in `.env`, and one-line errors (a non-admin key's
 * 403, an invalid limit's 400 naming the field, usage mistakes).
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { spawnGateway } from "../helpers/server.ts";
import { runCli, scratch } from "./cli_harness.ts";

const ADMIN = "cli-admin-key-31f7";
const STATIC = "cli-static-key-8a20";

Deno.test("CLI keys: create, list, show, update, revoke; --json; errors in one line", async (t) => {
  await using gw = await spawnGateway({ API_KEY: STATIC, ADMIN_API_KEY: ADMIN });
  using s = scratch();
  const run = (args: string[], env: Record<string, string> = {}) =>
    runCli(["keys", ...args, "--url", gw.url], { env: s.env(env), cwd: s.dir });
  const admin = { GATEWAY_API_KEY: ADMIN };
  let id = "";
  let key = "";

  await t.step("create: every field by flag; the key printed once", async () => {
    const r = await run([
      "create",
      "--name",
      "ci-bot",
      "--team",
      "platform",
      "--models",
      "mock-echo,mock-em*",
      "--rpm-limit",
      "60",
      "--tpm-limit",
      "100000",
      "--max-parallel",
      "4",
      "--max-budget-usd",
      "25",
      "--budget-period",
      "monthly",
      "--expires-at",
      "2030-01-31T00:00:00Z",
      "--metadata",
      '{"owner":"ana"}',
    ], admin);
    assert.equal(r.code, 0, r.stderr);
    const match =
      /^Created (key_\w+) \(ci-bot\)\. The key, shown this once:\n\n {2}(sk-gw-\w{40})\n/
        .exec(r.stdout);
    assert.ok(match, r.stdout);
    [, id, key] = match;
    assert.match(r.stdout, /^models +\["mock-echo","mock-em\*"\]$/m);
    assert.match(r.stdout, /^rpm_limit +60$/m);
    assert.match(r.stdout, /^budget_period +monthly$/m);
    assert.match(r.stdout, /^expires_at +2030-01-31 \(1896048000\)$/m);
    assert.equal(r.stdout.split(key).length, 2, "the key appears once");
    const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const answer = await client.chat.completions.create({
      model: "mock-echo",
      messages: [{ role: "user", content: "from the cli" }],
    });
    assert.equal(answer.choices[0].message.content, "from the cli");
  });

  await t.step("list and show; the admin key from ADMIN_API_KEY in .env", async () => {
    s.write(".env", `API_KEY=${STATIC}\nADMIN_API_KEY=${ADMIN}\n`);
    const list = await run(["list"]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split("\n");
    assert.match(lines[0], /^ID\s+NAME\s+TEAM\s+KEY\s+MODELS\s+LIMITS\s+ENABLED\s+EXPIRES$/);
    assert.match(
      lines[1],
      new RegExp(
        `^${id}\\s+ci-bot\\s+platform\\s+sk-gw-\\w{4}…\\s+mock-echo,mock-em\\*\\s+60 rpm, 100000 tpm\\s+yes\\s+2030-01-31$`,
      ),
    );
    assert.ok(!list.stdout.includes(key), "never the key");
    const json = await run(["list", "--json"]);
    assert.deepEqual(JSON.parse(json.stdout).data.map((k: { id: string }) => k.id), [id]);
    const show = await run(["show", id, "--json"]);
    assert.equal(show.code, 0, show.stderr);
    const shown = JSON.parse(show.stdout);
    assert.deepEqual([shown.metadata, shown.max_budget_usd, shown.key], [
      { owner: "ana" },
      25,
      undefined,
    ]);
    Deno.removeSync(`${s.dir}/.env`);
  });

  await t.step("update: allowlist, --disable, --clear; the key follows", async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    const ask = (model: string) =>
      client.chat.completions.create({ model, messages: [{ role: "user", content: "x" }] });
    await assert.rejects(ask("mock-slow"), OpenAI.PermissionDeniedError);
    const r = await run(
      ["update", id, "--models", "mock-slow", "--clear", "rpm_limit,team"],
      admin,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Updated key_\w+\.\nid/);
    assert.match(r.stdout, /^rpm_limit +-$/m);
    assert.match(r.stdout, /^team +-$/m);
    assert.ok(await ask("mock-slow"));
    await assert.rejects(ask("mock-echo"), OpenAI.PermissionDeniedError);
    const off = await run(["update", id, "--disable", "--json"], admin);
    assert.equal(JSON.parse(off.stdout).enabled, false);
    await assert.rejects(ask("mock-slow"), OpenAI.AuthenticationError);
    assert.equal((await run(["update", id, "--enable"], admin)).code, 0);
    assert.ok(await ask("mock-slow"));
  });

  await t.step("errors: a non-admin key, an invalid limit, usage mistakes", async () => {
    const denied = await run(["list"], { GATEWAY_API_KEY: STATIC });
    assert.equal(denied.code, 1);
    assert.match(
      denied.stderr,
      /^error: The gateway rejected the request \(403 permission_denied\): This route needs the admin key/,
    );
    assert.equal(denied.stderr.trim().split("\n").length, 1);
    const invalid = await run(["create", "--name", "x", "--rpm-limit", "0"], admin);
    assert.equal(invalid.code, 1);
    assert.match(
      invalid.stderr,
      /\(400 invalid_value \(rpm_limit\)\): rpm_limit must be a positive integer/,
    );
    const noName = await run(["create"], admin);
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /keys create needs --name NAME/);
    const notNumber = await run(["create", "--name", "x", "--tpm-limit", "many"], admin);
    assert.equal(notNumber.code, 2);
    assert.match(notNumber.stderr, /--tpm-limit must be a number, got 'many'/);
    const unknown = await run(["show", "key_nope"], admin);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404 key_not_found/);
    const sub = await run(["frob"], admin);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /Unknown keys command 'frob'/);
  });

  await t.step("revoke: the key is refused", async () => {
    const r = await run(["revoke", id], admin);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`^Revoked ${id}: refused everywhere within 2 seconds\\.\\n$`),
    );
    const client = new OpenAI({ apiKey: key, baseURL: `${gw.url}/v1`, maxRetries: 0 });
    await assert.rejects(
      client.chat.completions.create({
        model: "mock-slow",
        messages: [{ role: "user", content: "x" }],
      }),
      OpenAI.AuthenticationError,
    );
    assert.equal((await run(["list"], admin)).stdout, "No virtual keys.\n");
  });
});

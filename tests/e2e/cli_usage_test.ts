/**
 * `deno task cli usage …` as real subprocesses against a spawned gateway (two workers, one
 * SQLite store in DATA_DIR): requests by two virtual keys through the OpenAI SDK, then the
 * table (totals, --group-by, filters), `--json`, one-line errors; `/metrics` shows the usage
 * writer's counters summed over the workers; and records written just before a SIGTERM are in
 * the store after the exit (the writer is flushed before the store closes).
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { openSqliteStore } from "../../core/store/sqlite_store.ts";
import { spawnGateway } from "../helpers/server.ts";
import { runCli, scratch } from "./cli_harness.ts";

const ADMIN = "cli-usage-admin-5e1a";
const STATIC = "cli-usage-static-92bd";

async function createKey(url: string, name: string, team: string) {
  const res = await fetch(`${url}/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ name, team }),
  });
  assert.equal(res.status, 200);
  return await res.json() as { id: string; key: string };
}

async function chat(url: string, key: string, text: string) {
  const client = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 });
  await client.chat.completions.create({
    model: "mock-echo",
    messages: [{ role: "user", content: text }],
  });
}

Deno.test("CLI usage: table, --group-by, filters, --json, errors; /metrics over two workers", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "cli-usage-" });
  try {
    await using gw = await spawnGateway({
      API_KEY: STATIC,
      ADMIN_API_KEY: ADMIN,
      WORKERS: "2",
      DATA_DIR: dataDir,
    });
    using s = scratch();
    const run = (args: string[]) =>
      runCli(["usage", ...args, "--url", gw.url], {
        env: s.env({ GATEWAY_API_KEY: ADMIN }),
        cwd: s.dir,
      });
    const red = await createKey(gw.url, "red-bot", "red");
    const blue = await createKey(gw.url, "blue-bot", "blue");
    await chat(gw.url, red.key, "one");
    await chat(gw.url, red.key, "two");
    await chat(gw.url, blue.key, "three");

    // Records reach the store within about a second (each worker's writer batches).
    let json: { data: { group: string | null; requests: number }[] } | undefined;
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      const r = await run(["--json"]);
      assert.equal(r.code, 0, r.stderr);
      json = JSON.parse(r.stdout);
      if (json!.data[0].requests === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(json?.data[0].requests, 3);
    assert.equal(json?.data[0].group, null);

    const totals = await run([]);
    assert.equal(totals.code, 0, totals.stderr);
    const lines = totals.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "Usage, all time:");
    assert.match(
      lines[1],
      /^USAGE\s+REQUESTS\s+ERRORS\s+INPUT\s+CACHED\s+OUTPUT\s+REASONING\s+COST\s+UNPRICED$/,
    );
    // mock-echo has no price: three requests of unknown cost, not $0 of known cost.
    assert.match(lines[2], /^total\s+3\s+0\s+\d+\s+0\s+\d+\s+0\s+\$0\s+3$/);

    const byTeam = await run(["--group-by", "team"]);
    assert.equal(byTeam.code, 0, byTeam.stderr);
    const teamLines = byTeam.stdout.trimEnd().split("\n");
    assert.match(teamLines[1], /^TEAM\s+REQUESTS/);
    assert.deepEqual(
      teamLines.slice(2).map((l) => l.split(/\s+/).slice(0, 2)),
      [["blue", "1"], ["red", "2"], ["total", "3"]], // equal cost ($0 known): by name
    );

    const one = await run(["--key", blue.id, "--group-by", "model", "--from", "2020-01-01"]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /^Usage, 2020-01-01T00:00:00\.000Z to now:$/m);
    assert.match(one.stdout, /^mock-echo\s+1\s/m);

    const none = await run(["--from", "2999-01-01"]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /No usage recorded in this range\./);

    const bad = await run(["--from", "yesterday"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /from must be an ISO 8601 date/);
    assert.equal(bad.stderr.trimEnd().split("\n").length, 1, bad.stderr);
    const badGroup = await run(["--group-by", "week"]);
    assert.notEqual(badGroup.code, 0);
    assert.match(badGroup.stderr, /--group-by must be one of key, team, model, provider, day/);
    const notAdmin = await runCli(["usage", "--url", gw.url], {
      env: s.env({ GATEWAY_API_KEY: red.key }),
      cwd: s.dir,
    });
    assert.equal(notAdmin.code, 1);
    assert.match(notAdmin.stderr, /admin|permission|403/i);

    const metrics = await (await fetch(`${gw.url}/metrics`, {
      headers: { authorization: `Bearer ${STATIC}` },
    })).text();
    assert.match(metrics, /^gateway_usage_records_dropped_total 0$/m);
    assert.match(metrics, /^gateway_usage_records_queued 0$/m);
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

Deno.test("usage records of requests just before SIGTERM are in the store after the exit", async () => {
  const dataDir = Deno.makeTempDirSync({ prefix: "usage-shutdown-" });
  try {
    const gw = await spawnGateway({ API_KEY: STATIC, DATA_DIR: dataDir });
    for (const text of ["a", "b", "c"]) await chat(gw.url, STATIC, text);
    // Well within the writer's 1 s batching delay: only the shutdown flush can write them.
    const status = await gw.stop("SIGTERM");
    assert.equal(status.code, 0);
    const store = openSqliteStore({ dataDir });
    try {
      const [totals] = await store.usage.summarize({});
      assert.equal(totals.requests, 3);
    } finally {
      await store.close();
    }
  } finally {
    Deno.removeSync(dataDir, { recursive: true });
  }
});

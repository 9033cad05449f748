/**
 * README's "Keys, limits and spend" walkthrough runs as written: its `gateway.yaml` and
 * `ADMIN_API_KEY` start a spawned gateway, and its shell blocks run in order in one shell (so
 * `VIRTUAL_KEY` carries over) — creating a key with an allowlist and a budget, a 403 and a 200
 * with rate-limit headers, spending the budget until the 429, and reading the spend through
 * `/v1/me`, `/admin/usage` and the CLI, whose table is the one README shows.
 */
import assert from "node:assert/strict";
import { spawnGateway } from "../helpers/server.ts";

const ROOT = decodeURIComponent(new URL("../../", import.meta.url).pathname);
const MARKER = "### Walkthrough: a key with an allowlist and a budget";

/** The walkthrough's text, up to the next heading. */
function walkthrough(): string {
  const readme = Deno.readTextFileSync(`${ROOT}README.md`);
  const start = readme.indexOf(MARKER);
  assert.ok(start !== -1, `README has ${MARKER}`);
  return readme.slice(start, readme.indexOf("\n### ", start + MARKER.length));
}

/** The fenced blocks of `lang` in `text`. */
const fenced = (text: string, lang: string) =>
  [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);

Deno.test("README walkthrough: a key with an allowlist and a budget, its limit and its spend", async () => {
  const text = walkthrough();
  const [yaml] = fenced(text, "yaml");
  const shell = fenced(text, "sh");
  const [table] = fenced(text, "text");
  assert.ok(yaml && table && shell.length === 4, "a yaml block, 4 sh blocks and the CLI table");
  assert.match(text, /`ADMIN_API_KEY=admin-secret deno task start`/);

  await using gw = await spawnGateway(
    { ADMIN_API_KEY: "admin-secret", GATEWAY_CONFIG: "gateway.yaml" },
    { files: { "gateway.yaml": yaml } },
  );
  // The blocks in one shell, each output after a marker line.
  const script = [
    "set -euo pipefail",
    // Each answer on a line of its own (curl's answers do not end with a newline).
    'curl() { command curl "$@"; echo; }',
    ...shell.map((block, i) => `echo "@@${i}"\n${block}`),
    'test -n "$VIRTUAL_KEY"',
    // The refused request's body, as the text after the loop quotes it.
    `echo "@@refusal"`,
    `curl -s "$GATEWAY_URL/v1/chat/completions" -H "authorization: Bearer $VIRTUAL_KEY" ` +
    `-H "content-type: application/json" ` +
    `-d '{"model": "mock-echo", "messages": [{"role": "user", "content": "hello"}]}'`,
  ].join("\n");
  const run = await new Deno.Command("bash", {
    args: ["-c", script],
    cwd: ROOT,
    env: {
      GATEWAY_URL: gw.url,
      ADMIN_API_KEY: "admin-secret",
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(run.stdout);
  assert.equal(run.code, 0, `${stdout}\n${new TextDecoder().decode(run.stderr)}`);
  const out = Object.fromEntries(
    stdout.split(/^@@/m).slice(1).map((part) => {
      const newline = part.indexOf("\n");
      const lines = part.slice(newline + 1).split("\n").filter((l) => l !== "");
      return [part.slice(0, newline), lines];
    }),
  );

  assert.deepEqual(out["0"], [], "creating the key prints nothing (the key is in VIRTUAL_KEY)");
  const [denied, ...answered] = out["1"];
  assert.equal(JSON.parse(denied).error.code, "permission_denied");
  assert.match(denied, /may not use the model 'gpt-4o'/);
  assert.equal(answered[0], "HTTP/1.1 200 OK\r");
  assert.ok(answered.includes("x-ratelimit-limit-requests: 10\r"), answered.join("\n"));
  assert.ok(answered.includes("x-ratelimit-remaining-requests: 9\r"), answered.join("\n"));
  assert.deepEqual(out["2"], ["200", "200", "429"]);
  const refusal = JSON.parse(out.refusal[0]).error;
  assert.equal(refusal.type, "insufficient_quota");
  assert.equal(refusal.code, "insufficient_quota");
  const quoted = text.match(/"message": "(The key 'docs-bot' has spent[^…]*)…/)?.[1];
  assert.ok(quoted, "README quotes the refusal");
  assert.ok(refusal.message.startsWith(quoted.replace(/\s+/g, " ")), refusal.message);

  const [me, usage, ...cli] = out["3"];
  const budget = JSON.parse(me).budget;
  assert.equal(budget.spent_usd, 0.06);
  assert.equal(budget.remaining_usd, 0);
  assert.equal(budget.max_budget_usd, 0.05);
  assert.equal(JSON.parse(me).rpm_limit, 10);
  const [group] = JSON.parse(usage).data;
  assert.equal(group.requests, 5);
  assert.equal(group.errors, 2);
  assert.equal(group.cost_usd, 0.06);
  assert.equal(cli.join("\n") + "\n", table, "the CLI prints README's table");
});

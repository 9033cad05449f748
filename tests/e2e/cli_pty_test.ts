/**
 * The chat REPL on a pseudo-terminal (util-linux `script`), started the way README says —
 * `deno task cli chat …`, with the task runner between the terminal and the CLI: a spinner
 * until the first token, tokens shown as they stream, colours only on a terminal and not with
 * NO_COLOR, ONE Ctrl-C cancelling the answer (the upstream request is aborted) and keeping the
 * session (the task runner forwards that SIGINT a second time), the partial answer kept as
 * `[cancelled]`, a second Ctrl-C exiting, `--session` by prefix and `-c`; `/model` checked;
 * line editing (arrows, Home/End, Ctrl-A/E/W/U, ↑/↓ history persisted across sessions),
 * bracketed paste and `"""` blocks as one message with indentation kept; `config set`
 * without echoing secrets.
 */
import assert from "node:assert/strict";
import { hang, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { spawnGateway } from "../helpers/server.ts";
import { scratch, startPtyCli } from "./cli_harness.ts";

const hasScript =
  new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
    .outputSync().success;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Saved {
  model: string;
  messages: Array<{ role: string; content: unknown }>;
}

Deno.test({
  name: "CLI chat on a terminal via deno task: spinner, streaming, one Ctrl-C, resume",
  ignore: !hasScript,
  fn: async (t) => {
    await using fake = await startFakeOpenAI();
    await using gw = await spawnGateway({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
    using s = scratch();
    // `deno task` runs in the repository; the scratch .env is named so the repo's is not read.
    const envFile = ["--env-file", `${s.dir}/.env`];
    const env = s.env({ GATEWAY_URL: gw.url });
    const saved = (id: string) => JSON.parse(s.read(`history/${id}.json`)) as Saved;
    let id = "";

    await t.step(
      "spinner, streaming, colours; ONE Ctrl-C cancels and keeps the session",
      async () => {
        await using cli = startPtyCli(["chat", "-m", "gpt-4o-mini", ...envFile], {
          env,
          cwd: s.dir,
        });
        await cli.waitFor("you› ", { timeoutMs: 30_000 });
        assert.ok(cli.output().includes("\x1b[1mSession\x1b[22m "), "colours on a terminal");
        id = /Session\S* (\d{8}-\d{6}-\w+)/.exec(cli.output())![1];

        fake.script(streamReply(textDeltas(["alpha ", "beta ", "gamma"]), {
          delayMs: 400,
          chunkDelayMs: 300,
        }));
        let mark = cli.output().length;
        await cli.type("stream please\r");
        await cli.waitFor("thinking…", { from: mark });
        const early = await cli.waitFor("alpha", { from: mark });
        assert.ok(!early.includes("gamma"), "the first token is shown before the last arrives");
        await cli.waitFor(/gamma\r?\n/, { from: mark });
        await cli.waitFor("you› ", { from: cli.output().indexOf("gamma") });

        fake.script(streamReply(textDeltas(["partial "]), { end: "hang" }));
        mark = cli.output().length;
        await cli.type("never finishes\r");
        await cli.waitFor("partial", { from: mark });
        // One Ctrl-C, and the task runner's copy of its SIGINT (sent here a few ms later, so it
        // reaches the CLI as a separate signal, as it does on a real terminal).
        const pid = cli.cliPid();
        await cli.type("\x03");
        await sleep(15);
        try {
          Deno.kill(pid, "SIGINT");
        } catch {
          // the CLI quit already: the checks below say so
        }
        await cli.waitFor("[cancelled]", { from: mark });
        const request = fake.chatRequests.at(-1)!;
        assert.equal(await request.outcome, "aborted", "Ctrl-C aborted the upstream request");
        await cli.waitFor("you› ", { from: cli.output().indexOf("[cancelled]") });
        // The second SIGINT (from the task runner) must not end the session.
        await sleep(500);
        mark = cli.output().length;
        await cli.type("/model\r");
        await cli.waitFor(/model: \S*gpt-4o-mini/, { from: mark });

        assert.deepEqual(saved(id).messages, [
          { role: "user", content: "stream please" },
          { role: "assistant", content: "alpha beta gamma" },
          { role: "user", content: "never finishes" },
          { role: "assistant", content: "partial [cancelled]" },
        ], "the cancelled turn is kept with its partial answer, marked");

        await cli.type("\x03");
        await cli.waitFor("press Ctrl-C again");
        await cli.type("\x03");
        assert.equal(await cli.exit(), 0);
        assert.match(cli.output(), new RegExp(`Saved as ${id}`));
      },
    );

    await t.step(
      "--session by prefix, /history, /model checked, Ctrl-C while waiting",
      async () => {
        const prefix = id.slice(0, 17);
        await using cli = startPtyCli(["chat", "--session", prefix, ...envFile], {
          env: { ...env, NO_COLOR: "1" },
          cwd: s.dir,
        });
        await cli.waitFor("you› ", { timeoutMs: 30_000 });
        assert.match(cli.output(), new RegExp(`Resumed session ${id} · model gpt-4o-mini`));
        assert.ok(!cli.output().includes("\x1b[1m"), "NO_COLOR honoured");
        let mark = cli.output().length;
        await cli.type("/history\r");
        await cli.waitFor("assistant: partial [cancelled]", { from: mark });

        fake.script(hang());
        mark = cli.output().length;
        const sent = fake.chatRequests.length;
        await cli.type("slow\r");
        await cli.waitFor("thinking…", { from: mark });
        // Ctrl-C only once the request reached the upstream: earlier, the hang stays queued for
        // a later step, and the abort asserted below would be the previous request's.
        for (let waited = 0; fake.chatRequests.length === sent && waited < 10_000; waited += 20) {
          await sleep(20);
        }
        assert.equal(fake.chatRequests.length, sent + 1, "the request reached the upstream");
        await cli.type("\x03");
        await cli.waitFor("[cancelled]", { from: mark });
        assert.equal(await fake.chatRequests.at(-1)!.outcome, "aborted");
        await sleep(300);

        mark = cli.output().length;
        await cli.type("/model mock-ech\r");
        await cli.waitFor(/no model 'mock-ech': did you mean mock-echo\?/, { from: mark });
        mark = cli.output().length;
        await cli.type("/model mock-echo\r");
        await cli.waitFor("model: mock-echo", { from: mark });
        await cli.type("echo me\r");
        await cli.waitFor(/echo me\r?\n[\s\S]*you› /, { from: mark + 30 });
        await cli.type("/exit\r");
        assert.equal(await cli.exit(), 0);
        const resumed = saved(id);
        assert.equal(resumed.messages.length, 8);
        assert.deepEqual(resumed.messages[5], { role: "assistant", content: "[cancelled]" });
        assert.equal(resumed.model, "mock-echo");
      },
    );

    await t.step("-c continues the latest session", async () => {
      await using cli = startPtyCli(["chat", "-c", ...envFile], { env, cwd: s.dir });
      await cli.waitFor("you› ", { timeoutMs: 30_000 });
      assert.match(cli.output(), new RegExp(`Resumed session\\S* ${id} · model \\S*mock-echo`));
      await cli.type("\x04");
      assert.equal(await cli.exit(), 0);
    });

    await t.step("one-prompt chat: Ctrl-C aborts the upstream request and exits 130", async () => {
      fake.script(streamReply(textDeltas(["slow "]), { end: "hang" }));
      await using cli = startPtyCli(["chat", "-m", "gpt-4o-mini", "tell me", ...envFile], {
        env,
        cwd: s.dir,
      });
      await cli.waitFor("slow", { timeoutMs: 30_000 });
      await cli.type("\x03");
      assert.equal(await cli.exit(), 130);
      assert.match(cli.output(), /\[cancelled\]/);
      assert.equal(await fake.chatRequests.at(-1)!.outcome, "aborted");
    });

    await t.step("started with deno run, one Ctrl-C keeps the session too", async () => {
      await using cli = startPtyCli(["chat", "-m", "gpt-4o-mini"], {
        env,
        cwd: s.dir,
        via: "run",
      });
      await cli.waitFor("you› ", { timeoutMs: 30_000 });
      fake.script(streamReply(textDeltas(["part "]), { end: "hang" }));
      const mark = cli.output().length;
      await cli.type("go\r");
      await cli.waitFor("part", { from: mark });
      await cli.type("\x03");
      await cli.waitFor("[cancelled]", { from: mark });
      await sleep(300);
      const after = cli.output().length;
      await cli.type("/model\r");
      await cli.waitFor(/model: \S*gpt-4o-mini/, { from: after });
      await cli.type("/exit\r");
      assert.equal(await cli.exit(), 0);
    });
  },
});

Deno.test({
  name: "CLI line editing on a terminal via deno task: keys, history, paste, multi-line",
  ignore: !hasScript,
  fn: async (t) => {
    await using gw = await spawnGateway({});
    using s = scratch();
    const envFile = ["--env-file", `${s.dir}/.env`];
    const env = s.env({ GATEWAY_URL: gw.url, NO_COLOR: "1" });
    const historyFile = `${s.dir}/.config/llm-gateway/prompts`;
    const userMessages = () =>
      [...Deno.readDirSync(s.historyDir)].flatMap((e) =>
        (JSON.parse(Deno.readTextFileSync(`${s.historyDir}/${e.name}`)) as Saved).messages
          .filter((m) => m.role === "user").map((m) => m.content)
      );
    /** Types `keys` and waits for the next prompt; returns what the terminal showed. */
    const send = async (cli: Awaited<ReturnType<typeof startPtyCli>>, keys: string) => {
      const mark = cli.output().length;
      await cli.type(keys);
      await cli.waitFor("you› ", { from: mark });
      return cli.output().slice(mark);
    };

    await t.step('arrows, Home/End, Ctrl-A/E/W/U, ↑/↓, paste, """ blocks', async () => {
      await using cli = startPtyCli(["chat", ...envFile], { env, cwd: s.dir });
      await cli.waitFor("you› ", { timeoutMs: 30_000 });
      assert.ok(cli.output().includes("\x1b[?2004h"), "bracketed paste enabled at the prompt");

      // Home, End, ←, →, Ctrl-A, Ctrl-E.
      await send(cli, "world\x1b[Hhello \x1b[F!\x1b[D\x1b[D\x1b[C,\x01>\x05<\r");
      // Ctrl-U clears, Ctrl-W deletes a word, Delete and Backspace.
      await send(cli, "junk words\x15keep this drop\x17\x7f\x1b[D\x1b[3~s\r");
      // Leading whitespace kept.
      await send(cli, "    indented line\r");
      // ↑ twice recalls the entry before the last one; ↓ comes back to the draft.
      await send(cli, "\x1b[A\x1b[A\r");
      await send(cli, "draft\x1b[A\x1b[B!\r");
      // A bracketed paste of several lines is one message, indentation intact.
      await send(cli, "\x1b[200~def f():\r    return 1\r\x1b[201~\r");
      // """ … """ is one message.
      let mark = cli.output().length;
      await cli.type('"""\r');
      await cli.waitFor("...", { from: mark });
      await send(cli, '  first\r\r  second\r"""\r');
      mark = cli.output().length;
      await cli.type("/help\r");
      await cli.waitFor(/"""[^\n]*several lines|a line with only """/, { from: mark });
      // Ctrl-C on a typed line discards it and keeps the session (no exit armed).
      mark = cli.output().length;
      await cli.type("discard me\x03");
      await cli.waitFor("^C", { from: mark });
      await cli.type("\x03");
      await cli.waitFor("press Ctrl-C again", { from: mark });
      await cli.type("\x04");
      assert.equal(await cli.exit(), 0);
      assert.ok(!cli.output().slice(mark).includes("discard me\r\n"), "the line was not sent");

      assert.deepEqual(userMessages(), [
        ">hello world,!<",
        "keep this",
        "    indented line",
        "keep this",
        "draft!",
        "def f():\n    return 1",
        "  first\n\n  second",
      ]);
      const history = Deno.readTextFileSync(historyFile);
      assert.ok(!history.includes("\\u001b") && !history.includes("[A"), "no escape in history");
      assert.equal((Deno.statSync(historyFile).mode ?? 0) & 0o777, 0o600);
    });

    await t.step("the prompt history is kept across sessions", async () => {
      await using cli = startPtyCli(["chat", ...envFile], { env, cwd: s.dir });
      await cli.waitFor("you› ", { timeoutMs: 30_000 });
      // The last entry is /help; the one before it the """ block.
      const out = await send(cli, "\x1b[A\x1b[A\r");
      assert.match(out, /first/);
      await cli.type("/exit\r");
      assert.equal(await cli.exit(), 0);
      assert.equal(userMessages().at(-1), "  first\n\n  second");
    });
  },
});

Deno.test({
  name: "CLI config set on a terminal: secrets typed are not echoed, .env is 0600",
  ignore: !hasScript,
  fn: async () => {
    using s = scratch();
    s.write(".env", "# mine\nPORT=9100\n");
    Deno.chmodSync(`${s.dir}/.env`, 0o644);
    const secret = "gw-typed-secret-0123456789";
    await using cli = startPtyCli(["config", "set", "--env-file", `${s.dir}/.env`], {
      env: s.env(),
      cwd: s.dir,
    });
    await cli.waitFor("GATEWAY_URL", { timeoutMs: 30_000 });
    await cli.type("\r");
    await cli.waitFor("typing is not shown");
    await cli.type(`${secret}\r`);
    await cli.waitFor("DEFAULT_MODEL");
    await cli.type("\x04");
    assert.equal(await cli.exit(), 0);
    assert.ok(!cli.output().includes(secret), "the secret was echoed");
    assert.match(cli.output(), /Set GATEWAY_API_KEY=gw-…6789/);
    assert.equal(s.read(".env"), `# mine\nPORT=9100\nGATEWAY_API_KEY=${secret}\n`);
    assert.equal((Deno.statSync(`${s.dir}/.env`).mode ?? 0) & 0o777, 0o600);
  },
});

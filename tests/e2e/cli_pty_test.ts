/**
 * The chat REPL on a pseudo-terminal (util-linux `script`): a spinner until the first token,
 * tokens shown as they stream, colours only on a terminal and not with NO_COLOR, Ctrl-C
 * cancelling the answer (the upstream request is aborted), a second Ctrl-C exiting, and a
 * saved session resumed.
 */
import assert from "node:assert/strict";
import { hang, startFakeOpenAI, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { spawnGateway } from "../helpers/server.ts";
import { scratch, startPtyCli } from "./cli_harness.ts";

const hasScript =
  new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
    .outputSync().success;

Deno.test({
  name: "CLI chat on a terminal: spinner, streaming, Ctrl-C, resume",
  ignore: !hasScript,
  fn: async (t) => {
    await using fake = await startFakeOpenAI();
    await using gw = await spawnGateway({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
    using s = scratch();
    const env = s.env({ GATEWAY_URL: gw.url });
    let id = "";

    await t.step("spinner, token-by-token output, colours, Ctrl-C cancel then exit", async () => {
      await using cli = startPtyCli(["chat", "-m", "gpt-4o-mini"], { env, cwd: s.dir });
      await cli.waitFor("you› ");
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
      await cli.type("\x03");
      await cli.waitFor("[cancelled]", { from: mark });
      const request = fake.chatRequests.at(-1)!;
      assert.equal(await request.outcome, "aborted", "Ctrl-C aborted the upstream request");
      await cli.waitFor("you› ", { from: cli.output().indexOf("[cancelled]") });

      await cli.type("\x03");
      assert.equal(await cli.exit(), 0);
      assert.match(cli.output(), new RegExp(`Saved as ${id}`));
    });

    await t.step("the saved session: cancelled turn not kept, resumed with --session", async () => {
      const saved = JSON.parse(s.read(`history/${id}.json`));
      assert.deepEqual(saved.messages, [
        { role: "user", content: "stream please" },
        { role: "assistant", content: "alpha beta gamma" },
      ]);
      await using cli = startPtyCli(["chat", "--session", id], {
        env: { ...env, NO_COLOR: "1" },
        cwd: s.dir,
      });
      await cli.waitFor("you› ");
      assert.match(cli.output(), new RegExp(`Resumed session ${id} · model gpt-4o-mini`));
      assert.ok(!cli.output().includes("\x1b[1m"), "NO_COLOR honoured");
      let mark = cli.output().length;
      await cli.type("/history\r");
      await cli.waitFor("assistant: alpha beta gamma", { from: mark });

      fake.script(hang());
      mark = cli.output().length;
      const sent = fake.chatRequests.length;
      await cli.type("slow\r");
      await cli.waitFor("thinking…", { from: mark });
      // Ctrl-C only once the request reached the upstream: earlier, the hang stays queued for
      // the next step, and the abort asserted below would be the previous request's.
      for (let waited = 0; fake.chatRequests.length === sent && waited < 10_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(fake.chatRequests.length, sent + 1, "the request reached the upstream");
      await cli.type("\x03");
      await cli.waitFor("[cancelled]", { from: mark });
      assert.equal(await fake.chatRequests.at(-1)!.outcome, "aborted");

      mark = cli.output().length;
      await cli.type("/model mock-echo\r");
      await cli.waitFor("model: mock-echo", { from: mark });
      await cli.type("echo me\r");
      await cli.waitFor(/echo me\r?\n[\s\S]*you› /, { from: mark + 30 });
      await cli.type("\x03");
      await cli.waitFor("press Ctrl-C again");
      await cli.type("/exit\r");
      assert.equal(await cli.exit(), 0);
      const resumed = JSON.parse(s.read(`history/${id}.json`));
      assert.equal(resumed.messages.length, 4);
      assert.equal(resumed.model, "mock-echo");
    });

    await t.step("one-prompt chat: Ctrl-C aborts the upstream request and exits 130", async () => {
      fake.script(streamReply(textDeltas(["slow "]), { end: "hang" }));
      await using cli = startPtyCli(["chat", "-m", "gpt-4o-mini", "tell me"], { env, cwd: s.dir });
      await cli.waitFor("slow");
      await cli.type("\x03");
      assert.equal(await cli.exit(), 130);
      assert.match(cli.output(), /\[cancelled\]/);
      assert.equal(await fake.chatRequests.at(-1)!.outcome, "aborted");
    });
  },
});

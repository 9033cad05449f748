/**
 * `chat` and `history` as real subprocesses against a spawned gateway: one-shot prompts
 * (arguments, piped stdin, --no-stream), the REPL driven by a stdin script (slash commands,
 * history files), resuming with --session, tool calls from the fake OpenAI upstream, and
 * upstream 429/5xx and unknown-model errors with a non-zero exit.
 */
import assert from "node:assert/strict";
import {
  errorReply,
  startFakeOpenAI,
  streamReply,
  textDeltas,
  toolCallDeltas,
} from "../fakes/openai_upstream.ts";
import { spawnGateway } from "../helpers/server.ts";
import { runCli, scratch } from "./cli_harness.ts";

const KEY = "cli-chat-key-0123456789";

interface SavedSession {
  id: string;
  model: string;
  system?: string;
  messages: Array<{ role: string; content: unknown; tool_calls?: unknown[] }>;
}

Deno.test("CLI chat against the mock provider: one-shot, REPL script, history", async (t) => {
  await using gw = await spawnGateway({ API_KEY: KEY });
  using s = scratch();
  const env = s.env({ GATEWAY_URL: gw.url, GATEWAY_API_KEY: KEY });
  const run = (args: string[], stdin?: string) => runCli(args, { env, cwd: s.dir, stdin });
  const sessions = () =>
    [...Deno.readDirSync(s.historyDir)].map((e) =>
      JSON.parse(Deno.readTextFileSync(`${s.historyDir}/${e.name}`)) as SavedSession
    );

  await t.step("prompt as arguments: the answer on stdout, exit 0, nothing saved", async () => {
    const r = await run(["chat", "-m", "mock-echo", "hello", "from", "args"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "hello from args\n");
    assert.equal(r.stderr, "");
    assert.throws(() => Deno.statSync(s.historyDir));
  });

  await t.step("prompt piped on stdin, streamed and --no-stream", async () => {
    const streamed = await run(["chat"], "a piped\nprompt\n");
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.equal(streamed.stdout, "a piped\nprompt\n");
    const whole = await run(
      ["chat", "--no-stream", "--temperature", "0", "--max-tokens", "5"],
      "whole answer",
    );
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal(whole.stdout, "whole answer\n");
  });

  await t.step("DEFAULT_MODEL from .env is used without --model", async () => {
    s.write(".env", "DEFAULT_MODEL=mock-missing\n");
    const r = await run(["chat", "hi"]);
    Deno.removeSync(`${s.dir}/.env`);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: The model 'mock-missing' does not exist on the gateway \(404\): run `deno task cli models`/,
    );
  });

  await t.step("a prompt and piped stdin are one message; indentation kept", async () => {
    const r = await run(["chat", "Summarize:"], "some text\n  indented\n");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "Summarize:\n\nsome text\n  indented\n");
    const code = await run(["chat"], "    def f():\n        return 1\n");
    assert.equal(code.stdout, "    def f():\n        return 1\n");
  });

  await t.step("--stats and CHAT_STATS: a footer with tokens and latency on stderr", async () => {
    const footer =
      /^\[\d+ prompt \+ \d+ completion tokens · first token \d+ ms · total \d+(\.\d+)? m?s\]\n$/;
    const streamed = await run(["chat", "--stats", "count these words"]);
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.equal(streamed.stdout, "count these words\n");
    assert.match(streamed.stderr, footer);
    const whole = await run(["chat", "--stats", "--no-stream", "hi"]);
    assert.match(whole.stderr, footer);
    const fromConfig = await runCli(["chat", "hi"], {
      env: s.env({ GATEWAY_URL: gw.url, GATEWAY_API_KEY: KEY, CHAT_STATS: "true" }),
      cwd: s.dir,
    });
    assert.match(fromConfig.stderr, footer);
    assert.equal((await run(["chat", "hi"])).stderr, "", "no footer by default");
  });

  await t.step("empty prompt is a usage error", async () => {
    const r = await run(["chat"], "  \n");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /No prompt/);
  });

  let id = "";
  await t.step("REPL from a stdin script: answers, slash commands, saved session", async () => {
    const script = [
      "first question",
      "/system Answer briefly.",
      "/model",
      "second question",
      "/history",
      "/model mock-ech",
      "/model --force no-such-model",
      "this fails",
      "/model mock-echo",
      "/save",
      "/help",
      "/bogus",
      "/exit",
      "never sent",
      "",
    ].join("\n");
    const r = await run(["chat", "-i"], script);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Session (\S+) · model mock-echo · http:\/\/127\.0\.0\.1:\d+\n/);
    id = /^Session (\S+)/.exec(r.stdout)![1];
    assert.match(r.stdout, /you› first question\n/);
    assert.match(r.stdout, /you› system prompt set\n/);
    assert.match(r.stdout, /you› model: mock-echo\n/);
    assert.match(r.stdout, /you› second question\n/);
    assert.match(
      r.stdout,
      /system: Answer briefly\.\nyou: first question\nassistant: first question\nyou: second question\nassistant: second question\n/,
    );
    assert.match(
      r.stderr,
      /^error: The gateway has no model 'mock-ech': did you mean mock-echo\? \(`deno task cli models` lists them/m,
    );
    assert.match(r.stdout, /model: no-such-model\n/, "--force switches without the check");
    assert.match(r.stderr, /^error: The model 'no-such-model' does not exist/m);
    assert.match(r.stdout, new RegExp(`Saved ${s.historyDir}/${id}\\.json`));
    assert.match(r.stdout, /\/model NAME\s+switch model/);
    assert.match(r.stdout, /Unknown command \/bogus: type \/help/);
    assert.ok(!r.stdout.includes("never sent"));
    assert.match(
      r.stdout,
      new RegExp(`Saved as ${id}: resume with \`deno task cli chat --session ${id}\``),
    );
    const [saved] = sessions();
    assert.equal(saved.id, id);
    assert.equal(saved.system, "Answer briefly.");
    assert.deepEqual(saved.messages.map((m) => [m.role, m.content]), [
      ["user", "first question"],
      ["assistant", "first question"],
      ["user", "second question"],
      ["assistant", "second question"],
    ]);
  });

  await t.step("--session resumes: history is sent, the answer appended", async () => {
    const r = await run(["chat", "--session", id.slice(0, 18), "third"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "third\n");
    assert.match(r.stderr, new RegExp(`saved as session ${id}`));
    const [saved] = sessions();
    assert.equal(saved.messages.length, 6);
    assert.deepEqual(saved.messages.at(-1), { role: "assistant", content: "third" });
    const missing = await run(["chat", "--session", "20000101-000000-zzzz", "x"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No saved session '20000101-000000-zzzz'/);
    const bad = await run(["chat", "--session", "../etc/passwd", "x"]);
    assert.equal(bad.code, 2);
  });

  await t.step("-c continues the latest session; an ambiguous prefix is refused", async () => {
    const r = await run(["chat", "-c", "fourth"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "fourth\n");
    assert.match(r.stderr, new RegExp(`saved as session ${id}`));
    assert.equal(sessions()[0].messages.length, 8);
    const other = JSON.parse(s.read(`history/${id}.json`));
    other.id = `${id.slice(0, 16)}zz`;
    s.write(`history/${other.id}.json`, JSON.stringify(other));
    const ambiguous = await run(["chat", "--session", id.slice(0, 16), "x"]);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /matches 2 sessions .*: give more of the id/);
    Deno.removeSync(`${s.historyDir}/${other.id}.json`);
    const both = await run(["chat", "-c", "--session", id, "x"]);
    assert.equal(both.code, 2);
  });

  await t.step("/clear starts a new session and keeps the old one", async () => {
    const r = await run(["chat", "-i", "--session", id], "/clear\nfresh start\n");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Resumed session/);
    assert.match(r.stdout, /New conversation \S+ \(.* kept\)/);
    assert.equal(sessions().length, 2);
  });

  await t.step("history list, export (stdout, -o, markdown), delete", async () => {
    const list = await run(["history", "list"]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID\s+UPDATED\s+MODEL\s+MSGS\s+TITLE\n/);
    assert.match(
      list.stdout,
      new RegExp(`${id}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+mock-echo\\s+8\\s+first question`),
    );
    const json = JSON.parse((await run(["history", "list", "--json"])).stdout);
    assert.equal(json.length, 2);

    const ids = sessions().map((x) => x.id);
    let n = 16;
    while (ids.filter((other) => other.startsWith(id.slice(0, n))).length > 1) n++;
    const exported = await run(["history", "export", id.slice(0, n)]);
    assert.equal(JSON.parse(exported.stdout).id, id);
    const toFile = await run(["history", "export", id, "-o", "out.md", "--format", "md"]);
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.match(s.read("out.md"), /^# Chat .*\n[\s\S]*## user\n\nfirst question\n/);

    const deleted = await run(["history", "delete", id]);
    assert.equal(deleted.code, 0);
    assert.equal(sessions().length, 1);
    const again = await run(["history", "delete", id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No saved session/);
    assert.equal((await run(["history", "export"])).code, 2);
  });
});

Deno.test("CLI chat against the OpenAI upstream: tool calls, 429, 5xx", async (t) => {
  await using fake = await startFakeOpenAI();
  await using gw = await spawnGateway({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
  using s = scratch();
  const run = (args: string[], stdin?: string) =>
    runCli(args, { env: s.env({ GATEWAY_URL: gw.url }), cwd: s.dir, stdin });

  await t.step("streamed tool calls are shown; the next turn stays valid", async () => {
    s.write(
      "tools.json",
      JSON.stringify([{ name: "get_weather", parameters: { type: "object" } }]),
    );
    fake.script(
      streamReply(toolCallDeltas([
        { id: "call_1", name: "get_weather", argumentFragments: ['{"city":', ' "Paris"}'] },
        { id: "call_2", name: "get_time", argumentFragments: ["{}"] },
      ])),
      streamReply(textDeltas(["It is ", "sunny."])),
    );
    const r = await run(
      ["chat", "-i", "-m", "gpt-4o-mini", "--tools", "tools.json"],
      "weather?\nthanks\n",
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /⚙ tool call get_weather\({"city":"Paris"}\) \[call_1\]\n/);
    assert.match(r.stdout, /⚙ tool call get_time\({}\) \[call_2\]\n/);
    assert.match(r.stdout, /It is sunny\.\n/);
    const first = fake.chatRequests[0].body as {
      tools: Array<{ type: string; function: { name: string } }>;
    };
    assert.deepEqual(first.tools.map((x) => [x.type, x.function.name]), [[
      "function",
      "get_weather",
    ]]);
    const second = fake.chatRequests[1].body as {
      messages: Array<{ role: string; tool_call_id?: string; tool_calls?: unknown[] }>;
    };
    assert.deepEqual(second.messages.map((m) => m.role), [
      "user",
      "assistant",
      "tool",
      "tool",
      "user",
    ]);
    assert.equal(second.messages[1].tool_calls?.length, 2);
    assert.equal(second.messages[2].tool_call_id, "call_1");
  });

  await t.step("non-streamed tool calls are shown too", async () => {
    fake.script({
      kind: "json",
      status: 200,
      headers: {},
      body: {
        id: "chatcmpl-x",
        object: "chat.completion",
        created: 1,
        model: "gpt-4o-mini",
        choices: [{
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [{
              id: "call_9",
              type: "function",
              function: { name: "lookup", arguments: '{"q":1}' },
            }],
          },
          finish_reason: "tool_calls",
        }],
      },
    });
    const r = await run(["chat", "--no-stream", "-m", "gpt-4o-mini", "q"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /⚙ tool call lookup\({"q":1}\) \[call_9\]/);
  });

  await t.step("429 from the upstream: one sentence, exit 1", async () => {
    for (const noStream of [false, true]) {
      fake.script(errorReply(429));
      const r = await run([
        "chat",
        "-m",
        "gpt-4o-mini",
        ...(noStream ? ["--no-stream"] : []),
        "hi",
      ]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr,
        "error: The provider is rate limiting requests for 'gpt-4o-mini' (429): wait a moment and try again, or use another model.\n",
      );
    }
  });

  await t.step("5xx from the upstream: reported once (no silent SSE retry), exit 1", async () => {
    const before = fake.chatRequests.length;
    fake.script(errorReply(500));
    const r = await run(["chat", "-m", "gpt-4o-mini", "hi"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: The provider serving 'gpt-4o-mini' failed \(502: .*\): try again later/,
    );
    assert.equal(r.stderr.trim().split("\n").length, 1);
    assert.equal(fake.chatRequests.length, before + 1, "the request was not sent again");
    fake.script(errorReply(503));
    const unavailable = await run(["chat", "--no-stream", "-m", "gpt-4o-mini", "hi"]);
    assert.equal(unavailable.code, 1);
    assert.match(
      unavailable.stderr,
      /^error: The provider serving 'gpt-4o-mini' is unavailable \(503\): try again later/,
    );
  });

  await t.step("provider not configured: 503 with the fix", async () => {
    const r = await run(["chat", "-m", "anthropic.claude-3-haiku-20240307-v1:0", "hi"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^error: The provider serving 'anthropic\.claude-3-haiku-20240307-v1:0' is not configured on the gateway \(503\): set its credentials \(AWS credentials for Bedrock models/,
    );
  });
});

/**
 * Claude Code (`@anthropic-ai/claude-code`, its native Linux x64 binary from the npm package
 * `@anthropic-ai/claude-code-linux-x64`) run non-interactively (`claude -p`) against a spawned
 * gateway (`ANTHROPIC_BASE_URL`, telemetry and non-essential traffic off, HOME a scratch dir):
 * it answers through `mock-echo`, a `gpt-*` model (fake OpenAI upstream) and Claude 3.5 and 4.x
 * Bedrock ids (fake Bedrock runtime, native InvokeModel path), and completes a tool round trip
 * (the model asks for `Read`, Claude Code reads the file, the model answers with its content).
 *
 * Claude Code sends `{role: "system"}` entries inside `messages`, `context_management`,
 * `output_config.effort`, adaptive thinking and a long `anthropic-beta` header; the fakes answer
 * every request it makes (responders, not scripts), and the fake Bedrock rejects extraneous keys
 * and system roles as Bedrock does.
 */
import assert from "node:assert/strict";
// Imported so that `deno test` downloads the package into Deno's npm cache (a bare
// import.meta.resolve does not); the binary is run from there.
import claudePackage from "@anthropic-ai/claude-code-linux-x64/package.json" with { type: "json" };
import {
  type FakeBedrock,
  type RecordedRequest,
  startFakeBedrock,
} from "../fakes/bedrock_runtime.ts";
import {
  type FakeOpenAI,
  type RecordedRequest as OpenAIRequest,
  startFakeOpenAI,
  streamReply,
  textDeltas,
  toolCallDeltas,
} from "../fakes/openai_upstream.ts";
import { fakeUpstreamEnv, spawnGateway } from "../helpers/server.ts";
import { chunkFrames, claudeMessage, claudeTextEvents } from "../integration/formats_harness.ts";

const GATEWAY_KEY = "gw-claude-code-key";
const SECRET = "PELICAN-7731";
const TOOL_PROMPT = "Use the Read tool to read notes.txt, then tell me the code word in it.";

/** The Claude Code binary inside the npm package (resolved through Deno's npm cache). */
const CLAUDE_BIN = decodeURIComponent(
  new URL(import.meta.resolve("@anthropic-ai/claude-code-linux-x64/package.json")).pathname,
).replace(/package\.json$/, "claude");

/** The text of the last user turn of a Claude body (strings, text blocks, tool results). */
function lastUserText(body: Record<string, unknown>): string {
  const messages = (body.messages ?? []) as Array<{ role: string; content: unknown }>;
  const last = messages.findLast((m) => m.role === "user" || m.role === "tool");
  return JSON.stringify(last?.content ?? "");
}

/** What the scripted model does next: read the file, report the word it read, or greet. */
function nextMove(lastText: string, hasTools: boolean): "read" | "report" | "greet" {
  if (lastText.includes(SECRET)) return "report";
  if (hasTools && lastText.includes("notes.txt")) return "read";
  return "greet";
}

function claudeToolEvents(id: string, name: string, input: unknown): unknown[] {
  const start = claudeTextEvents([])[0] as Record<string, unknown>;
  return [
    start,
    {
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", id, name, input: {} },
    },
    {
      type: "content_block_delta",
      index: 0,
      delta: { type: "input_json_delta", partial_json: JSON.stringify(input) },
    },
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { output_tokens: 12 },
    },
    { type: "message_stop" },
  ];
}

/** Answers every native Claude request Claude Code makes. */
function bedrockResponder(dir: string) {
  return (request: RecordedRequest) => {
    const body = request.body as Record<string, unknown>;
    const tools = Array.isArray(body.tools) && body.tools.length > 0;
    const move = nextMove(lastUserText(body), tools);
    const text = move === "report" ? `The code word is ${SECRET}.` : "Hello from Bedrock.";
    if (request.operation === "invoke") return { kind: "json" as const, body: claudeMessage(text) };
    const events = move === "read"
      ? claudeToolEvents("toolu_fake_1", "Read", { file_path: `${dir}/notes.txt` })
      : claudeTextEvents([text]);
    return { kind: "stream" as const, frames: chunkFrames(events) };
  };
}

/** Answers every chat completion Claude Code's requests become. */
function openaiResponder(dir: string) {
  return (request: OpenAIRequest) => {
    const body = request.body as Record<string, unknown>;
    const tools = Array.isArray(body.tools) && body.tools.length > 0;
    const move = nextMove(lastUserText(body), tools);
    if (move === "read") {
      return streamReply(toolCallDeltas([{
        id: "call_fake_1",
        name: "Read",
        argumentFragments: [JSON.stringify({ file_path: `${dir}/notes.txt` })],
      }]));
    }
    return streamReply(
      textDeltas([move === "report" ? `The code word is ${SECRET}.` : "Hello from GPT."]),
    );
  };
}

interface ClaudeRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `claude -p PROMPT --model MODEL` in `dir` against the gateway, killed after 120 s. */
async function runClaude(gateway: string, model: string, prompt: string, dir: string) {
  const home = Deno.makeTempDirSync({ prefix: "claude-home-" });
  const child = new Deno.Command(CLAUDE_BIN, {
    args: ["-p", prompt, "--model", model, "--allowedTools", "Read", "--max-turns", "4"],
    cwd: dir,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: home,
      ANTHROPIC_BASE_URL: gateway,
      ANTHROPIC_API_KEY: GATEWAY_KEY,
      ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
      ANTHROPIC_SMALL_FAST_MODEL: model,
      DISABLE_TELEMETRY: "1",
      DISABLE_AUTOUPDATER: "1",
      DISABLE_ERROR_REPORTING: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      NO_COLOR: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  try {
    const { code, stdout, stderr } = await child.output();
    const decoder = new TextDecoder();
    return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) } as ClaudeRun;
  } finally {
    clearTimeout(timer);
    Deno.removeSync(home, { recursive: true });
  }
}

interface Setup extends AsyncDisposable {
  bedrock: FakeBedrock;
  openai: FakeOpenAI;
  url: string;
  dir: string;
  logs: () => Array<Record<string, unknown>>;
}

async function setup(): Promise<Setup> {
  const dir = Deno.makeTempDirSync({ prefix: "claude-code-work-" });
  Deno.writeTextFileSync(`${dir}/notes.txt`, `The code word is ${SECRET}.\n`);
  const bedrock = startFakeBedrock();
  const openai = await startFakeOpenAI();
  bedrock.respondWith(bedrockResponder(dir));
  openai.respondWith(openaiResponder(dir));
  try {
    const gw = await spawnGateway({
      API_KEY: GATEWAY_KEY,
      ...fakeUpstreamEnv({ openai: openai.url, bedrock: bedrock.url }),
    });
    return {
      bedrock,
      openai,
      url: gw.url,
      dir,
      logs: gw.logs,
      async [Symbol.asyncDispose]() {
        await gw.stop();
        await openai.close();
        await bedrock.close();
        Deno.removeSync(dir, { recursive: true });
      },
    };
  } catch (error) {
    await openai.close();
    await bedrock.close();
    throw error;
  }
}

const explain = (run: ClaudeRun) =>
  `claude ${claudePackage.version}: exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`;

Deno.test("Claude Code (claude -p) through the gateway", async (t) => {
  await using s = await setup();

  await t.step("mock-echo answers (system entries inside messages are accepted)", async () => {
    const run = await runClaude(s.url, "mock-echo", "Say the word albatross", s.dir);
    assert.equal(run.code, 0, explain(run));
    assert.match(run.stdout, /albatross/, explain(run));
  });

  await t.step("a gpt-* model answers, with a tool round trip", async () => {
    const before = s.openai.chatRequests.length;
    const run = await runClaude(s.url, "gpt-4o-mini", TOOL_PROMPT, s.dir);
    assert.equal(run.code, 0, explain(run));
    assert.match(run.stdout, new RegExp(`code word is ${SECRET}`), explain(run));
    const sent = s.openai.chatRequests.slice(before).map((r) => r.body as Record<string, unknown>);
    // The tool result went back to the model as an OpenAI tool message.
    const withResult = sent.find((b) =>
      (b.messages as Array<{ role: string; content: unknown }>).some((m) =>
        m.role === "tool" && JSON.stringify(m.content).includes(SECRET)
      )
    );
    assert.ok(withResult, "no request carried the tool result");
    // Claude Code's adaptive thinking means nothing to gpt-4o-mini, which rejects the field.
    assert.ok(sent.every((b) => b.reasoning_effort === undefined));
  });

  for (
    const model of [
      "us.anthropic.claude-3-5-haiku-20241022-v1:0",
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "us.anthropic.claude-opus-4-6-v1",
    ]
  ) {
    await t.step(`${model} answers natively, with a tool round trip`, async () => {
      const before = s.bedrock.requests.length;
      const run = await runClaude(s.url, model, TOOL_PROMPT, s.dir);
      assert.equal(run.code, 0, explain(run));
      assert.match(run.stdout, new RegExp(`code word is ${SECRET}`), explain(run));
      const sent = s.bedrock.requests.slice(before).filter((r) => r.modelId === model);
      assert.ok(sent.length >= 2, `expected the tool turn and the answer, got ${sent.length}`);
      for (const request of sent) {
        assert.match(request.operation, /^invoke/);
        const body = request.body as Record<string, unknown>;
        assert.equal(body.context_management, undefined);
        const roles = (body.messages as Array<{ role: string }>).map((m) => m.role);
        assert.ok(roles.every((r) => r === "user" || r === "assistant"), roles.join(","));
        // Only betas Bedrock takes reach it, in the body.
        for (const beta of (body.anthropic_beta ?? []) as string[]) {
          assert.doesNotMatch(beta, /^claude-code-/);
        }
      }
      if (!model.includes("3-5")) {
        // Claude 4.x: the anthropic-beta header became the body's anthropic_beta.
        const betas = sent.map((r) => (r.body as { anthropic_beta?: string[] }).anthropic_beta);
        assert.ok(
          betas.every((list) => list?.includes("interleaved-thinking-2025-05-14")),
          JSON.stringify(betas),
        );
      }
    });
  }

  await t.step("the adapted fields are noted in the log", () => {
    const notes = s.logs().filter((l) => l.msg === "request" && Array.isArray(l.notes));
    assert.ok(notes.length > 0, "no adaptation was logged");
    assert.ok(
      notes.some((l) => (l.notes as string[]).includes("dropped context_management")),
      JSON.stringify(notes[0]),
    );
  });
});

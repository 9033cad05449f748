/**
 * The Codex CLI (`codex exec`, the real native binary from npm) through the gateway's
 * `POST /v1/responses`, everything on loopback: a `model_providers` entry whose `base_url` is
 * the gateway, `wire_api = "responses"` (the only wire API Codex still speaks). Codex sends
 * `stream: true`, `store: false`, `include: ["reasoning.encrypted_content"]`, its system prompt
 * as `developer` messages, input items with ids, function tools, a `namespace` tool group
 * (`multi_agent_v1`) and `web_search` on every request.
 *
 * It answers through `mock-echo`, a `gpt-*` model (the fake OpenAI upstream, which speaks chat
 * completions), and a Claude model on Bedrock (the fake runtime, Converse), and completes a
 * shell tool round trip on the upstreams: the scripted model asks for `exec_command`, Codex runs
 * `echo $((1234+4321))` in its read-only sandbox and sends the output back, and the model's
 * final answer quotes it; with reasoning on, Claude's signed thinking survives Codex's replay.
 * A second gateway whose OpenAI upstream speaks Responses (`OPENAI_RESPONSES_API=true`) passes
 * Codex's body through as sent. An upstream that fails mid-stream ends Codex's turn with the
 * gateway's `response.failed` message. Codex reaches nothing but the gateway.
 */
import assert from "node:assert/strict";
import { AGENTS_GATEWAY_KEY, agentsGateway, BEDROCK_CLAUDE } from "./agents_harness.ts";
import { type CodexRun, explainCodex, runCodex } from "./codex_harness.ts";
import { scriptedThinking, thinkingOn } from "./scripted_upstreams.ts";
import { streamReply, textDeltas } from "../fakes/openai_upstream.ts";

/** The prompt whose directive makes the scripted model call Codex's shell tool. */
const TOOL_PROMPT = 'Run this for me: [[call exec_command {"cmd":"echo $((1234+4321))"}]]';

/** OpenAI's and Bedrock's rule for function / tool names. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** The command executions Codex reported. */
function commands(run: CodexRun): Array<Record<string, unknown>> {
  return run.events
    .filter((e) => e.type === "item.completed")
    .map((e) => e.item as Record<string, unknown>)
    .filter((item) => item.type === "command_execution");
}

/** Checks a successful run that reached only the gateway. */
function assertOk(run: CodexRun) {
  assert.equal(run.code, 0, explainCodex(run));
  assert.deepEqual(run.egress, [], "Codex connected somewhere other than the gateway");
  const done = run.events.find((e) => e.type === "turn.completed");
  assert.ok(done, explainCodex(run));
  const usage = done.usage as { input_tokens: number; output_tokens: number };
  assert.ok(usage.input_tokens > 0 && usage.output_tokens > 0, JSON.stringify(usage));
}

/** Checks the shell round trip: the command ran and the answer quotes its output. */
function assertShellRoundTrip(run: CodexRun) {
  assertOk(run);
  const ran = commands(run);
  assert.equal(ran.length, 1, explainCodex(run));
  assert.match(String(ran[0].command), /echo \$\(\(1234\+4321\)\)/);
  assert.equal(ran[0].exit_code, 0);
  assert.equal(ran[0].aggregated_output, "5555\n");
  assert.match(run.lastMessage, /^Tool said: .*5555/s, explainCodex(run));
}

Deno.test("Codex CLI (codex exec) through the gateway's /v1/responses", async (t) => {
  await using s = await agentsGateway();
  const dir = Deno.makeTempDirSync({ prefix: "codex-work-" });
  const codex = (model: string, prompt: string) =>
    runCodex({ gateway: s.url, apiKey: AGENTS_GATEWAY_KEY, model, prompt, cwd: dir });
  try {
    await t.step("mock-echo answers with the prompt", async () => {
      const run = await codex("mock-echo", "Say the word albatross");
      assertOk(run);
      assert.match(run.lastMessage, /albatross/, explainCodex(run));
    });

    await t.step("a gpt-* model answers (chat completions upstream)", async () => {
      const before = s.openai.chatRequests.length;
      const run = await codex("gpt-4.1", "Say hello");
      assertOk(run);
      assert.equal(run.lastMessage.trim(), "Hello from GPT.", explainCodex(run));
      const sent = s.openai.chatRequests.slice(before).map((r) =>
        r.body as Record<string, unknown>
      );
      assert.equal(sent.length, 1);
      const messages = sent[0].messages as Array<{ role: string; content: unknown }>;
      assert.match(JSON.stringify(messages.at(-1)), /Say hello/);
      // Codex's system prompt arrives as instructions, its function tools as chat tools (the
      // namespace flattened); web_search has no chat equivalent and is left out.
      assert.match(JSON.stringify(messages[0]), /Codex/);
      const names = (sent[0].tools as Array<{ function: { name: string } }>).map((x) =>
        x.function.name
      );
      assert.ok(names.includes("exec_command"), names.join(","));
      assert.ok(names.some((n) => n.includes("spawn_agent")), names.join(","));
      assert.ok(names.every((n) => TOOL_NAME.test(n)), names.join(","));
      assert.ok(!JSON.stringify(sent[0].tools).includes("web_search"));
    });

    await t.step("a gpt-* model runs the shell tool and reads its output", async () => {
      const before = s.openai.chatRequests.length;
      const run = await codex("gpt-4.1", TOOL_PROMPT);
      assertShellRoundTrip(run);
      const sent = s.openai.chatRequests.slice(before).map((r) =>
        r.body as Record<string, unknown>
      );
      assert.equal(sent.length, 2, "the tool call, then the answer");
      const messages = sent[1].messages as Array<Record<string, unknown>>;
      const call = messages.findLast((m) => m.role === "assistant");
      const result = messages.at(-1) as Record<string, unknown>;
      assert.equal(result.role, "tool");
      assert.match(JSON.stringify(result.content), /5555/);
      const calls = call?.tool_calls as Array<{ id: string; function: { name: string } }>;
      assert.equal(calls[0].function.name, "exec_command");
      assert.equal(result.tool_call_id, calls[0].id);
    });

    await t.step("an upstream failure mid-stream ends the turn with the error", async () => {
      s.openai.script(streamReply(textDeltas(["Partial", " answer"]), { end: "drop" }));
      const started = Date.now();
      const run = await codex("gpt-4.1", "Say hello");
      assert.notEqual(run.code, 0, explainCodex(run));
      assert.ok(Date.now() - started < 20_000, "Codex gave up at once (no retries configured)");
      const failed = run.events.find((e) => e.type === "turn.failed");
      assert.ok(failed, explainCodex(run));
      // The gateway's response.failed event carried its message to Codex (not a bare disconnect).
      assert.match(JSON.stringify(failed.error), /upstream/i, JSON.stringify(failed));
      assert.equal(s.openai.remaining, 0);
    });

    await t.step(`${BEDROCK_CLAUDE} answers through Converse`, async () => {
      const before = s.bedrock.requests.length;
      const run = await codex(BEDROCK_CLAUDE, "Say hello");
      assertOk(run);
      assert.equal(run.lastMessage.trim(), "Hello from Bedrock.", explainCodex(run));
      const sent = s.bedrock.requests.slice(before);
      assert.deepEqual(sent.map((r) => [r.operation, r.modelId]), [[
        "converse-stream",
        BEDROCK_CLAUDE,
      ]]);
      const body = sent[0].body as Record<string, unknown>;
      assert.match(JSON.stringify(body.system), /Codex/);
      const specs = (body.toolConfig as { tools: Array<{ toolSpec: { name: string } }> }).tools;
      const names = specs.map((x) => x.toolSpec.name);
      assert.ok(names.includes("exec_command"), names.join(","));
      assert.ok(names.every((n) => TOOL_NAME.test(n)), names.join(","));
      // web_search, which Bedrock cannot run, was left out and the log says so.
      assert.ok(!JSON.stringify(body.toolConfig).includes("web_search"));
      const line = s.logs().findLast((l) => l.msg === "request" && l.model === BEDROCK_CLAUDE);
      assert.match(JSON.stringify(line), /web_search/, JSON.stringify(line));
    });

    await t.step(`${BEDROCK_CLAUDE} runs the shell tool and reads its output`, async () => {
      const before = s.bedrock.requests.length;
      const run = await codex(BEDROCK_CLAUDE, TOOL_PROMPT);
      assertShellRoundTrip(run);
      const sent = s.bedrock.requests.slice(before);
      assert.equal(sent.length, 2, "the tool call, then the answer");
      const messages = (sent[1].body as { messages: Array<{ role: string; content: unknown[] }> })
        .messages;
      const last = messages.at(-1)!;
      assert.equal(last.role, "user");
      assert.match(JSON.stringify(last.content), /"toolResult".*5555/s);
    });

    await t.step(`${BEDROCK_CLAUDE} with reasoning: the signed thinking is replayed`, async () => {
      const before = s.bedrock.requests.length;
      const run = await runCodex({
        gateway: s.url,
        apiKey: AGENTS_GATEWAY_KEY,
        model: BEDROCK_CLAUDE,
        prompt: TOOL_PROMPT,
        cwd: dir,
        config: { model_reasoning_effort: '"medium"' },
      });
      assertShellRoundTrip(run);
      const reasoning = run.events
        .filter((e) => e.type === "item.completed")
        .map((e) => e.item as Record<string, unknown>)
        .filter((item) => item.type === "reasoning");
      assert.match(JSON.stringify(reasoning), /I will call the tool/, explainCodex(run));
      const sent = s.bedrock.requests.slice(before).map((r) => r.body as Record<string, unknown>);
      assert.equal(sent.length, 2, "the tool call, then the answer");
      assert.ok(sent.every(thinkingOn), JSON.stringify(sent[0].additionalModelRequestFields));
      // Codex kept the reasoning item (store: false, include: reasoning.encrypted_content) and
      // sent it back; Claude gets its thinking again with the signature, before the tool use.
      const messages = sent[1].messages as Array<{ role: string; content: unknown[] }>;
      const assistant = messages.findLast((m) => m.role === "assistant")!;
      const [thought, use] = assistant.content as Array<Record<string, unknown>>;
      const thinking = (thought.reasoningContent as { reasoningText?: unknown })?.reasoningText;
      assert.deepEqual(
        thinking,
        scriptedThinking(String(
          (use?.toolUse as { toolUseId?: string })?.toolUseId,
        )),
        JSON.stringify(assistant.content),
      );
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("Codex CLI through an upstream that speaks Responses (passthrough)", async (t) => {
  await using s = await agentsGateway({ OPENAI_RESPONSES_API: "true" });
  const dir = Deno.makeTempDirSync({ prefix: "codex-work-" });
  const codex = (prompt: string) =>
    runCodex({ gateway: s.url, apiKey: AGENTS_GATEWAY_KEY, model: "gpt-4.1", prompt, cwd: dir });
  try {
    await t.step("a gpt-* model answers; the upstream gets Codex's body as sent", async () => {
      const run = await codex("Say hello");
      assertOk(run);
      assert.equal(run.lastMessage.trim(), "Hello from GPT Responses.", explainCodex(run));
      assert.equal(s.openai.chatRequests.length, 0);
      const sent = s.openai.responsesRequests.map((r) => r.body as Record<string, unknown>);
      assert.equal(sent.length, 1);
      const body = sent[0];
      assert.equal(body.model, "gpt-4.1");
      assert.equal(body.stream, true);
      assert.equal(body.store, false);
      assert.deepEqual(body.include, ["reasoning.encrypted_content"]);
      assert.equal(typeof body.prompt_cache_key, "string");
      assert.equal(typeof body.client_metadata, "object");
      const types = (body.tools as Array<{ type: string }>).map((x) => x.type);
      assert.ok(types.includes("namespace") && types.includes("web_search"), types.join(","));
      const input = body.input as Array<{ type?: string; role?: string }>;
      assert.equal(input[0].role, "developer");
    });

    await t.step("the shell tool round trip goes through natively", async () => {
      const before = s.openai.responsesRequests.length;
      const run = await codex(TOOL_PROMPT);
      assertShellRoundTrip(run);
      const sent = s.openai.responsesRequests.slice(before).map((r) =>
        r.body as { input: Array<Record<string, unknown>> }
      );
      assert.equal(sent.length, 2, "the tool call, then the answer");
      const [call, output] = sent[1].input.slice(-2);
      assert.equal(call.type, "function_call");
      assert.equal(call.name, "exec_command");
      assert.equal(output.type, "function_call_output");
      assert.equal(output.call_id, call.call_id);
      assert.match(String(output.output), /5555/);
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

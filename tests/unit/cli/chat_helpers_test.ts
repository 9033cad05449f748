/**
 * Small pure helpers of `chat`: SIGINT coalescing, model suggestions, the stats footer, the
 * one-prompt text from arguments and stdin, the cancelled-answer record and the prompt
 * history file format.
 */
import assert from "node:assert/strict";
import { CANCELLED_MARK, withCancelledAnswer, withUserMessage } from "../../../cli/chat_session.ts";
import { oneShotPrompt } from "../../../cli/commands/chat.ts";
import { newSession } from "../../../cli/history_store.ts";
import { coalesce } from "../../../cli/interrupts.ts";
import { isKnownModel, suggestModels } from "../../../cli/model_check.ts";
import { editDistance } from "../../../core/text/edit_distance.ts";
import { openPromptHistory, parsePromptHistory } from "../../../cli/prompt_history.ts";
import { formatStats } from "../../../cli/stats.ts";

Deno.test("coalesce: SIGINTs within 50 ms are one Ctrl-C, later ones count again", () => {
  let now = 0;
  let calls = 0;
  const handler = coalesce(() => calls++, 50, () => now);
  handler();
  now = 0.3;
  handler();
  assert.equal(calls, 1, "the task runner's forwarded copy is dropped");
  now = 49;
  handler();
  assert.equal(calls, 1);
  now = 400;
  handler();
  assert.equal(calls, 2, "a second press is seen");
});

Deno.test("model check: listed ids, inference profiles and ARNs; close names suggested", () => {
  const ids = ["gpt-4o", "gpt-4o-mini", "mock-echo", "anthropic.claude-3-haiku-20240307-v1:0"];
  assert.ok(isKnownModel("gpt-4o", ids));
  assert.ok(isKnownModel("us.anthropic.claude-3-haiku-20240307-v1:0", ids));
  assert.ok(isKnownModel("arn:aws:bedrock:us-east-1:1:inference-profile/x", ids));
  assert.ok(!isKnownModel("gpt4o", ids));
  assert.ok(!isKnownModel("us.nothing", ids));
  assert.deepEqual(suggestModels("gpt4o", ids), ["gpt-4o", "gpt-4o-mini"]);
  assert.deepEqual(suggestModels("mock-ech", ids), ["mock-echo"]);
  assert.deepEqual(suggestModels("MOCK-ECHO", ids), ["mock-echo"]);
  assert.deepEqual(suggestModels("zzzzzzzz", ids), []);
  assert.equal(editDistance("kitten", "sitting"), 3);
});

Deno.test("formatStats: tokens, first token and total", () => {
  assert.equal(
    formatStats({
      usage: { prompt_tokens: 12, completion_tokens: 34 },
      firstTokenMs: 120.4,
      totalMs: 1500,
    }),
    "[12 prompt + 34 completion tokens · first token 120 ms · total 1.50 s]",
  );
  assert.equal(formatStats({ totalMs: 80 }), "[tokens not reported · total 80 ms]");
});

Deno.test("oneShotPrompt: arguments, then stdin after a blank line; indentation kept", () => {
  assert.equal(oneShotPrompt("Summarize:", "some text\n"), "Summarize:\n\nsome text");
  assert.equal(oneShotPrompt("just args", ""), "just args");
  assert.equal(oneShotPrompt("", "\n\n    indented code\n  more\n\n"), "    indented code\n  more");
  assert.equal(oneShotPrompt("", " \n"), "");
});

Deno.test("withCancelledAnswer keeps the partial answer, marked", () => {
  const asked = withUserMessage(newSession("m", undefined), "q");
  assert.deepEqual(withCancelledAnswer(asked, "partial ").messages.at(-1), {
    role: "assistant",
    content: `partial ${CANCELLED_MARK}`,
  });
  assert.deepEqual(withCancelledAnswer(asked, "").messages.at(-1), {
    role: "assistant",
    content: CANCELLED_MARK,
  });
});

Deno.test("prompt history: one JSON string per line, duplicates in a row once, file 0600", async () => {
  assert.deepEqual(parsePromptHistory('"a"\n"b\\nc"\nnot json\n42\n'), ["a", "b\nc"]);
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/sub/prompts`;
    const h = await openPromptHistory(path);
    await h.add("first");
    await h.add("two\n  lines");
    await h.add("two\n  lines");
    await h.add("   ");
    assert.deepEqual(h.entries(), ["first", "two\n  lines"]);
    const again = await openPromptHistory(path);
    assert.deepEqual(again.entries(), ["first", "two\n  lines"]);
    if (Deno.build.os !== "windows") assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

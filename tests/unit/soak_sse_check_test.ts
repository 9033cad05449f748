/**
 * The soak's stream check: a whole OpenAI SSE stream passes however it is split; a missing or
 * unterminated `[DONE]`, an error event, data after `[DONE]` or a wrong event count fails.
 */
import assert from "node:assert/strict";
import { SseEndCheck } from "../performance/sse_end_check.ts";

const chunk = (i: number) =>
  `data: {"id":"c","object":"chat.completion.chunk","choices":[{"delta":{"content":"w${i}"}}]}\n\n`;
const whole = [chunk(0), chunk(1), chunk(2), "data: [DONE]\n\n"].join("");

function run(text: string, pieces: number, expected?: number): string | undefined {
  const check = new SseEndCheck(expected);
  const size = Math.ceil(text.length / pieces);
  for (let i = 0; i < text.length; i += size) check.push(text.slice(i, i + size));
  return check.finish();
}

Deno.test("soak SSE check: a whole stream passes however it is split", () => {
  for (const pieces of [1, 2, 7, whole.length]) assert.equal(run(whole, pieces, 3), undefined);
  assert.equal(run(whole.replaceAll("\n", "\r\n"), 5, 3), undefined);
  const check = new SseEndCheck();
  check.push(whole);
  assert.equal(check.finish(), undefined);
  assert.equal(check.dataEvents, 3);
});

Deno.test("soak SSE check: broken streams are reported", () => {
  assert.match(run(chunk(0) + chunk(1), 3)!, /without data: \[DONE\] after 2 events/);
  assert.match(run(chunk(0) + "data: [DONE]", 1)!, /mid-line/);
  assert.match(run(chunk(0) + "data: [DONE]\n", 1)!, /without the blank line/);
  assert.match(run(whole, 4, 20)!, /3 data events, expected 20/);
  assert.match(run(whole + chunk(3), 2)!, /data after \[DONE\]/);
  const openaiError = `data: {"error":{"message":"upstream failed","type":"api_error"}}\n\n`;
  assert.match(run(chunk(0) + openaiError + "data: [DONE]\n\n", 3)!, /error event: .*upstream/);
  assert.match(run(chunk(0) + "event: error\ndata: {}\n\n", 2)!, /^error event$/);
});

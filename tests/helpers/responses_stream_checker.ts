/**
 * Checks that a sequence of Responses API stream events is one the official SDK's
 * `responses.stream()` can accumulate: `sequence_number` 0, 1, 2…; `response.created` first,
 * then `response.in_progress`; output items added at `output_index` 0, 1, 2… and each closed by
 * `response.output_item.done` (same id) before the next opens; every part / summary / arguments
 * event on the open item, with its `item_id`; a message's parts opened by
 * `content_part.added`, their deltas concatenating to the `.done` text and the
 * `content_part.done` part; reasoning summary deltas concatenating to the summary `.done` text;
 * function-call argument deltas concatenating to `.done` arguments; exactly one terminal event
 * (`response.completed` / `response.incomplete` / `response.failed`) last, whose Response has
 * the same id as `response.created` and (unless failed) the finished items in order.
 *
 * Accepts event objects or parsed SSE frames (`{event, data}`, where `event` must equal the
 * data's `type`). Throws an AssertionError naming the event at fault; returns a summary.
 */
import assert from "node:assert/strict";
import type { SseEvent } from "./sse.ts";

/** What a checked stream said. */
export interface ResponsesStreamSummary {
  /** The terminal event's type. */
  terminal: "response.completed" | "response.incomplete" | "response.failed";
  /** The terminal Response. */
  response: Record<string, unknown>;
  /** The output_text of every message, concatenated. */
  text: string;
  /** Reasoning summaries, concatenated. */
  reasoning: string;
  calls: Array<{ call_id: string; name: string; arguments: string }>;
  itemTypes: string[];
  types: string[];
}

type Ev = Record<string, unknown> & { type: string };

const TERMINAL = new Set(["response.completed", "response.incomplete", "response.failed"]);

function toEvents(input: ReadonlyArray<Ev | SseEvent>): Ev[] {
  return input.map((entry, i) => {
    if ("data" in entry && typeof entry.data === "string" && !("type" in entry)) {
      const data = JSON.parse(entry.data) as Ev;
      assert.equal(entry.event, data.type, `event ${i}: the SSE name must equal its type`);
      return data;
    }
    return entry as Ev;
  });
}

/** Checks a Responses event stream; see the module comment. */
export function checkResponsesStream(
  input: ReadonlyArray<Ev | SseEvent>,
): ResponsesStreamSummary {
  const events = toEvents(input);
  assert.ok(events.length >= 3, "a stream has at least created, in_progress and a terminal event");
  events.forEach((e, i) => assert.equal(e.sequence_number, i, `event ${i} (${e.type}) sequence`));
  assert.equal(events[0].type, "response.created");
  assert.equal(events[1].type, "response.in_progress");
  const id = (events[0].response as { id: string }).id;
  assert.match(id, /^resp_/);
  const summary: ResponsesStreamSummary = {
    terminal: "response.completed",
    response: {},
    text: "",
    reasoning: "",
    calls: [],
    itemTypes: [],
    types: events.map((e) => e.type),
  };
  const done: Ev[] = [];
  let open: (Ev & { id: string }) | undefined;
  let openIndex = -1;
  let part: { index: number; text: string; type: string } | undefined;
  let summaryPart: { index: number; text: string } | undefined;
  let args = "";
  for (let i = 2; i < events.length; i++) {
    const e = events[i];
    const at = `event ${i} (${e.type})`;
    if (TERMINAL.has(e.type)) {
      assert.equal(i, events.length - 1, `${at}: the terminal event must be last`);
      const response = e.response as Record<string, unknown>;
      assert.equal(response.id, id, `${at}: the Response id changes`);
      summary.terminal = e.type as ResponsesStreamSummary["terminal"];
      summary.response = response;
      if (e.type !== "response.failed") {
        assert.equal(open, undefined, `${at}: an item is still open`);
        const output = response.output as Array<{ id: string }>;
        assert.deepEqual(output.map((o) => o.id), done.map((d) => d.id), `${at}: output items`);
        assert.equal(response.status, e.type === "response.completed" ? "completed" : "incomplete");
      } else {
        const error = response.error as { code?: unknown; message?: unknown } | null;
        assert.equal(typeof error?.code, "string", `${at}: error.code`);
        assert.equal(typeof error?.message, "string", `${at}: error.message`);
      }
      continue;
    }
    if (e.type === "response.output_item.added") {
      assert.equal(open, undefined, `${at}: the previous item is still open`);
      assert.equal(e.output_index, done.length, `${at}: output_index`);
      open = e.item as Ev & { id: string };
      openIndex = done.length;
      assert.ok(typeof open.id === "string" && open.id !== "", `${at}: item id`);
      args = "";
      continue;
    }
    assert.ok(open !== undefined, `${at}: no item is open`);
    assert.equal(e.output_index, openIndex, `${at}: output_index`);
    if (e.type === "response.output_item.done") {
      const item = e.item as Ev & { id: string };
      assert.equal(item.id, open.id, `${at}: item id`);
      assert.equal(part, undefined, `${at}: a content part is still open`);
      assert.equal(summaryPart, undefined, `${at}: a summary part is still open`);
      if (item.type === "function_call") {
        assert.equal(item.arguments, args, `${at}: arguments`);
        summary.calls.push({
          call_id: String(item.call_id),
          name: String(item.name),
          arguments: String(item.arguments),
        });
      }
      done.push(item);
      summary.itemTypes.push(item.type);
      open = undefined;
      continue;
    }
    assert.equal(e.item_id, open.id, `${at}: item_id`);
    switch (e.type) {
      case "response.content_part.added":
        assert.equal(open.type, "message", `${at}: parts belong to messages`);
        assert.equal(part, undefined, `${at}: a part is still open`);
        part = {
          index: Number(e.content_index),
          text: "",
          type: String((e.part as Ev).type),
        };
        break;
      case "response.output_text.delta":
      case "response.refusal.delta":
        assert.ok(part !== undefined && part.index === e.content_index, `${at}: content_index`);
        part.text += String(e.delta);
        break;
      case "response.output_text.done":
        assert.ok(part !== undefined && part.type === "output_text", `${at}: no text part`);
        assert.equal(e.text, part.text, `${at}: deltas concatenate to the text`);
        summary.text += part.text;
        break;
      case "response.refusal.done":
        assert.ok(part !== undefined && part.type === "refusal", `${at}: no refusal part`);
        assert.equal(e.refusal, part.text, `${at}: deltas concatenate to the refusal`);
        break;
      case "response.content_part.done": {
        assert.ok(part !== undefined && part.index === e.content_index, `${at}: content_index`);
        const p = e.part as Ev;
        assert.equal(p.type === "refusal" ? p.refusal : p.text, part.text, `${at}: part text`);
        part = undefined;
        break;
      }
      case "response.reasoning_summary_part.added":
        assert.equal(open.type, "reasoning", `${at}: summaries belong to reasoning`);
        summaryPart = { index: Number(e.summary_index), text: "" };
        break;
      case "response.reasoning_summary_text.delta":
        assert.ok(
          summaryPart !== undefined && summaryPart.index === e.summary_index,
          `${at}: summary_index`,
        );
        summaryPart.text += String(e.delta);
        break;
      case "response.reasoning_summary_text.done":
        assert.ok(summaryPart !== undefined, `${at}: no summary part`);
        assert.equal(e.text, summaryPart.text, `${at}: deltas concatenate to the summary`);
        summary.reasoning += summaryPart.text;
        break;
      case "response.reasoning_summary_part.done":
        assert.ok(summaryPart !== undefined, `${at}: no summary part`);
        assert.equal((e.part as Ev).text, summaryPart.text, `${at}: part text`);
        summaryPart = undefined;
        break;
      case "response.function_call_arguments.delta":
        assert.equal(open.type, "function_call", `${at}: arguments belong to function calls`);
        args += String(e.delta);
        break;
      case "response.function_call_arguments.done":
        assert.equal(e.arguments, args, `${at}: deltas concatenate to the arguments`);
        break;
      default:
        assert.fail(`${at}: unexpected event type`);
    }
  }
  assert.ok(TERMINAL.has(events.at(-1)!.type), "the stream must end with a terminal event");
  return summary;
}

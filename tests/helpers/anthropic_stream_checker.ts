/**
 * Checks that a sequence of Anthropic streaming events is one an Anthropic client can read:
 * exactly one `message_start` first; content blocks indexed 0, 1, 2… each opened by
 * `content_block_start`, closed by `content_block_stop` before the next opens; every delta on the
 * open block and of its block's kind (text → `text_delta`/`citations_delta`, tool_use →
 * `input_json_delta` whose concatenation is a JSON object, thinking → `thinking_delta` /
 * `signature_delta`, redacted_thinking → none); then exactly one `message_delta` with a valid
 * stop_reason and numeric `usage.output_tokens`; `message_stop` last. `ping` may appear anywhere
 * after `message_start`. With `allowError`, a stream may instead end with one `error` event.
 *
 * Accepts event objects (`{type, …}`) or parsed SSE frames (`{event, data}`, where `event` must
 * equal `data.type`). Throws an AssertionError naming the event at fault; returns a summary.
 */
import assert from "node:assert/strict";

/** What a checked stream said. */
export interface AnthropicStreamSummary {
  text: string;
  thinking: string;
  signatures: string[];
  toolCalls: Array<{ id: string; name: string; input: unknown }>;
  blockTypes: string[];
  stopReason: string | null;
  stopSequence: string | null;
  usage: Record<string, unknown>;
  inputTokens: number;
  error?: { type: string; message: string };
}

const STOP_REASONS = new Set([
  "end_turn",
  "max_tokens",
  "stop_sequence",
  "tool_use",
  "pause_turn",
  "refusal",
  "model_context_window_exceeded",
]);

const DELTAS: Record<string, Set<string>> = {
  text: new Set(["text_delta", "citations_delta"]),
  tool_use: new Set(["input_json_delta"]),
  thinking: new Set(["thinking_delta", "signature_delta"]),
  redacted_thinking: new Set(),
};

type Event = { type: string; [k: string]: unknown };

function normalize(raw: unknown, i: number): Event {
  assert.ok(typeof raw === "object" && raw !== null, `event ${i} is not an object`);
  const frame = raw as { event?: unknown; data?: unknown; type?: unknown };
  if (frame.event !== undefined && frame.data !== undefined) {
    const data = typeof frame.data === "string" ? JSON.parse(frame.data) : frame.data;
    assert.equal(frame.event, data.type, `event ${i}: SSE event name differs from data.type`);
    return data as Event;
  }
  assert.equal(typeof frame.type, "string", `event ${i} has no type`);
  return raw as Event;
}

/**
 * Validates an Anthropic event stream (see the module comment) and summarises it.
 *
 * @example
 * const summary = checkAnthropicStream(events);
 * assert.equal(summary.text, "Hello");
 */
export function checkAnthropicStream(
  rawEvents: readonly unknown[],
  options: { allowError?: boolean } = {},
): AnthropicStreamSummary {
  const events = rawEvents.map(normalize);
  assert.ok(events.length >= 3, `too few events (${events.length})`);
  const summary: AnthropicStreamSummary = {
    text: "",
    thinking: "",
    signatures: [],
    toolCalls: [],
    blockTypes: [],
    stopReason: null,
    stopSequence: null,
    usage: {},
    inputTokens: 0,
  };
  let open:
    | { index: number; type: string; json: string; tool?: { id: string; name: string } }
    | undefined;
  let phase: "start" | "blocks" | "delta" | "stop" = "start";
  events.forEach((event, i) => {
    const at = `event ${i} (${event.type})`;
    if (i === 0) {
      assert.equal(event.type, "message_start", `${at}: the first event must be message_start`);
    }
    assert.ok(phase !== "stop", `${at}: nothing may follow message_stop`);
    switch (event.type) {
      case "message_start": {
        assert.equal(i, 0, `${at}: message_start must come once, first`);
        const message = event.message as Record<string, unknown>;
        assert.equal(message.type, "message", `${at}: message.type`);
        assert.equal(message.role, "assistant", `${at}: message.role`);
        assert.ok(typeof message.id === "string" && message.id !== "", `${at}: message.id`);
        assert.deepEqual(message.content, [], `${at}: message.content must be empty`);
        const usage = message.usage as Record<string, unknown>;
        assert.equal(typeof usage?.input_tokens, "number", `${at}: usage.input_tokens`);
        summary.inputTokens = usage.input_tokens as number;
        phase = "blocks";
        return;
      }
      case "ping":
        return;
      case "content_block_start": {
        assert.equal(phase, "blocks", `${at}: block after message_delta`);
        assert.equal(open, undefined, `${at}: block ${open?.index} is still open`);
        assert.equal(
          event.index,
          summary.blockTypes.length,
          `${at}: block indexes must be consecutive from 0`,
        );
        const block = event.content_block as Record<string, unknown>;
        const type = String(block?.type);
        assert.ok(type in DELTAS, `${at}: unknown block type ${type}`);
        if (type === "tool_use") {
          assert.equal(typeof block.id, "string", `${at}: tool_use.id`);
          assert.equal(typeof block.name, "string", `${at}: tool_use.name`);
          assert.deepEqual(block.input, {}, `${at}: tool_use.input must start empty`);
        }
        if (type === "text") assert.equal(block.text, "", `${at}: text must start empty`);
        if (type === "thinking") {
          assert.equal(block.thinking, "", `${at}: thinking must start empty`);
        }
        if (type === "redacted_thinking") assert.equal(typeof block.data, "string", `${at}: data`);
        summary.blockTypes.push(type);
        open = {
          index: event.index as number,
          type,
          json: "",
          ...(type === "tool_use"
            ? { tool: { id: block.id as string, name: block.name as string } }
            : {}),
        };
        return;
      }
      case "content_block_delta": {
        assert.ok(open !== undefined, `${at}: no open block`);
        assert.equal(event.index, open.index, `${at}: delta for a block that is not open`);
        const delta = event.delta as Record<string, unknown>;
        assert.ok(
          DELTAS[open.type].has(String(delta?.type)),
          `${at}: ${delta?.type} in a ${open.type} block`,
        );
        if (delta.type === "text_delta") summary.text += delta.text as string;
        if (delta.type === "thinking_delta") summary.thinking += delta.thinking as string;
        if (delta.type === "signature_delta") summary.signatures.push(delta.signature as string);
        if (delta.type === "input_json_delta") {
          assert.equal(typeof delta.partial_json, "string", `${at}: partial_json`);
          open.json += delta.partial_json as string;
        }
        return;
      }
      case "content_block_stop": {
        assert.ok(open !== undefined, `${at}: no open block`);
        assert.equal(event.index, open.index, `${at}: stop for a block that is not open`);
        if (open.tool !== undefined) {
          const input = open.json === "" ? {} : JSON.parse(open.json);
          assert.ok(
            typeof input === "object" && input !== null && !Array.isArray(input),
            `${at}: tool input is not a JSON object`,
          );
          summary.toolCalls.push({ ...open.tool, input });
        }
        open = undefined;
        return;
      }
      case "message_delta": {
        assert.equal(phase, "blocks", `${at}: message_delta must come once`);
        assert.equal(open, undefined, `${at}: block ${open?.index} is still open`);
        const delta = event.delta as Record<string, unknown>;
        assert.ok(
          STOP_REASONS.has(String(delta?.stop_reason)),
          `${at}: stop_reason ${delta?.stop_reason}`,
        );
        assert.ok(
          delta.stop_sequence === null || typeof delta.stop_sequence === "string",
          `${at}: stop_sequence`,
        );
        if (delta.stop_reason === "stop_sequence") {
          assert.equal(typeof delta.stop_sequence, "string", `${at}: stop_sequence missing`);
        }
        const usage = event.usage as Record<string, unknown>;
        assert.equal(typeof usage?.output_tokens, "number", `${at}: usage.output_tokens`);
        summary.stopReason = delta.stop_reason as string;
        summary.stopSequence = delta.stop_sequence as string | null;
        summary.usage = usage;
        phase = "delta";
        return;
      }
      case "message_stop":
        assert.equal(phase, "delta", `${at}: message_stop must follow message_delta`);
        phase = "stop";
        return;
      case "error": {
        assert.ok(options.allowError === true, `${at}: unexpected error event`);
        assert.equal(i, events.length - 1, `${at}: error must be the last event`);
        const error = event.error as { type: string; message: string };
        assert.equal(typeof error?.type, "string", `${at}: error.type`);
        assert.equal(typeof error?.message, "string", `${at}: error.message`);
        summary.error = error;
        phase = "stop";
        return;
      }
      default:
        assert.fail(`${at}: unknown event type`);
    }
  });
  assert.equal(phase, "stop", "the stream must end with message_stop (or an error)");
  return summary;
}

/**
 * Non-streamed responses canonical ⇄ Anthropic message, stop reasons, usage and error envelopes.
 */
import assert from "node:assert/strict";
import {
  claudeToOpenAIResponse,
  openaiToClaudeResponse,
} from "../../../../core/formats/bedrock_claude/response.ts";
import {
  claudeFinishReason,
  claudeStopReason,
} from "../../../../core/formats/bedrock_claude/stop_reason.ts";
import {
  claudeUsageToOpenAI,
  openAIUsageToClaude,
} from "../../../../core/formats/bedrock_claude/usage.ts";
import {
  anthropicErrorBody,
  kindOfAnthropicError,
} from "../../../../core/formats/bedrock_claude/errors.ts";
import { codecOf, type FormatName } from "../../../../core/formats/registry.ts";

const errorBodyFor = (format: FormatName, error: GatewayError) => codecOf(format).errorBody(error);
import { type ErrorKind, GatewayError } from "../../../../core/errors.ts";
import type { ClaudeResponse } from "../../../../core/formats/bedrock_claude/schema.ts";
import type {
  ChatCompletion,
  FinishReason,
  ResponseMessage,
} from "../../../../core/formats/openai/schema.ts";

const completion = (
  message: Partial<ResponseMessage>,
  finish: FinishReason | null = "stop",
  extra: Record<string, unknown> = {},
): ChatCompletion => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o",
  choices: [{
    index: 0,
    message: { role: "assistant", content: null, refusal: null, ...message },
    finish_reason: finish,
    ...extra,
  }],
  usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
});

const ctx = { newId: (prefix: string) => `${prefix}01` };

Deno.test("openaiToClaudeResponse", async (t) => {
  await t.step("text → one text block, end_turn, usage", () => {
    assert.deepStrictEqual(openaiToClaudeResponse(completion({ content: "Hi" }), ctx), {
      id: "msg_01",
      type: "message",
      role: "assistant",
      content: [{ type: "text", text: "Hi" }],
      model: "gpt-4o",
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 4 },
    });
  });
  await t.step("reasoning + text + tool calls (invalid arguments → {})", () => {
    const out = openaiToClaudeResponse(
      completion({
        content: "Checking.",
        reasoning_content: "think",
        reasoning_signature: "sig",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } },
          { id: "c2", type: "function", function: { name: "g", arguments: "not json" } },
        ],
      }, "tool_calls"),
      { ...ctx, model: "client-model" },
    );
    assert.deepStrictEqual(out.content, [
      { type: "thinking", thinking: "think", signature: "sig" },
      { type: "text", text: "Checking." },
      { type: "tool_use", id: "c1", name: "f", input: { a: 1 } },
      { type: "tool_use", id: "c2", name: "g", input: {} },
    ]);
    assert.equal(out.stop_reason, "tool_use");
    assert.equal(out.model, "client-model");
  });
  await t.step("reasoning_details give exact thinking and redacted blocks", () => {
    const out = openaiToClaudeResponse(
      completion({
        content: "",
        reasoning_details: [
          { type: "reasoning.text", text: "a", signature: "s" },
          { type: "reasoning.encrypted", data: "R" },
        ],
      }),
      ctx,
    );
    assert.deepStrictEqual(out.content, [
      { type: "thinking", thinking: "a", signature: "s" },
      { type: "redacted_thinking", data: "R" },
    ]);
  });
  await t.step("content_filter → refusal with the refusal text", () => {
    const out = openaiToClaudeResponse(completion({ refusal: "No." }, "content_filter"), ctx);
    assert.equal(out.stop_reason, "refusal");
    assert.deepStrictEqual(out.content, [{ type: "text", text: "No." }]);
  });
  await t.step("a vLLM-style stop_reason string → stop_sequence", () => {
    const out = openaiToClaudeResponse(
      completion({ content: "1 2 3" }, "stop", { stop_reason: "4" }),
      ctx,
    );
    assert.equal(out.stop_reason, "stop_sequence");
    assert.equal(out.stop_sequence, "4");
  });
  await t.step("cached tokens → cache_read_input_tokens; no usage → zeros; no choices", () => {
    const c = completion({ content: "x" }, "length");
    c.usage = {
      prompt_tokens: 110,
      completion_tokens: 5,
      total_tokens: 115,
      prompt_tokens_details: { cached_tokens: 100 },
    };
    const out = openaiToClaudeResponse(c, ctx);
    assert.deepStrictEqual(out.usage, {
      input_tokens: 10,
      output_tokens: 5,
      cache_read_input_tokens: 100,
    });
    assert.equal(out.stop_reason, "max_tokens");
    const empty = openaiToClaudeResponse({ ...c, choices: [], usage: undefined }, ctx);
    assert.deepStrictEqual(empty.content, []);
    assert.deepStrictEqual(empty.usage, { input_tokens: 0, output_tokens: 0 });
  });
});

Deno.test("claudeToOpenAIResponse", async (t) => {
  const message: ClaudeResponse = {
    id: "msg_bdrk_1",
    type: "message",
    role: "assistant",
    model: "claude",
    content: [
      { type: "thinking", thinking: "t", signature: "s" },
      { type: "text", text: "Hello " },
      { type: "text", text: "there" },
      { type: "tool_use", id: "toolu_1", name: "f", input: { x: 0 } },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: { input_tokens: 5, output_tokens: 7, cache_creation_input_tokens: 20 },
  };
  await t.step("text joined, tool calls, reasoning, usage", () => {
    assert.deepStrictEqual(claudeToOpenAIResponse(message, { id: "chatcmpl-9", created: 3 }), {
      id: "chatcmpl-9",
      object: "chat.completion",
      created: 3,
      model: "claude",
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: "Hello there",
          refusal: null,
          tool_calls: [{
            id: "toolu_1",
            type: "function",
            function: { name: "f", arguments: '{"x":0}' },
          }],
          reasoning_content: "t",
          reasoning_signature: "s",
          reasoning_details: [{ type: "reasoning.text", text: "t", signature: "s" }],
        },
        finish_reason: "tool_calls",
        logprobs: null,
      }],
      usage: {
        prompt_tokens: 25,
        completion_tokens: 7,
        total_tokens: 32,
        prompt_tokens_details: { cache_creation_tokens: 20 },
      },
    });
  });
  await t.step("stop_sequence survives Claude → canonical → Claude", () => {
    const stopped: ClaudeResponse = {
      ...message,
      content: [{ type: "text", text: "a" }],
      stop_reason: "stop_sequence",
      stop_sequence: "END",
    };
    const back = openaiToClaudeResponse(
      claudeToOpenAIResponse(stopped, { id: "c", created: 0 }),
      ctx,
    );
    assert.equal(back.stop_reason, "stop_sequence");
    assert.equal(back.stop_sequence, "END");
    assert.deepStrictEqual(back.usage, message.usage);
  });
  await t.step("no text blocks → content null", () => {
    const out = claudeToOpenAIResponse({ ...message, content: [] }, { id: "c", created: 0 });
    assert.equal(out.choices[0].message.content, null);
  });
});

Deno.test("stop reasons both ways", async (t) => {
  const rows: Array<[string | null, FinishReason]> = [
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["something_new", "stop"],
    [null, "stop"],
  ];
  for (const [stop, finish] of rows) {
    await t.step(`${stop} → ${finish}`, () => assert.equal(claudeFinishReason(stop), finish));
  }
  const back: Array<[FinishReason | null, string]> = [
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["tool_calls", "tool_use"],
    ["function_call", "tool_use"],
    ["content_filter", "refusal"],
    [null, "end_turn"],
  ];
  for (const [finish, stop] of back) {
    await t.step(`${finish} → ${stop}`, () => assert.equal(claudeStopReason(finish), stop));
  }
});

Deno.test("usage both ways is exact with cache reads and writes", () => {
  const claude = {
    input_tokens: 3,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 7,
  };
  const openai = claudeUsageToOpenAI(claude);
  assert.deepStrictEqual(openai, {
    prompt_tokens: 10,
    completion_tokens: 0,
    total_tokens: 10,
    prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 7 },
  });
  assert.deepStrictEqual(openAIUsageToClaude(openai), claude);
});

Deno.test("error envelopes", async (t) => {
  const rows: Array<[ErrorKind, string | undefined, string]> = [
    ["invalid_request", undefined, "invalid_request_error"],
    ["auth", undefined, "authentication_error"],
    ["permission", undefined, "permission_error"],
    ["not_found", undefined, "not_found_error"],
    ["not_found", "model_not_found", "not_found_error"],
    ["too_large", undefined, "request_too_large"],
    ["rate_limited", undefined, "rate_limit_error"],
    ["upstream", undefined, "api_error"],
    ["unavailable", undefined, "overloaded_error"],
    ["unavailable", "provider_not_configured", "api_error"],
    ["timeout", undefined, "timeout_error"],
    ["internal", undefined, "api_error"],
    ["method_not_allowed", undefined, "invalid_request_error"],
  ];
  for (const [kind, code, type] of rows) {
    await t.step(`${kind}${code ? `/${code}` : ""} → ${type}`, () => {
      const error = new GatewayError(kind, "msg", code === undefined ? {} : { code });
      assert.deepStrictEqual(anthropicErrorBody(error), {
        type: "error",
        error: { type, message: "msg" },
      });
    });
  }
  await t.step("codec errorBody: OpenAI envelope for openai and bedrock_titan", () => {
    const error = new GatewayError("invalid_request", "bad", { param: "inputText" });
    const openai = {
      error: {
        message: "bad",
        type: "invalid_request_error",
        param: "inputText",
        code: "invalid_value",
      },
    };
    assert.deepStrictEqual(errorBodyFor("openai", error), openai);
    assert.deepStrictEqual(errorBodyFor("bedrock_titan", error), openai);
    assert.deepStrictEqual(errorBodyFor("bedrock_claude", error), {
      type: "error",
      error: { type: "invalid_request_error", message: "bad" },
    });
  });
  await t.step("Anthropic types back to kinds", () => {
    assert.equal(kindOfAnthropicError("rate_limit_error"), "rate_limited");
    assert.equal(kindOfAnthropicError("timeout_error"), "timeout");
    assert.equal(kindOfAnthropicError("brand_new_error"), "upstream");
    assert.equal(kindOfAnthropicError(undefined), "upstream");
  });
});

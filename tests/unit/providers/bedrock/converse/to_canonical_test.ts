/** Table tests: Converse responses, stop reasons and usage → OpenAI; model capabilities. */
import assert from "node:assert/strict";
import {
  type ConverseResponseContext,
  fromConverseResponse,
} from "../../../../../core/providers/bedrock/converse/to_canonical.ts";
import { converseFinishReason } from "../../../../../core/providers/bedrock/converse/finish_reason.ts";
import { converseUsage } from "../../../../../core/providers/bedrock/converse/usage.ts";
import type { ConverseResponse } from "../../../../../core/providers/bedrock/converse/wire.ts";
import type {
  ChatCompletion,
  FinishReason,
  Usage,
} from "../../../../../core/formats/openai/schema.ts";
import {
  bareModelId,
  BEDROCK_CATALOG,
  capabilitiesFor,
  DEFAULT_CAPABILITIES,
} from "../../../../../core/providers/bedrock/capabilities.ts";

Deno.test("stopReason → finish_reason", async (t) => {
  const rows: Array<[string | undefined, FinishReason]> = [
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["malformed_tool_use", "tool_calls"],
    ["guardrail_intervened", "content_filter"],
    ["content_filtered", "content_filter"],
    ["malformed_model_output", "stop"],
    ["something_new", "stop"],
    [undefined, "stop"],
  ];
  for (const [input, expected] of rows) {
    await t.step(`${input ?? "missing"} → ${expected}`, () => {
      assert.equal(converseFinishReason(input), expected);
    });
  }
});

Deno.test("Converse usage → OpenAI usage", async (t) => {
  const rows: Array<{ name: string; input: Parameters<typeof converseUsage>; expected: Usage }> = [
    {
      name: "plain counts",
      input: [{ inputTokens: 10, outputTokens: 5, totalTokens: 15 }],
      expected: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    },
    {
      name: "cache reads and writes count as prompt tokens; reads are cached_tokens",
      input: [{
        inputTokens: 10,
        outputTokens: 5,
        cacheReadInputTokens: 100,
        cacheWriteInputTokens: 7,
      }],
      expected: {
        prompt_tokens: 117,
        completion_tokens: 5,
        total_tokens: 122,
        prompt_tokens_details: { cached_tokens: 100 },
      },
    },
    {
      name: "zero cache reads are reported as 0, not omitted",
      input: [{ inputTokens: 1, outputTokens: 1, cacheReadInputTokens: 0 }],
      expected: {
        prompt_tokens: 1,
        completion_tokens: 1,
        total_tokens: 2,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    },
    {
      name: "reasoning tokens when known",
      input: [{ inputTokens: 1, outputTokens: 9 }, 4],
      expected: {
        prompt_tokens: 1,
        completion_tokens: 9,
        total_tokens: 10,
        completion_tokens_details: { reasoning_tokens: 4 },
      },
    },
    {
      name: "missing counts are 0",
      input: [{}],
      expected: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () => assert.deepStrictEqual(converseUsage(...row.input), row.expected));
  }
});

const ctx: ConverseResponseContext = {
  id: "chatcmpl-test",
  created: 1_700_000_000,
  model: "us.anthropic.claude-sonnet-4-20250514-v1:0",
  toolNameMap: { get_weather_2: "get.weather" },
};
const usage = { inputTokens: 3, outputTokens: 2, totalTokens: 5 };

function completion(
  message: Partial<ChatCompletion["choices"][0]["message"]>,
  finish: FinishReason,
): ChatCompletion {
  return {
    id: ctx.id,
    object: "chat.completion",
    created: ctx.created,
    model: ctx.model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: null, refusal: null, ...message },
      finish_reason: finish,
      logprobs: null,
    }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  };
}

Deno.test("Converse response → chat.completion", async (t) => {
  const rows: Array<{
    name: string;
    input: ConverseResponse;
    ctx?: Partial<ConverseResponseContext>;
    expected: ChatCompletion;
  }> = [
    {
      name: "text blocks concatenated, end_turn → stop",
      input: {
        output: { message: { role: "assistant", content: [{ text: "Hel" }, { text: "lo" }] } },
        stopReason: "end_turn",
        usage,
      },
      expected: completion({ role: "assistant", content: "Hello" }, "stop"),
    },
    {
      name: "tool calls: JSON-string arguments, toolUseId as id, names mapped back",
      input: {
        output: {
          message: {
            role: "assistant",
            content: [
              { text: "Let me check." },
              {
                toolUse: {
                  toolUseId: "tooluse_1",
                  name: "get_weather_2",
                  input: { city: "Paris" },
                },
              },
              { toolUse: { toolUseId: "tooluse_2", name: "other", input: {} } },
            ],
          },
        },
        stopReason: "tool_use",
        usage,
      },
      expected: completion({
        role: "assistant",
        content: "Let me check.",
        tool_calls: [
          {
            id: "tooluse_1",
            type: "function",
            function: { name: "get.weather", arguments: '{"city":"Paris"}' },
          },
          { id: "tooluse_2", type: "function", function: { name: "other", arguments: "{}" } },
        ],
      }, "tool_calls"),
    },
    {
      name: "only tool calls → content null",
      input: {
        output: {
          message: { content: [{ toolUse: { toolUseId: "t", name: "f", input: { a: 1 } } }] },
        },
        stopReason: "tool_use",
        usage,
      },
      expected: completion({
        role: "assistant",
        content: null,
        tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
      }, "tool_calls"),
    },
    {
      name: "reasoning → reasoning_content, signature and exact details for replay",
      input: {
        output: {
          message: {
            content: [
              { reasoningContent: { reasoningText: { text: "Think ", signature: "s1" } } },
              { reasoningContent: { redactedContent: new Uint8Array([1, 2, 3]) } },
              { reasoningContent: { reasoningText: { text: "more", signature: "s2" } } },
              { text: "42" },
            ],
          },
        },
        stopReason: "end_turn",
        usage,
      },
      expected: completion({
        role: "assistant",
        content: "42",
        reasoning_content: "Think more",
        reasoning_signature: "s2",
        reasoning_details: [
          { type: "reasoning.text", text: "Think ", signature: "s1" },
          { type: "reasoning.encrypted", data: "AQID" },
          { type: "reasoning.text", text: "more", signature: "s2" },
        ],
      }, "stop"),
    },
    {
      name: "forced JSON tool → its input is the content, finish_reason stop",
      ctx: { forcedJsonTool: "json_response" },
      input: {
        output: {
          message: {
            content: [
              { text: "Here you go" },
              { toolUse: { toolUseId: "t", name: "json_response", input: { a: "x" } } },
            ],
          },
        },
        stopReason: "tool_use",
        usage,
      },
      expected: completion({ role: "assistant", content: '{"a":"x"}' }, "stop"),
    },
    {
      name: "max_tokens → length; guardrail → content_filter; empty output → empty content",
      input: { output: { message: { content: [] } }, stopReason: "guardrail_intervened", usage },
      expected: completion({ role: "assistant", content: "" }, "content_filter"),
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      assert.deepStrictEqual(fromConverseResponse(row.input, { ...ctx, ...row.ctx }), row.expected);
    });
  }
  await t.step("missing usage → no usage member", () => {
    const out = fromConverseResponse({ output: { message: { content: [{ text: "x" }] } } }, ctx);
    assert.equal(out.usage, undefined);
    assert.equal(out.choices[0].finish_reason, "stop");
  });
});

Deno.test("model capabilities by family and prefix", async (t) => {
  const rows: Array<{ id: string; expected: Partial<ReturnType<typeof capabilitiesFor>> }> = [
    {
      id: "us.anthropic.claude-sonnet-4-20250514-v1:0",
      expected: {
        family: "anthropic",
        reasoning: "claude_budget",
        toolChoice: "full",
        cachePoints: true,
      },
    },
    {
      id: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      expected: { nativeStructuredOutput: true, reasoning: "claude_budget" },
    },
    {
      id: "anthropic.claude-opus-4-6-v1",
      expected: { reasoning: "claude_adaptive", maxOutputTokens: 128_000 },
    },
    {
      id: "us-gov.anthropic.claude-3-haiku-20240307-v1:0",
      expected: { reasoning: "none", cachePoints: false, images: true },
    },
    {
      id: "eu.amazon.nova-pro-v1:0",
      expected: { family: "nova", images: true, reasoning: "none" },
    },
    { id: "apac.amazon.nova-micro-v1:0", expected: { images: false, documents: false } },
    { id: "jp.amazon.nova-2-lite-v1:0", expected: { reasoning: "nova" } },
    {
      id: "amazon.titan-text-express-v1",
      expected: { family: "titan", tools: false, systemPrompt: false },
    },
    {
      id: "us.meta.llama3-2-90b-instruct-v1:0",
      expected: { family: "llama", images: true, toolChoice: "auto" },
    },
    { id: "meta.llama3-8b-instruct-v1:0", expected: { tools: false, defaultMaxTokens: 2048 } },
    {
      id: "mistral.mixtral-8x7b-instruct-v0:1",
      expected: { family: "mistral", tools: false, systemPrompt: false },
    },
    { id: "au.mistral.pixtral-large-2502-v1:0", expected: { images: true } },
    { id: "cohere.command-r-plus-v1:0", expected: { family: "cohere", penalties: true } },
    {
      id: "ai21.jamba-1-5-large-v1:0",
      expected: { family: "ai21", temperature: { min: 0, max: 2 } },
    },
    { id: "ca.deepseek.r1-v1:0", expected: { family: "deepseek", reasoning: "effort" } },
    { id: "qwen.qwen3-32b-v1:0", expected: { family: "qwen", nativeStructuredOutput: true } },
    { id: "writer.palmyra-x5-v1:0", expected: { family: "writer" } },
    {
      id: "openai.gpt-oss-20b-1:0",
      expected: { family: "gpt_oss", reasoning: "effort", replayReasoning: false },
    },
    {
      id: "bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      expected: { reasoning: "claude_budget" },
    },
    {
      id: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
      expected: { family: "anthropic", cachePoints: true },
    },
    {
      id: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0",
      expected: { family: "nova" },
    },
    {
      id: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
      expected: DEFAULT_CAPABILITIES,
    },
  ];
  for (const row of rows) {
    await t.step(row.id, () => {
      const caps = capabilitiesFor(row.id) as unknown as Record<string, unknown>;
      const picked = Object.fromEntries(Object.keys(row.expected).map((k) => [k, caps[k]]));
      assert.deepStrictEqual(picked, row.expected);
    });
  }
  await t.step("bareModelId strips every documented prefix", () => {
    for (const prefix of ["us.", "us-gov.", "eu.", "apac.", "au.", "ca.", "jp.", "global."]) {
      assert.equal(
        bareModelId(`${prefix}meta.llama3-1-8b-instruct-v1:0`),
        "meta.llama3-1-8b-instruct-v1:0",
      );
    }
  });
  await t.step("every catalog model resolves to a known family and a sane default", () => {
    for (const id of BEDROCK_CATALOG) {
      const caps = capabilitiesFor(id);
      assert.notEqual(caps.family, "unknown", id);
      assert.ok(caps.defaultMaxTokens <= caps.maxOutputTokens, id);
    }
    assert.equal(new Set(BEDROCK_CATALOG).size, BEDROCK_CATALOG.length, "no duplicates");
  });
});

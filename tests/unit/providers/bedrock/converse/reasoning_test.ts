/**
 * Table tests: reasoning_effort, reasoning history and cache_control → Converse
 * (issue 3, "Parameters").
 */
import {
  assistant,
  call,
  CLAUDE46,
  fnTool,
  GPT_OSS,
  LLAMA,
  NOVA2,
  runRows,
  toolMsg,
  user,
  userTurn,
} from "../../../converter_helpers.ts";

const q = [user("q")];

Deno.test("reasoning_effort → family reasoning configuration", async (t) => {
  await runRows(t, [
    {
      name: "Claude: thinking budget per effort, temperature/top_p/top_k dropped, maxTokens raised",
      request: { messages: q, reasoning_effort: "medium", temperature: 0.2, top_p: 0.9, top_k: 5 },
      expected: {
        inferenceConfig: { maxTokens: 8192 + 4096 },
        additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 8192 } },
      },
    },
    {
      name: "Claude: a max_tokens already above the budget is kept",
      request: { messages: q, reasoning_effort: "minimal", max_tokens: 5000 },
      expected: {
        inferenceConfig: { maxTokens: 5000 },
        additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 1024 } },
      },
    },
    {
      name:
        "Claude: an exact reasoning_budget_tokens (a Claude body's budget) wins over the effort's",
      request: {
        messages: q,
        reasoning_effort: "medium",
        reasoning_budget_tokens: 5000,
        max_tokens: 6000,
      },
      expected: {
        inferenceConfig: { maxTokens: 6000 },
        additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 5000 } },
      },
    },
    {
      name: "Claude: raised maxTokens capped at the model limit, budget kept below it",
      model: "anthropic.claude-opus-4-20250514-v1:0",
      request: { messages: q, reasoning_effort: "xhigh", max_tokens: 20000 },
      expected: {
        inferenceConfig: { maxTokens: 32000 },
        additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 30976 } },
      },
    },
    {
      name: "Claude 4.6: adaptive thinking with output_config.effort",
      model: CLAUDE46,
      request: { messages: q, reasoning_effort: "xhigh", temperature: 0.5 },
      expected: {
        inferenceConfig: { maxTokens: 4096 },
        additionalModelRequestFields: {
          thinking: { type: "adaptive" },
          output_config: { effort: "max" },
        },
      },
    },
    {
      name: "Claude thinking with tool_choice required → 400 naming tool_choice",
      request: {
        messages: q,
        reasoning_effort: "low",
        tools: [fnTool("f")],
        tool_choice: "required",
      },
      errorParam: "tool_choice",
    },
    {
      name: "Nova 2: reasoningConfig with maxReasoningEffort",
      model: NOVA2,
      request: { messages: q, reasoning_effort: "minimal", temperature: 0.3 },
      expected: {
        inferenceConfig: { maxTokens: 4096, temperature: 0.3 },
        additionalModelRequestFields: {
          reasoningConfig: { type: "enabled", maxReasoningEffort: "low" },
        },
      },
    },
    {
      name: "Nova 2 high effort: temperature, top_p and maxTokens not sent",
      model: NOVA2,
      request: { messages: q, reasoning_effort: "high", temperature: 0.3, max_tokens: 100 },
      expected: {
        inferenceConfig: undefined,
        additionalModelRequestFields: {
          reasoningConfig: { type: "enabled", maxReasoningEffort: "high" },
        },
      },
    },
    {
      name: "gpt-oss: reasoning_effort passed through (xhigh → high)",
      model: GPT_OSS,
      request: { messages: q, reasoning_effort: "xhigh" },
      expected: { additionalModelRequestFields: { reasoning_effort: "high" } },
    },
    {
      name: "DeepSeek: reasoning_effort passed through",
      model: "us.deepseek.r1-v1:0",
      request: { messages: q, reasoning_effort: "low" },
      expected: { additionalModelRequestFields: { reasoning_effort: "low" } },
    },
    {
      name: "reasoning_effort none enables nothing",
      request: { messages: q, reasoning_effort: "none", temperature: 0.4 },
      expected: {
        inferenceConfig: { maxTokens: 4096, temperature: 0.4 },
        additionalModelRequestFields: undefined,
      },
    },
    {
      name: "reasoning_effort on a model without reasoning → 400 naming it",
      model: LLAMA,
      request: { messages: q, reasoning_effort: "high" },
      errorParam: "reasoning_effort",
    },
  ]);
});

const signedTurn = (extra: Record<string, unknown>) => [
  user("q"),
  assistant("answer", extra),
  user("again"),
];

Deno.test("reasoning history → reasoningContent blocks first in the assistant turn", async (t) => {
  await runRows(t, [
    {
      name: "signed reasoning_content replayed before the text",
      request: {
        messages: signedTurn({ reasoning_content: "thinking…", reasoning_signature: "sig" }),
      },
      expected: {
        messages: [
          userTurn("q"),
          {
            role: "assistant",
            content: [
              { reasoningContent: { reasoningText: { text: "thinking…", signature: "sig" } } },
              { text: "answer" },
            ],
          },
          userTurn("again"),
        ],
      },
    },
    {
      name: "reasoning_details replayed exactly, redacted data decoded to bytes",
      request: {
        messages: signedTurn({
          reasoning_content: "ignored when details are present",
          reasoning_details: [
            { type: "reasoning.text", text: "a", signature: "s1" },
            { type: "reasoning.encrypted", data: "AQID" },
          ],
        }),
      },
      expected: {
        messages: [
          userTurn("q"),
          {
            role: "assistant",
            content: [
              { reasoningContent: { reasoningText: { text: "a", signature: "s1" } } },
              { reasoningContent: { redactedContent: new Uint8Array([1, 2, 3]) } },
              { text: "answer" },
            ],
          },
          userTurn("again"),
        ],
      },
    },
    {
      name: "unsigned reasoning is not replayed (Claude rejects it)",
      request: { messages: signedTurn({ reasoning_content: "thinking" }) },
      expected: {
        messages: [
          userTurn("q"),
          { role: "assistant", content: [{ text: "answer" }] },
          userTurn("again"),
        ],
      },
    },
    {
      name: "reasoning history dropped for families that reject replayed reasoning",
      model: GPT_OSS,
      request: { messages: signedTurn({ reasoning_content: "r", reasoning_signature: "sig" }) },
      expected: {
        messages: [
          userTurn("q"),
          { role: "assistant", content: [{ text: "answer" }] },
          userTurn("again"),
        ],
      },
    },
    {
      name: "signed reasoning before tool use in a tool round trip",
      request: {
        tools: [fnTool("f")],
        messages: [
          user("q"),
          assistant(null, {
            reasoning_content: "plan",
            reasoning_signature: "sig",
            tool_calls: [call("c1", "f", "{}")],
          }),
          toolMsg("c1", "done"),
        ],
      },
      expected: {
        messages: [
          userTurn("q"),
          {
            role: "assistant",
            content: [
              { reasoningContent: { reasoningText: { text: "plan", signature: "sig" } } },
              { toolUse: { toolUseId: "c1", name: "f", input: {} } },
            ],
          },
          {
            role: "user",
            content: [{ toolResult: { toolUseId: "c1", content: [{ text: "done" }] } }],
          },
        ],
      },
    },
  ]);
});

const cc = { cache_control: { type: "ephemeral" } };

Deno.test("cache_control → cachePoint after the marked item", async (t) => {
  await runRows(t, [
    {
      name: "cache_control on a user content part → cachePoint after it",
      request: {
        messages: [
          user([{ type: "text", text: "long context", ...cc }, { type: "text", text: "q" }]),
        ],
      },
      expected: {
        messages: [{
          role: "user",
          content: [{ text: "long context" }, { cachePoint: { type: "default" } }, { text: "q" }],
        }],
      },
    },
    {
      name: "cache_control on a system message → cachePoint after its blocks (ttl kept)",
      request: {
        messages: [
          { role: "system", content: "rules", cache_control: { type: "ephemeral", ttl: "1h" } },
          user("q"),
        ],
      },
      expected: { system: [{ text: "rules" }, { cachePoint: { type: "default", ttl: "1h" } }] },
    },
    {
      name: "cache_control on a tool → cachePoint after it in toolConfig.tools",
      request: { messages: q, tools: [fnTool("f", cc)] },
      expected: {
        toolConfig: {
          tools: [
            { toolSpec: { name: "f", inputSchema: { json: { type: "object", properties: {} } } } },
            { cachePoint: { type: "default" } },
          ],
          toolChoice: { auto: {} },
        },
      },
    },
    {
      name: "cache_control on a dropped empty part adds no cachePoint",
      request: {
        messages: [user([{ type: "text", text: " ", ...cc }, { type: "text", text: "q" }])],
      },
      expected: { messages: [userTurn("q")] },
    },
    {
      name: "cache_control ignored on models without prompt caching",
      model: LLAMA,
      request: {
        messages: [
          { role: "system", content: "rules", ...cc },
          user([{ type: "text", text: "q", ...cc }]),
        ],
      },
      expected: { system: [{ text: "rules" }], messages: [userTurn("q")] },
    },
  ]);
});

/**
 * Table tests: parameters, rejected and ignored fields, and response_format → Converse
 * (issue 3, "Parameters").
 */
import {
  CLAUDE4,
  CLAUDE45,
  COHERE,
  fnTool,
  GPT_OSS,
  LLAMA,
  LLAMA3_70B,
  NOVA2,
  runRows,
  user,
  userTurn,
} from "../../../converter_helpers.ts";

const q = [user("q")];
const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"] };
const jsonSchemaFormat = {
  type: "json_schema",
  json_schema: { name: "answer", description: "The answer", schema },
};

Deno.test("sampling parameters → inferenceConfig", async (t) => {
  await runRows(t, [
    {
      name: "max_tokens → maxTokens",
      request: { messages: q, max_tokens: 100 },
      expected: { inferenceConfig: { maxTokens: 100 } },
    },
    {
      name: "max_completion_tokens wins over max_tokens",
      request: { messages: q, max_tokens: 100, max_completion_tokens: 200 },
      expected: { inferenceConfig: { maxTokens: 200 } },
    },
    {
      name: "absent max tokens → the family default",
      model: LLAMA3_70B,
      request: { messages: q },
      expected: { inferenceConfig: { maxTokens: 2048 } },
    },
    {
      name: "temperature clamped to the family range (Claude 0–1)",
      request: { messages: q, temperature: 1.7 },
      expected: { inferenceConfig: { maxTokens: 4096, temperature: 1 } },
    },
    {
      name: "temperature above Converse's 0–1 is sent as 1, also for gpt-oss (own range 0–2)",
      model: GPT_OSS,
      request: { messages: q, temperature: 1.7 },
      expected: { inferenceConfig: { maxTokens: 4096, temperature: 1 } },
    },
    {
      name: "temperature 0 and top_p 0 are values, not absences",
      request: { messages: q, temperature: 0, top_p: 0 },
      expected: { inferenceConfig: { maxTokens: 4096, temperature: 0, topP: 0 } },
    },
    {
      name: "null temperature / top_p are absent",
      request: { messages: q, temperature: null, top_p: null, stop: null },
      expected: { inferenceConfig: { maxTokens: 4096 } },
    },
    {
      name: "stop string → stopSequences",
      request: { messages: q, stop: "END" },
      expected: { inferenceConfig: { maxTokens: 4096, stopSequences: ["END"] } },
    },
    {
      name: "stop array → stopSequences, empty strings dropped",
      request: { messages: q, stop: ["a", "", "b"] },
      expected: { inferenceConfig: { maxTokens: 4096, stopSequences: ["a", "b"] } },
    },
    {
      name: "top_k → additionalModelRequestFields.top_k (Claude)",
      request: { messages: q, top_k: 0 },
      expected: { additionalModelRequestFields: { top_k: 0 } },
    },
    {
      name: "top_k → additionalModelRequestFields.inferenceConfig.topK (Nova)",
      model: NOVA2,
      request: { messages: q, top_k: 20 },
      expected: { additionalModelRequestFields: { inferenceConfig: { topK: 20 } } },
    },
    {
      name: "top_k on a family without it → 400 naming top_k",
      model: LLAMA,
      request: { messages: q, top_k: 5 },
      errorParam: "top_k",
    },
    {
      name: "top_k that is not a non-negative number → 400 naming top_k",
      request: { messages: q, top_k: -1 },
      errorParam: "top_k",
    },
  ]);
});

Deno.test("parameters Bedrock cannot honour → 400 naming them; documented ones ignored", async (t) => {
  await runRows(t, [
    { name: "n > 1 → 400 n", request: { messages: q, n: 2 }, errorParam: "n" },
    {
      name: "legacy functions → 400 naming it (not silently dropped)",
      request: { messages: q, functions: [{ name: "f", parameters: {} }] },
      errorParam: "functions",
    },
    {
      name: "an unknown field → 400 naming it",
      request: { messages: q, web_search_options: {} },
      errorParam: "web_search_options",
    },
    {
      name: "an unknown field set to null is absent",
      request: { messages: q, function_call: null },
      expected: { inferenceConfig: { maxTokens: 4096 } },
    },
    {
      name: "n = 1 is accepted",
      request: { messages: q, n: 1 },
      expected: { inferenceConfig: { maxTokens: 4096 } },
    },
    { name: "logprobs → 400", request: { messages: q, logprobs: true }, errorParam: "logprobs" },
    {
      name: "top_logprobs → 400",
      request: { messages: q, top_logprobs: 0 },
      errorParam: "top_logprobs",
    },
    {
      name: "logit_bias → 400",
      request: { messages: q, logit_bias: { "50256": -100 } },
      errorParam: "logit_bias",
    },
    {
      name: "presence_penalty on a family without penalties → 400",
      request: { messages: q, presence_penalty: 0.5 },
      errorParam: "presence_penalty",
    },
    {
      name: "frequency_penalty on a family without penalties → 400",
      request: { messages: q, frequency_penalty: -1 },
      errorParam: "frequency_penalty",
    },
    {
      name: "a zero penalty is a no-op and accepted",
      request: { messages: q, presence_penalty: 0, frequency_penalty: 0 },
      expected: { additionalModelRequestFields: undefined },
    },
    {
      name: "penalties pass through additionalModelRequestFields where supported",
      model: COHERE,
      request: { messages: q, presence_penalty: 0.5, frequency_penalty: 0 },
      expected: { additionalModelRequestFields: { presence_penalty: 0.5, frequency_penalty: 0 } },
    },
    {
      name: "audio output → 400 naming audio",
      request: { messages: q, audio: { voice: "alloy", format: "mp3" } },
      errorParam: "audio",
    },
    {
      name: "audio modality → 400 naming modalities",
      request: { messages: q, modalities: ["text", "audio"] },
      errorParam: "modalities",
    },
    {
      name: "documented ignored fields (user, metadata, store, seed, …) change nothing",
      request: {
        messages: q,
        user: "u",
        metadata: { k: "v" },
        store: true,
        seed: 7,
        service_tier: "auto",
        parallel_tool_calls: false,
        stream: true,
        stream_options: { include_usage: true },
        prompt_cache_key: "k",
        safety_identifier: "s",
        verbosity: "low",
        modalities: ["text"],
      },
      expected: {
        modelId: CLAUDE4,
        messages: [userTurn("q")],
        system: undefined,
        inferenceConfig: { maxTokens: 4096 },
        toolConfig: undefined,
        additionalModelRequestFields: undefined,
        outputConfig: undefined,
        toolNameMap: {},
        forcedJsonTool: undefined,
      },
    },
  ]);
});

Deno.test("response_format → native structured output or a forced JSON tool", async (t) => {
  const forcedSpec = {
    toolSpec: { name: "json_response", description: "The answer", inputSchema: { json: schema } },
  };
  await runRows(t, [
    {
      name: "json_schema on a model with native structured output → outputConfig",
      model: CLAUDE45,
      request: { messages: q, response_format: jsonSchemaFormat },
      expected: {
        outputConfig: {
          textFormat: {
            type: "json_schema",
            structure: {
              jsonSchema: {
                schema: JSON.stringify(schema),
                name: "answer",
                description: "The answer",
              },
            },
          },
        },
        toolConfig: undefined,
        forcedJsonTool: undefined,
      },
    },
    {
      name: "json_schema elsewhere → forced json_response tool, recorded in the result",
      request: { messages: q, response_format: jsonSchemaFormat },
      expected: {
        toolConfig: { tools: [forcedSpec], toolChoice: { tool: { name: "json_response" } } },
        forcedJsonTool: "json_response",
        outputConfig: undefined,
      },
    },
    {
      name: "json_object → forced tool with an object schema",
      request: { messages: q, response_format: { type: "json_object" } },
      expected: {
        toolConfig: {
          tools: [{
            toolSpec: {
              name: "json_response",
              description:
                "Respond with the final answer (json_object) as this tool's input, matching its schema.",
              inputSchema: { json: { type: "object" } },
            },
          }],
          toolChoice: { tool: { name: "json_response" } },
        },
        forcedJsonTool: "json_response",
      },
    },
    {
      name: "response_format text changes nothing",
      request: { messages: q, response_format: { type: "text" } },
      expected: { toolConfig: undefined, forcedJsonTool: undefined, outputConfig: undefined },
    },
    {
      name: "forced JSON tool with user tools → both offered, toolChoice any",
      request: { messages: q, tools: [fnTool("lookup")], response_format: jsonSchemaFormat },
      expected: {
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: "lookup",
                inputSchema: { json: { type: "object", properties: {} } },
              },
            },
            forcedSpec,
          ],
          toolChoice: { any: {} },
        },
        forcedJsonTool: "json_response",
      },
    },
    {
      name: "forced JSON tool name avoids a user tool called json_response",
      request: {
        messages: q,
        tools: [fnTool("json_response")],
        tool_choice: "required",
        response_format: { type: "json_object" },
      },
      expected: { forcedJsonTool: "json_response_2" },
    },
    {
      name: "no native output and no forceable tool → JSON instruction in the system prompt",
      model: LLAMA,
      request: {
        messages: [{ role: "system", content: "Be brief" }, user("q")],
        response_format: { type: "json_object" },
      },
      expected: {
        system: [
          { text: "Be brief" },
          { text: "Respond only with a valid JSON object, without any other text." },
        ],
        toolConfig: undefined,
        forcedJsonTool: undefined,
      },
    },
    {
      name: "json_schema with Claude thinking (no forced tools allowed) → instruction fallback",
      request: { messages: q, reasoning_effort: "low", response_format: jsonSchemaFormat },
      expected: {
        system: [{
          text:
            `Respond only with a valid JSON value matching this JSON schema, without any other text:\n${
              JSON.stringify(schema)
            }`,
        }],
        forcedJsonTool: undefined,
      },
    },
  ]);
});

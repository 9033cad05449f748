/**
 * Converse requests stay inside AWS's own model of bedrock-runtime: for every Bedrock family,
 * OpenAI requests across the whole range OpenAI allows (temperature 0–2, top_p 0–1, any
 * max_tokens, stop strings and lists, reasoning efforts, tools, tool choices, JSON output) become
 * Converse bodies whose `inferenceConfig`, `toolConfig` and `system` satisfy the @range, @length,
 * @pattern and @required traits of the Smithy shapes vendored in tests/fixtures/smithy/.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { toConverseRequest } from "../../../../../core/providers/bedrock/converse/from_canonical.ts";
import { GatewayError } from "../../../../../core/errors.ts";
import type { ChatRequest } from "../../../../../core/formats/openai/schema.ts";
import { capabilitiesFor } from "../../../../../core/providers/bedrock/capabilities.ts";
import { loadSmithyModel, smithyViolations } from "../../../../helpers/smithy.ts";

const MODEL = loadSmithyModel(
  new URL("../../../../fixtures/smithy/bedrock_runtime_converse_subset.json", import.meta.url),
);
const NS = "com.amazonaws.bedrockruntime#";

/** One model id per family rule of core/providers/bedrock/capabilities.ts. */
const FAMILY_MODELS = [
  "us.anthropic.claude-sonnet-4-6",
  "anthropic.claude-sonnet-4-5-20250929-v1:0",
  "anthropic.claude-3-7-sonnet-20250219-v1:0",
  "us.anthropic.claude-3-5-haiku-20241022-v1:0",
  "amazon.nova-2-lite-v1:0",
  "amazon.nova-premier-v1:0",
  "amazon.nova-pro-v1:0",
  "amazon.titan-text-premier-v1:0",
  "amazon.titan-text-express-v1",
  "meta.llama3-2-11b-instruct-v1:0",
  "meta.llama4-maverick-17b-instruct-v1:0",
  "meta.llama3-1-8b-instruct-v1:0",
  "mistral.pixtral-large-2502-v1:0",
  "mistral.mistral-large-2407-v1:0",
  "mistral.mistral-7b-instruct-v0:2",
  "cohere.command-r-plus-v1:0",
  "ai21.jamba-1-5-large-v1:0",
  "deepseek.r1-v1:0",
  "qwen.qwen3-32b-v1:0",
  "writer.palmyra-x5-v1:0",
  "openai.gpt-oss-120b-1:0",
  "openai.gpt-oss-20b-1:0",
  "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
];

/** The Converse fields the gateway fills, each against its Smithy shape. */
function violations(body: Record<string, unknown>): string[] {
  return [
    ...(body.inferenceConfig === undefined ? [] : smithyViolations(
      MODEL,
      `${NS}InferenceConfiguration`,
      body.inferenceConfig,
      "inferenceConfig",
    )),
    ...(body.toolConfig === undefined
      ? []
      : smithyViolations(MODEL, `${NS}ToolConfiguration`, body.toolConfig, "toolConfig")),
    ...(body.system === undefined
      ? []
      : smithyViolations(MODEL, `${NS}SystemContentBlocks`, body.system, "system")),
    ...historyViolations(body.messages as Array<{ content: Array<Record<string, Json>> }>),
  ];
}

type Json = Record<string, unknown>;

/** Tool ids and names in the turns (ToolUseBlock / ToolResultBlock members). */
function historyViolations(messages: Array<{ content: Array<Record<string, Json>> }>): string[] {
  return messages.flatMap((message, i) =>
    message.content.flatMap((block, j) => {
      const at = `messages[${i}].content[${j}]`;
      const out: string[] = [];
      if (block.toolUse !== undefined) {
        out.push(
          ...smithyViolations(
            MODEL,
            `${NS}ToolUseId`,
            block.toolUse.toolUseId,
            `${at}.toolUse.toolUseId`,
          ),
          ...smithyViolations(MODEL, `${NS}ToolName`, block.toolUse.name, `${at}.toolUse.name`),
        );
      }
      if (block.toolResult !== undefined) {
        out.push(
          ...smithyViolations(
            MODEL,
            `${NS}ToolUseId`,
            block.toolResult.toolUseId,
            `${at}.toolResult.toolUseId`,
          ),
        );
      }
      return out;
    })
  );
}

/** The Converse body for `request`, or null when the gateway refuses it with a 400. */
function converse(request: ChatRequest): Record<string, unknown> | null {
  try {
    const { toolNameMap: _names, forcedJsonTool: _json, ...body } = toConverseRequest(
      request,
      capabilitiesFor(request.model),
      new Map(),
    );
    return body as Record<string, unknown>;
  } catch (error) {
    if (error instanceof GatewayError && error.kind === "invalid_request") return null;
    throw error;
  }
}

const toolName = fc.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/);
const tool = fc.record({
  type: fc.constant("function" as const),
  function: fc.record({
    name: toolName,
    description: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    parameters: fc.constant({ type: "object", properties: { q: { type: "string" } } }),
  }, { requiredKeys: ["name"] }),
});

const openaiRequest = (model: string) =>
  fc.record({
    temperature: fc.option(fc.double({ min: 0, max: 2, noNaN: true }), { nil: undefined }),
    top_p: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    max_tokens: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
    max_completion_tokens: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
    stop: fc.option(
      fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
      ),
      { nil: undefined },
    ),
    reasoning_effort: fc.option(
      fc.constantFrom("none", "minimal", "low", "medium", "high", "xhigh"),
      { nil: undefined },
    ),
    system: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
    tools: fc.option(fc.uniqueArray(tool, { maxLength: 3, selector: (t) => t.function.name }), {
      nil: undefined,
    }),
    tool_choice: fc.option(fc.constantFrom("none", "auto", "required", "first"), {
      nil: undefined,
    }),
    history: fc.option(
      fc.record({ id: fc.string({ maxLength: 100 }), name: fc.string({ maxLength: 80 }) }),
      { nil: undefined },
    ),
    json: fc.option(
      fc.record({ name: toolName, description: fc.option(fc.string({ maxLength: 5 })) }),
      { nil: undefined },
    ),
  }).map((r): ChatRequest => {
    const first = r.tools?.[0]?.function.name;
    const choice = r.tool_choice === "first"
      ? (first !== undefined ? { type: "function" as const, function: { name: first } } : undefined)
      : r.tool_choice;
    return {
      model,
      messages: [
        ...(r.system !== undefined ? [{ role: "system" as const, content: r.system }] : []),
        ...(r.history !== undefined
          ? [
            { role: "user" as const, content: "Look it up" },
            {
              role: "assistant" as const,
              content: null,
              tool_calls: [{
                id: r.history.id,
                type: "function" as const,
                function: { name: r.history.name, arguments: '{"q":"x"}' },
              }],
            },
            { role: "tool" as const, tool_call_id: r.history.id, content: "found" },
          ]
          : []),
        { role: "user" as const, content: "Hello" },
      ],
      ...(r.temperature !== undefined ? { temperature: r.temperature } : {}),
      ...(r.top_p !== undefined ? { top_p: r.top_p } : {}),
      ...(r.max_tokens !== undefined ? { max_tokens: r.max_tokens } : {}),
      ...(r.max_completion_tokens !== undefined
        ? { max_completion_tokens: r.max_completion_tokens }
        : {}),
      ...(r.stop !== undefined ? { stop: r.stop } : {}),
      ...(r.reasoning_effort !== undefined ? { reasoning_effort: r.reasoning_effort } : {}),
      ...(r.tools !== undefined && r.tools.length > 0 ? { tools: r.tools } : {}),
      ...(choice !== undefined && r.tools !== undefined && r.tools.length > 0
        ? { tool_choice: choice }
        : {}),
      ...(r.json !== undefined
        ? {
          response_format: {
            type: "json_schema" as const,
            json_schema: {
              name: r.json.name,
              ...(r.json.description !== null ? { description: r.json.description } : {}),
              schema: { type: "object", properties: { a: { type: "string" } } },
            },
          },
        }
        : {}),
    };
  });

Deno.test("Converse bodies satisfy the Smithy model across OpenAI's ranges, every family", async (t) => {
  for (const model of FAMILY_MODELS) {
    await t.step(model, () => {
      let accepted = 0;
      fc.assert(
        fc.property(openaiRequest(model), (request) => {
          const body = converse(request);
          if (body === null) return;
          accepted++;
          assert.deepEqual(violations(body), [], JSON.stringify(request));
        }),
        { numRuns: 300 },
      );
      assert.ok(accepted > 20, `${model}: only ${accepted} of 300 requests accepted`);
    });
  }
});

Deno.test("Converse inferenceConfig at the edges of OpenAI's ranges", async (t) => {
  const rows: Array<{ name: string; model: string; extra: Partial<ChatRequest>; expect: unknown }> =
    [
      {
        name: "gpt-oss: temperature 1.7 is sent as Converse's maximum 1",
        model: "openai.gpt-oss-120b-1:0",
        extra: { temperature: 1.7, max_tokens: 10 },
        expect: { maxTokens: 10, temperature: 1 },
      },
      {
        name: "Qwen: temperature 2 → 1",
        model: "qwen.qwen3-32b-v1:0",
        extra: { temperature: 2, max_tokens: 10 },
        expect: { maxTokens: 10, temperature: 1 },
      },
      {
        name: "Writer: temperature 0.4 stays 0.4",
        model: "writer.palmyra-x5-v1:0",
        extra: { temperature: 0.4, max_tokens: 10 },
        expect: { maxTokens: 10, temperature: 0.4 },
      },
      {
        name: "AI21: temperature 0 and top_p 0 are values, kept",
        model: "ai21.jamba-1-5-large-v1:0",
        extra: { temperature: 0, top_p: 0, max_tokens: 10 },
        expect: { maxTokens: 10, temperature: 0, topP: 0 },
      },
      {
        name: "Claude: temperature 1.5 → 1, top_p 1 kept, empty stop strings dropped",
        model: "anthropic.claude-3-5-haiku-20241022-v1:0",
        extra: { temperature: 1.5, top_p: 1, max_tokens: 10, stop: ["", "END"] },
        expect: { maxTokens: 10, temperature: 1, topP: 1, stopSequences: ["END"] },
      },
    ];
  for (const row of rows) {
    await t.step(row.name, () => {
      const body = converse({
        model: row.model,
        messages: [{ role: "user", content: "Hi" }],
        ...row.extra,
      } as ChatRequest);
      assert.ok(body !== null);
      assert.deepEqual(body.inferenceConfig, row.expect);
      assert.deepEqual(violations(body), []);
    });
  }
  await t.step("more than 2500 stop sequences (a Claude body can send them) is a 400", () => {
    const stop = Array.from({ length: 2501 }, (_, i) => `s${i}`);
    assert.throws(
      () =>
        toConverseRequest(
          { model: "amazon.nova-pro-v1:0", messages: [{ role: "user", content: "Hi" }], stop },
          capabilitiesFor("amazon.nova-pro-v1:0"),
          new Map(),
        ),
      (e) => e instanceof GatewayError && e.kind === "invalid_request" && e.param === "stop",
    );
  });
  await t.step(
    "an empty response_format description is not sent as an empty tool description",
    () => {
      const body = converse({
        model: "amazon.nova-pro-v1:0",
        messages: [{ role: "user", content: "Hi" }],
        response_format: {
          type: "json_schema",
          json_schema: { name: "answer", description: "", schema: { type: "object" } },
        },
      });
      assert.ok(body !== null);
      assert.deepEqual(violations(body), []);
    },
  );
});

Deno.test("the vendored Smithy subset names its source and commit", () => {
  const source = MODEL.metadata.source as Record<string, string>;
  assert.equal(source.repository, "https://github.com/aws/aws-sdk-js-v3");
  assert.match(source.commit, /^[0-9a-f]{40}$/);
  assert.deepEqual(
    smithyViolations(MODEL, `${NS}InferenceConfiguration`, { temperature: 1.7, maxTokens: 0 }),
    ["$.maxTokens: 0 is below the @range min 1", "$.temperature: 1.7 is above the @range max 1"],
  );
});

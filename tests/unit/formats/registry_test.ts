/**
 * Format detection (SPEC §3.1) and validation with the detected schema.
 */
import assert from "node:assert/strict";
import {
  detectFormat,
  FORMATS,
  isFormatName,
  parseAnyRequest,
} from "../../../core/formats/registry.ts";
import { GatewayError } from "../../../core/errors.ts";

const claude = {
  anthropic_version: "bedrock-2023-05-31",
  model: "anthropic.claude-sonnet-4",
  max_tokens: 10,
  messages: [{ role: "user", content: "Hi" }],
};
const titan = { model: "amazon.titan-text-express-v1", inputText: "Hi" };
const openai = { model: "gpt-4o", messages: [{ role: "user", content: "Hi" }] };

Deno.test("detectFormat", async (t) => {
  const rows: Array<[string, unknown, string]> = [
    ["anthropic_version → bedrock_claude", claude, "bedrock_claude"],
    ["inputText → bedrock_titan", titan, "bedrock_titan"],
    ["plain OpenAI body → openai", openai, "openai"],
    ["OpenAI with max_tokens and an object tool_choice stays openai", {
      ...openai,
      max_tokens: 10,
      tool_choice: { type: "function", function: { name: "f" } },
    }, "openai"],
    ["both markers → bedrock_claude wins", { ...claude, inputText: "x" }, "bedrock_claude"],
    [
      "anthropic_version: undefined is absent",
      { ...openai, anthropic_version: undefined },
      "openai",
    ],
    [
      "empty anthropic_version still marks the format",
      { ...claude, anthropic_version: "" },
      "bedrock_claude",
    ],
    ["empty inputText still marks the format", { ...titan, inputText: "" }, "bedrock_titan"],
    ["a non-object → openai (validation fails later)", [1, 2], "openai"],
    ["null → openai", null, "openai"],
    // Responses bodies share `input` with embeddings: only /v1/responses names that format.
    ["a Responses-looking body is not detected as one", { model: "m", input: "Hi" }, "openai"],
  ];
  for (const [name, body, expected] of rows) {
    await t.step(name, () => assert.equal(detectFormat(body), expected));
  }
  await t.step("FORMATS and isFormatName", () => {
    assert.deepEqual([...FORMATS], [
      "openai",
      "bedrock_claude",
      "bedrock_titan",
      "openai_responses",
    ]);
    assert.ok(isFormatName("bedrock_titan"));
    assert.ok(isFormatName("openai_responses"));
    assert.ok(!isFormatName("anthropic"));
  });
});

Deno.test("parseAnyRequest", async (t) => {
  await t.step("each format validates with its own schema", () => {
    assert.equal(parseAnyRequest(claude).format, "bedrock_claude");
    assert.equal(parseAnyRequest(titan).format, "bedrock_titan");
    const parsed = parseAnyRequest(openai);
    assert.equal(parsed.format, "openai");
    assert.deepEqual(parsed.request, openai);
  });

  const errors: Array<[string, unknown, string | null, RegExp]> = [
    [
      "a non-object lists the formats tried",
      "hello",
      null,
      /openai, bedrock_claude .*bedrock_titan/,
    ],
    ["an array", [], null, /fits none of the formats/],
    [
      "Claude without max_tokens names max_tokens",
      { ...claude, max_tokens: undefined },
      "max_tokens",
      /bedrock_claude/,
    ],
    [
      "Claude with a tool role",
      {
        ...claude,
        messages: [{ role: "tool", content: "x" }],
      },
      "messages[0].role",
      /bedrock_claude/,
    ],
    ["Titan with a non-string inputText", { ...titan, inputText: 5 }, "inputText", /bedrock_titan/],
    [
      "a Titan body without inputText names inputText",
      { model: "amazon.titan-text-express-v1", textGenerationConfig: { maxTokenCount: 5 } },
      "inputText",
      /Invalid bedrock_titan request/,
    ],
    [
      "a body of no format lists the formats and the OpenAI field",
      {
        model: "m",
        prompt: "Hi",
      },
      "messages",
      /fits none of the formats openai, bedrock_claude .*As openai/,
    ],
  ];
  for (const [name, body, param, message] of errors) {
    await t.step(name, () => {
      assert.throws(() => parseAnyRequest(body), (e: unknown) => {
        assert.ok(e instanceof GatewayError);
        assert.equal(e.kind, "invalid_request");
        assert.equal(e.param, param);
        assert.match(e.message, message);
        return true;
      });
    });
  }
});

Deno.test("parseAnyRequest: a plain OpenAI body gets OpenAI's error alone; missing says missing", async (t) => {
  const rows = [
    {
      name: "a bad role in a messages array",
      body: { model: "gpt-4o", messages: [{ role: "wizard", content: "x" }] },
      param: "messages[0].role",
      code: "invalid_value",
      message: /^Invalid value for 'messages\[0\]\.role'/,
    },
    {
      name: "a missing model beside messages",
      body: { messages: [{ role: "user", content: "x" }] },
      param: "model",
      code: "missing_required_parameter",
      message: /^Missing required parameter: 'model'\.$/,
    },
    {
      name: "a missing nested field",
      body: { model: "m", messages: [{ role: "tool", content: "x" }] },
      param: "messages[0].tool_call_id",
      code: "missing_required_parameter",
      message: /^Missing required parameter: 'messages\[0\]\.tool_call_id'\.$/,
    },
  ];
  for (const row of rows) {
    await t.step(row.name, () => {
      assert.throws(() => parseAnyRequest(row.body), (e: unknown) => {
        assert.ok(e instanceof GatewayError);
        assert.equal(e.param, row.param);
        assert.equal(e.code, row.code);
        assert.match(e.message, row.message);
        assert.doesNotMatch(e.message, /fits none/);
        return true;
      });
    });
  }
});

/**
 * The Bedrock Titan schema: accepted bodies, rejections naming the field, the native body.
 */
import assert from "node:assert/strict";
import { titanRequestSchema } from "../../../../core/formats/bedrock_titan/schema.ts";
import { nativeTitanBody } from "../../../../core/formats/bedrock_titan/native.ts";
import { parseWith } from "../../../../core/formats/validate.ts";
import { GatewayError } from "../../../../core/errors.ts";

const base = { model: "amazon.titan-text-express-v1", inputText: "Hi" };

Deno.test("Titan schema", async (t) => {
  await t.step("accepts the full body, zero values and unknown fields", () => {
    const body = {
      ...base,
      stream: false,
      file_ids: ["file-1"],
      textGenerationConfig: { maxTokenCount: 1, temperature: 0, topP: 0, stopSequences: [] },
      extra: true,
    };
    assert.deepEqual(parseWith(titanRequestSchema, body), body);
  });
  await t.step("an empty inputText is a value", () => {
    assert.equal(parseWith(titanRequestSchema, { ...base, inputText: "" }).inputText, "");
  });
  const rejects: Array<[string, Record<string, unknown>, string]> = [
    ["no inputText", { model: "m" }, "inputText"],
    ["inputText not a string", { ...base, inputText: 1 }, "inputText"],
    ["no model", { inputText: "x" }, "model"],
    [
      "maxTokenCount 0",
      { ...base, textGenerationConfig: { maxTokenCount: 0 } },
      "textGenerationConfig.maxTokenCount",
    ],
    ["topP above 1", { ...base, textGenerationConfig: { topP: 2 } }, "textGenerationConfig.topP"],
  ];
  for (const [name, body, param] of rejects) {
    await t.step(`rejects ${name}`, () => {
      assert.throws(() => parseWith(titanRequestSchema, body), (e: unknown) => {
        assert.ok(e instanceof GatewayError);
        assert.equal(e.param, param);
        return true;
      });
    });
  }
  await t.step("nativeTitanBody drops model, stream and file_ids", () => {
    const request = parseWith(titanRequestSchema, {
      ...base,
      stream: true,
      file_ids: [],
      textGenerationConfig: { maxTokenCount: 5 },
    });
    assert.deepEqual(nativeTitanBody(request), {
      inputText: "Hi",
      textGenerationConfig: { maxTokenCount: 5 },
    });
  });
});

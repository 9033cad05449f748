/** `OPENAI_RESPONSES_API` / `responses_api`: whether an OpenAI instance's upstream speaks Responses. */
import assert from "node:assert/strict";
import { parseConfig } from "../../../../core/config.ts";
import { speaksResponses } from "../../../../core/providers/openai/kind.ts";

Deno.test("speaksResponses: auto means api.openai.com; true and false decide", async (t) => {
  const rows: Array<[boolean | string, string, boolean]> = [
    ["auto", "https://api.openai.com/v1", true],
    ["auto", "http://127.0.0.1:8001/v1", false],
    ["auto", "https://my-proxy.example/api.openai.com/v1", false],
    ["true", "http://127.0.0.1:8001/v1", true],
    [true, "http://127.0.0.1:8001/v1", true],
    ["false", "https://api.openai.com/v1", false],
    [false, "https://api.openai.com/v1", false],
  ];
  for (const [setting, url, expected] of rows) {
    await t.step(`${setting} ${url}`, () => assert.equal(speaksResponses(setting, url), expected));
  }
});

Deno.test("OPENAI_RESPONSES_API: default auto, case-insensitive, anything else refused", () => {
  assert.equal(parseConfig({}).openaiResponsesApi, "auto");
  assert.equal(parseConfig({ OPENAI_RESPONSES_API: "TRUE" }).openaiResponsesApi, "true");
  assert.throws(() => parseConfig({ OPENAI_RESPONSES_API: "yes" }), /auto, true or false/);
});

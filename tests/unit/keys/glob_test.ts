import assert from "node:assert/strict";
import { compileGlob, modelAllowlist } from "../../../core/keys/glob.ts";

Deno.test("compileGlob: * is any run (slashes too), ? one character, the rest literal", () => {
  const cases: [string, string, boolean][] = [
    ["gpt-4o*", "gpt-4o", true],
    ["gpt-4o*", "gpt-4o-mini", true],
    ["gpt-4o*", "gpt-4", false],
    ["gpt-4o*", "openai/gpt-4o", false],
    ["bedrock/*", "bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0", true],
    ["bedrock/*", "bedrock", false],
    ["*/gpt-4o", "azure/gpt-4o", true],
    ["*", "anything/at:all", true],
    ["smart", "smart", true],
    ["smart", "smarter", false],
    ["smart", "Smart", false],
    ["o?-mini", "o3-mini", true],
    ["o?-mini", "o-mini", false],
    ["a.b", "axb", false],
    ["a.b", "a.b", true],
    ["x+(y)[z]{1}$^|\\", "x+(y)[z]{1}$^|\\", true],
    ["line*", "line\nbreak", true],
  ];
  for (const [glob, model, expected] of cases) {
    assert.equal(compileGlob(glob)(model), expected, `${glob} vs ${model}`);
  }
});

Deno.test("modelAllowlist: any glob matches; undefined allows all; [] allows none", () => {
  const allows = modelAllowlist(["smart", "gpt-4o*", "bedrock/*"]);
  assert.deepEqual(
    ["smart", "gpt-4o-mini", "bedrock/amazon.nova-pro-v1:0", "mock-echo", "fast"].map(allows),
    [true, true, true, false, false],
  );
  assert.equal(modelAllowlist(undefined)("whatever"), true);
  assert.equal(modelAllowlist([])("mock-echo"), false);
});

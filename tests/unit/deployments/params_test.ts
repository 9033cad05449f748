import assert from "node:assert/strict";
import { applyParams } from "../../../core/deployments/params.ts";
import type { ChatRequest } from "../../../core/formats/openai/schema.ts";

const base: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }] };

Deno.test("params: defaults fill what the request leaves out; max_tokens caps", () => {
  const params = { max_tokens: 100, temperature: 0.2, stop: ["END"] };
  assert.deepEqual(applyParams(base, params), {
    ...base,
    max_completion_tokens: 100,
    temperature: 0.2,
    stop: ["END"],
  });
  assert.deepEqual(applyParams({ ...base, max_tokens: 500, temperature: 0.9 }, params), {
    ...base,
    max_tokens: 100,
    temperature: 0.9,
    stop: ["END"],
  });
  assert.equal(
    applyParams({ ...base, max_completion_tokens: 50 }, params).max_completion_tokens,
    50,
  );
  assert.equal(applyParams({ ...base, temperature: 0 }, params).temperature, 0); // 0 is a value
  assert.deepEqual(base, { model: "m", messages: [{ role: "user", content: "hi" }] }); // unchanged
});

/**
 * tRPC `formats.detect` and `formats.convert` through the typed `createGatewayClient` (in
 * process): detection of the three formats, conversion in every direction with no upstream
 * call, and bad bodies as BAD_REQUEST carrying the gateway param.
 */
import assert from "node:assert/strict";
import { TRPCClientError } from "@trpc/client";
import { createGatewayClient } from "../../routers/client.ts";
import { ORIGIN, testApp } from "../helpers/app.ts";
import { claudeBody, openaiBody, titanBody } from "./formats_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const KEY = "gw-formats-key";

function client() {
  const gw = testApp({ API_KEY: KEY });
  return createGatewayClient({
    url: ORIGIN,
    apiKey: KEY,
    fetch: (input, init) => gw.handler(new Request(input, init)),
  });
}

Deno.test("tRPC formats.detect: the three formats by their markers", async () => {
  const gw = client();
  assert.deepEqual(await gw.formats.detect.query({ body: openaiBody("gpt-4o") }), {
    format: "openai",
  });
  assert.deepEqual(await gw.formats.detect.query({ body: claudeBody("m") }), {
    format: "bedrock_claude",
  });
  assert.deepEqual(await gw.formats.detect.query({ body: titanBody("m") }), {
    format: "bedrock_titan",
  });
  // An OpenAI body with max_tokens and an object tool_choice stays OpenAI.
  const openaiLike = openaiBody("gpt-4o", {
    tool_choice: { type: "function", function: { name: "f" } },
  });
  assert.deepEqual(await gw.formats.detect.query({ body: openaiLike }), { format: "openai" });
});

Deno.test("tRPC formats.convert: every direction, no upstream call", async (t) => {
  const gw = client();
  await t.step("openai → bedrock_claude", async () => {
    const out = await gw.formats.convert.mutate({ body: openaiBody("m"), to: "bedrock_claude" });
    assert.equal(out.from, "openai");
    const body = out.body as Json;
    assert.equal(body.anthropic_version, "bedrock-2023-05-31");
    assert.equal(body.system, "Be brief.");
    assert.deepEqual(body.messages, [{ role: "user", content: "Say hello" }]);
    assert.equal(body.max_tokens, 50);
  });
  await t.step("bedrock_claude → openai keeps tools and tool results", async () => {
    const out = await gw.formats.convert.mutate({
      to: "openai",
      body: claudeBody("m", {
        tools: [{ name: "f", input_schema: { type: "object" } }],
        messages: [
          { role: "user", content: "Q" },
          {
            role: "assistant",
            content: [{ type: "tool_use", id: "t1", name: "f", input: { a: 1 } }],
          },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "42" }] },
        ],
      }),
    });
    const body = out.body as Json;
    assert.equal(out.from, "bedrock_claude");
    assert.equal(body.messages[2].tool_calls[0].function.arguments, '{"a":1}');
    assert.deepEqual(body.messages[3], { role: "tool", tool_call_id: "t1", content: "42" });
    assert.equal(body.tools[0].function.name, "f");
    assert.equal(body.top_k, 5);
  });
  await t.step("bedrock_claude → bedrock_titan transcript", async () => {
    const out = await gw.formats.convert.mutate({ body: claudeBody("m"), to: "bedrock_titan" });
    const body = out.body as Json;
    assert.match(body.inputText, /User: Say hello/);
    assert.equal(body.textGenerationConfig.maxTokenCount, 50);
  });
  await t.step("bedrock_titan → openai", async () => {
    const out = await gw.formats.convert.mutate({ body: titanBody("m"), to: "openai" });
    assert.deepEqual(out.body, {
      model: "m",
      messages: [{ role: "user", content: "Say hello" }],
      max_tokens: 50,
      temperature: 0.5,
    });
  });
});

Deno.test("tRPC formats.convert: a bad body is BAD_REQUEST naming the field", async () => {
  const gw = client();
  try {
    await gw.formats.convert.mutate({
      body: claudeBody("m", { max_tokens: undefined }),
      to: "openai",
    });
    assert.fail("expected an error");
  } catch (error) {
    assert.ok(error instanceof TRPCClientError, String(error));
    const data = error.data as Json;
    assert.equal(data.code, "BAD_REQUEST");
    assert.equal(data.gateway.param, "max_tokens");
  }
});

Deno.test("tRPC formats.convert: a key superjson cannot send is BAD_REQUEST naming it, not a 500", async (t) => {
  // Found by the fuzz test: unknown fields are kept, and superjson refuses to serialise an answer
  // holding `constructor`, `prototype` or `__proto__` — the answer was a 500. (The typed client
  // refuses to send such input too, so this speaks raw tRPC.)
  const gw = testApp({ API_KEY: KEY });
  const cases: Array<[string, string]> = [
    ["constructor", '{"type":"object","properties":{"constructor":{"type":"string"}}}'],
    ["prototype", '{"type":"object","prototype":{}}'],
  ];
  for (const [key, parameters] of cases) {
    await t.step(key, async () => {
      const body = `{"model":"m","messages":[{"role":"user","content":"Hi"}],` +
        `"tools":[{"type":"function","function":{"name":"f","parameters":${parameters}}}]}`;
      const res = await gw.post(
        "/trpc/formats.convert",
        `{"json":{"body":${body},"to":"bedrock_claude"}}`,
        { authorization: `Bearer ${KEY}` },
      );
      assert.equal(res.status, 400);
      const { error } = await res.json() as Json;
      assert.equal(error.json.data.code, "BAD_REQUEST");
      assert.equal(error.json.data.gateway.param, "body");
      assert.match(error.json.message, new RegExp(`'${key}' \\(at tools\\[0\\]\\.input_schema`));
    });
  }
  // `__proto__` never becomes an own key on the way (zod rebuilds records), so that one passes,
  // polluting nothing.
  const body = `{"model":"m","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":` +
    `"function","function":{"name":"f","parameters":{"__proto__":{"polluted":true}}}}]}`;
  const res = await gw.post(
    "/trpc/formats.convert",
    `{"json":{"body":${body},"to":"bedrock_claude"}}`,
    { authorization: `Bearer ${KEY}` },
  );
  assert.equal(res.status, 200);
  await res.body?.cancel();
  assert.equal(({} as Json).polluted, undefined);
});

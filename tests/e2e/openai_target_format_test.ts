/**
 * The official `openai` client against a spawned gateway, asking for other output formats with
 * `target_format` as a query parameter (`defaultQuery` or per-request `query`): the raw Claude
 * and Titan bodies and streams are read with `.asResponse()` / `.withResponse()`.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { spawnGateway } from "../helpers/server.ts";
import { parseSse } from "../helpers/sse.ts";
import { checkAnthropicStream } from "../helpers/anthropic_stream_checker.ts";

const KEY = "gw-target-format-key";
const MESSAGES = [{ role: "user" as const, content: "alpha beta gamma" }];

Deno.test("openai client with target_format as a query parameter", async (t) => {
  await using gw = await spawnGateway({ API_KEY: KEY });
  const baseURL = `${gw.url}/v1`;
  const claude = new OpenAI({
    apiKey: KEY,
    baseURL,
    maxRetries: 0,
    defaultQuery: { target_format: "bedrock_claude" },
  });
  const plain = new OpenAI({ apiKey: KEY, baseURL, maxRetries: 0 });

  await t.step("defaultQuery bedrock_claude: raw Anthropic message", async () => {
    const response = await claude.chat.completions.create({
      model: "mock-echo",
      messages: MESSAGES,
    })
      .asResponse();
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.type, "message");
    assert.match(body.id, /^msg_/);
    assert.deepEqual(body.content, [{ type: "text", text: "alpha beta gamma" }]);
    assert.equal(body.stop_reason, "end_turn");
    assert.deepEqual(body.usage, { input_tokens: 3, output_tokens: 3 });
  });

  await t.step("defaultQuery bedrock_claude, stream: Anthropic events", async () => {
    const response = await claude.chat.completions.create({
      model: "mock-echo",
      messages: MESSAGES,
      stream: true,
    }).asResponse();
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    const summary = checkAnthropicStream(parseSse(await response.text()));
    assert.equal(summary.text, "alpha beta gamma");
    assert.equal(summary.usage.output_tokens, 3);
  });

  await t.step(
    "per-request query bedrock_titan: withResponse gives the raw Titan body",
    async () => {
      // withResponse reads the body once; its `data` is the JSON as sent (the SDK does not
      // reshape completions), so it is the raw Titan body.
      const { data, response } = await plain.chat.completions.create(
        { model: "mock-echo", messages: MESSAGES, max_tokens: 20 },
        { query: { target_format: "bedrock_titan" } },
      ).withResponse();
      assert.equal(response.status, 200);
      assert.deepEqual(data as unknown, {
        inputTextTokenCount: 3,
        results: [{ tokenCount: 3, outputText: "alpha beta gamma", completionReason: "FINISH" }],
      });
    },
  );

  await t.step(
    "per-request query bedrock_titan, stream: chunks end with completionReason",
    async () => {
      const response = await plain.chat.completions.create(
        { model: "mock-echo", messages: MESSAGES, stream: true },
        { query: { target_format: "bedrock_titan" } },
      ).asResponse();
      const chunks = parseSse(await response.text()).map((e) => JSON.parse(e.data));
      assert.equal(chunks.map((c) => c.outputText).join(""), "alpha beta gamma");
      assert.equal(chunks.at(-1).completionReason, "FINISH");
      assert.equal(chunks.at(-1).totalOutputTextTokenCount, 3);
    },
  );

  await t.step("target_format=openai is the ordinary parsed completion", async () => {
    const completion = await plain.chat.completions.create(
      { model: "mock-echo", messages: MESSAGES },
      { query: { target_format: "openai" } },
    );
    assert.equal(completion.choices[0].message.content, "alpha beta gamma");
  });

  await t.step("unknown target_format → BadRequestError with param", async () => {
    await assert.rejects(
      plain.chat.completions.create(
        { model: "mock-echo", messages: MESSAGES },
        { query: { target_format: "xml" } },
      ),
      (error: unknown) =>
        error instanceof OpenAI.BadRequestError && error.param === "target_format",
    );
  });
});

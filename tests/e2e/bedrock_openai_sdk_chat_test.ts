/**
 * The spawned gateway driven by the official `openai` npm client for Bedrock model ids (through
 * the real AWS SDK against the fake Bedrock): JSON answers with usage and cached tokens, the
 * `bedrock/` prefix, streamed text with and without `include_usage`, a mid-stream exception
 * frame, and reasoning (`reasoning_effort` per model family, streamed and JSON
 * `reasoning_content` with its signature, replayed on the next turn).
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { type StreamFrame, textFrames } from "../fakes/bedrock_runtime.ts";
import {
  bodyOf,
  CLAUDE,
  converseReply,
  NOVA,
  type ReasoningDelta,
  setup,
  stepGroups,
  USER,
} from "./bedrock_harness.ts";

const { group, run } = stepGroups();

group("JSON and streamed text", async (t) => {
  const { fake, client, take } = await setup();

  await t.step("non-stream: text, finish_reason, usage with cached tokens", async () => {
    fake.enqueue(converseReply([{ text: "Hello from Claude" }], "end_turn", {
      inputTokens: 7,
      outputTokens: 4,
      totalTokens: 111,
      cacheReadInputTokens: 100,
    }));
    const answer = await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: "system", content: "Be brief." }, ...USER],
      temperature: 0,
      max_tokens: 50,
      stop: ["END"],
    });
    assert.equal(answer.object, "chat.completion");
    assert.match(answer.id, /^chatcmpl-/);
    assert.equal(answer.model, CLAUDE);
    assert.equal(answer.choices[0].message.content, "Hello from Claude");
    assert.equal(answer.choices[0].finish_reason, "stop");
    assert.equal(answer.usage?.prompt_tokens, 107);
    assert.equal(answer.usage?.completion_tokens, 4);
    assert.equal(answer.usage?.total_tokens, 111);
    assert.equal(answer.usage?.prompt_tokens_details?.cached_tokens, 100);
    const [req] = take();
    assert.equal(req.operation, "converse");
    assert.equal(req.modelId, CLAUDE);
    assert.match(req.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    const body = bodyOf(req);
    assert.deepEqual(body.system, [{ text: "Be brief." }]);
    assert.deepEqual(body.messages, [{ role: "user", content: [{ text: "Say hello" }] }]);
    assert.deepEqual(body.inferenceConfig, {
      maxTokens: 50,
      temperature: 0,
      stopSequences: ["END"],
    });
  });

  await t.step("bedrock/ prefix is stripped; max_tokens stop → length", async () => {
    fake.enqueue(converseReply([{ text: "cut" }], "max_tokens"));
    const answer = await client.chat.completions.create({
      model: `bedrock/${NOVA}`,
      messages: USER,
    });
    assert.equal(answer.choices[0].finish_reason, "length");
    const [req] = take();
    assert.equal(req.modelId, NOVA);
  });

  await t.step("stream without usage: one id, role first, text deltas", async () => {
    fake.enqueue({ kind: "stream", frames: textFrames(["Hel", "lo", " world"]) });
    const stream = await client.chat.completions.create({
      model: CLAUDE,
      messages: USER,
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    assert.ok(chunks.every((c) => c.choices.length === 1), "no usage chunk");
    assert.equal(chunks.map((c) => c.choices[0].delta.content ?? "").join(""), "Hello world");
    assert.equal(chunks.at(-1)?.choices[0].finish_reason, "stop");
    const [req] = take();
    assert.equal(req.operation, "converse-stream");
  });

  await t.step("stream with include_usage: last chunk has choices [] and usage", async () => {
    fake.enqueue({ kind: "stream", frames: textFrames(["a", "b"], "stop_sequence") });
    const stream = await client.chat.completions.create({
      model: NOVA,
      messages: USER,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.deepEqual(last.usage, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    assert.equal(chunks.at(-2)?.choices[0].finish_reason, "stop");
    take();
  });

  await t.step("a mid-stream exception frame surfaces as an APIError while iterating", async () => {
    const frames: StreamFrame[] = [
      ...textFrames(["part"]).slice(0, 2),
      { exception: "modelStreamErrorException", message: "model broke" },
    ];
    fake.enqueue({ kind: "stream", frames });
    const stream = await client.chat.completions.create({
      model: CLAUDE,
      messages: USER,
      stream: true,
    });
    let text = "";
    await assert.rejects(
      async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      },
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.APIError, String(error));
        assert.equal((error.error as { code?: string }).code, "upstream_error");
        return true;
      },
    );
    assert.equal(text, "part");
    take();
  });
});

group("reasoning", async (t) => {
  const { fake, client, take } = await setup();

  await t.step(
    "reasoning_effort → Claude thinking budget; streamed reasoning_content",
    async () => {
      fake.enqueue({
        kind: "stream",
        frames: [
          { event: "messageStart", payload: { role: "assistant" } },
          ...["Let me ", "think."].map((text) => ({
            event: "contentBlockDelta",
            payload: { contentBlockIndex: 0, delta: { reasoningContent: { text } } },
          })),
          {
            event: "contentBlockDelta",
            payload: { contentBlockIndex: 0, delta: { reasoningContent: { signature: "sig-1" } } },
          },
          { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
          { event: "contentBlockDelta", payload: { contentBlockIndex: 1, delta: { text: "42" } } },
          { event: "contentBlockStop", payload: { contentBlockIndex: 1 } },
          { event: "messageStop", payload: { stopReason: "end_turn" } },
          {
            event: "metadata",
            payload: { usage: { inputTokens: 3, outputTokens: 20, totalTokens: 23 }, metrics: {} },
          },
        ],
      });
      const stream = await client.chat.completions.create({
        model: CLAUDE,
        messages: USER,
        reasoning_effort: "low",
        temperature: 0.5,
        stream: true,
      });
      let reasoning = "";
      let signature = "";
      let text = "";
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta as
          & (typeof chunk.choices)[0]["delta"]
          & ReasoningDelta;
        reasoning += delta?.reasoning_content ?? "";
        signature += delta?.reasoning_signature ?? "";
        text += delta?.content ?? "";
      }
      assert.equal(reasoning, "Let me think.");
      assert.equal(signature, "sig-1");
      assert.equal(text, "42");
      const body = bodyOf(take()[0]);
      assert.deepEqual(body.additionalModelRequestFields, {
        thinking: { type: "enabled", budget_tokens: 2048 },
      });
      assert.deepEqual(body.inferenceConfig, { maxTokens: 4096 }, "temperature not sent");
    },
  );

  await t.step("JSON reasoning_content + signature, replayed unchanged next turn", async () => {
    fake.enqueue(converseReply([
      { reasoningContent: { reasoningText: { text: "Adding.", signature: "sig-2" } } },
      { text: "4" },
    ]));
    const first = await client.chat.completions.create({
      model: CLAUDE,
      messages: [{ role: "user", content: "2+2?" }],
      reasoning_effort: "high",
    });
    const message = first.choices[0].message as typeof first.choices[0]["message"] & ReasoningDelta;
    assert.equal(message.content, "4");
    assert.equal(message.reasoning_content, "Adding.");
    assert.equal(message.reasoning_signature, "sig-2");
    assert.deepEqual(bodyOf(take()[0]).additionalModelRequestFields, {
      thinking: { type: "enabled", budget_tokens: 16_384 },
    });

    fake.enqueue(converseReply([{ text: "8" }]));
    await client.chat.completions.create({
      model: CLAUDE,
      reasoning_effort: "high",
      messages: [
        { role: "user", content: "2+2?" },
        message as OpenAI.ChatCompletionAssistantMessageParam,
        { role: "user", content: "times 2?" },
      ],
    });
    const replay = bodyOf(take()[0]).messages[1];
    assert.deepEqual(replay, {
      role: "assistant",
      content: [
        { reasoningContent: { reasoningText: { text: "Adding.", signature: "sig-2" } } },
        { text: "4" },
      ],
    });
  });

  await t.step("Nova 2 → reasoningConfig; gpt-oss → reasoning_effort", async () => {
    await client.chat.completions.create({
      model: "us.amazon.nova-2-lite-v1:0",
      messages: USER,
      reasoning_effort: "medium",
    });
    assert.deepEqual(bodyOf(take()[0]).additionalModelRequestFields, {
      reasoningConfig: { type: "enabled", maxReasoningEffort: "medium" },
    });
    await client.chat.completions.create({
      model: "openai.gpt-oss-120b-1:0",
      messages: USER,
      reasoning_effort: "minimal",
    });
    assert.deepEqual(bodyOf(take()[0]).additionalModelRequestFields, { reasoning_effort: "low" });
  });

  await t.step("reasoning_effort on a model without reasoning → 400 naming it", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: NOVA, messages: USER, reasoning_effort: "high" }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.param, "reasoning_effort");
        return true;
      },
    );
    assert.equal(take().length, 0);
  });
});

Deno.test("bedrock via openai SDK (spawned gateway, fake Bedrock)", run);

/**
 * The `anthropic` provider kind end to end: a spawned gateway configured by ANTHROPIC_API_KEY
 * and ANTHROPIC_BASE_URL (the fake Anthropic API), driven by the official `@anthropic-ai/sdk`
 * (`/v1/messages`, native path: JSON, raw event stream, the `messages.stream()` helper, errors as
 * the SDK's classes) and the official `openai` client (chat completions through the hub, JSON and
 * stream). The upstream key never appears in the gateway's output.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import {
  anthropicError,
  anthropicMessage,
  type FakeAnthropic,
  startFakeAnthropic,
} from "../fakes/anthropic_upstream.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";
import { checkAnthropicStream } from "../helpers/anthropic_stream_checker.ts";

const GATEWAY_KEY = "gw-anthropic-provider-e2e";
const UPSTREAM_KEY = "sk-ant-e2e-upstream-secret";
const MODEL = "anthropic/claude-sonnet-4-5";

interface Setup extends AsyncDisposable {
  fake: FakeAnthropic;
  gw: SpawnedGateway;
}

async function setup(): Promise<Setup> {
  const fake = startFakeAnthropic({ requireKey: UPSTREAM_KEY });
  try {
    const gw = await spawnGateway({
      API_KEY: GATEWAY_KEY,
      ANTHROPIC_API_KEY: UPSTREAM_KEY,
      ANTHROPIC_BASE_URL: fake.url,
      UPSTREAM_MAX_RETRIES: "0",
    });
    return {
      fake,
      gw,
      async [Symbol.asyncDispose]() {
        await gw.stop();
        await fake.close();
      },
    };
  } catch (error) {
    await fake.close();
    throw error;
  }
}

Deno.test("Anthropic SDK → gateway → anthropic provider (native /v1/messages)", async (t) => {
  await using s = await setup();
  const client = new Anthropic({ apiKey: GATEWAY_KEY, baseURL: s.gw.url, maxRetries: 0 });

  await t.step("JSON", async () => {
    s.fake.script(anthropicMessage([{ type: "text", text: "Hi from Claude" }]));
    const message = await client.messages.create({
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: "user", content: "Hello" }],
    });
    assert.equal(message.content[0].type === "text" && message.content[0].text, "Hi from Claude");
    assert.equal(message.stop_reason, "end_turn");
    const sent = s.fake.messageRequests.at(-1)!;
    assert.equal(sent.body!.model, "claude-sonnet-4-5");
    assert.equal(sent.headers.get("x-api-key"), UPSTREAM_KEY);
    assert.equal(sent.headers.get("anthropic-version"), "2023-06-01");
  });

  await t.step("raw event stream, with a beta header passed on", async () => {
    s.fake.script(anthropicMessage([
      { type: "thinking", thinking: "Hmm.", signature: "sig-e2e" },
      { type: "text", text: "Streamed answer" },
    ]));
    const stream = await client.messages.create({
      model: MODEL,
      max_tokens: 2048,
      stream: true,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "Stream please" }],
    }, { headers: { "anthropic-beta": "interleaved-thinking-2025-05-14" } });
    const events: unknown[] = [];
    for await (const event of stream) events.push(event);
    const summary = checkAnthropicStream(events);
    assert.equal(summary.text, "Streamed answer");
    assert.deepEqual(summary.signatures, ["sig-e2e"]);
    const sent = s.fake.messageRequests.at(-1)!;
    assert.equal(sent.headers.get("anthropic-beta"), "interleaved-thinking-2025-05-14");
    assert.equal(sent.body!.stream, true);
  });

  await t.step("messages.stream() helper and finalMessage()", async () => {
    s.fake.script(anthropicMessage([
      { type: "tool_use", id: "toolu_e2e", name: "get_weather", input: { city: "Oslo" } },
    ]));
    const final = await client.messages.stream({
      model: MODEL,
      max_tokens: 64,
      tools: [{ name: "get_weather", input_schema: { type: "object" } }],
      messages: [{ role: "user", content: "Weather in Oslo?" }],
    }).finalMessage();
    assert.equal(final.stop_reason, "tool_use");
    const block = final.content[0];
    assert.ok(block.type === "tool_use");
    assert.deepEqual(block.input, { city: "Oslo" });
  });

  await t.step("529 overloaded → the SDK sees 503", async () => {
    s.fake.script(anthropicError(529, "overloaded_error", "Overloaded"));
    await assert.rejects(
      client.messages.create({
        model: MODEL,
        max_tokens: 8,
        messages: [{ role: "user", content: "x" }],
      }),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError);
        assert.equal(error.status, 503);
        assert.equal(error.type, "overloaded_error");
        return true;
      },
    );
  });

  assert.ok(!s.gw.stdout().includes(UPSTREAM_KEY) && !s.gw.stderr().includes(UPSTREAM_KEY));
});

Deno.test("openai client → gateway → anthropic provider (hub)", async (t) => {
  await using s = await setup();
  const client = new OpenAI({ apiKey: GATEWAY_KEY, baseURL: `${s.gw.url}/v1`, maxRetries: 0 });

  await t.step("chat completion", async () => {
    s.fake.script(anthropicMessage([{ type: "text", text: "Via the hub" }]));
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Hello" }],
    });
    assert.equal(completion.choices[0].message.content, "Via the hub");
    assert.equal(s.fake.messageRequests.at(-1)!.body!.max_tokens, 4096);
  });

  await t.step("streamed chat completion", async () => {
    s.fake.script(anthropicMessage([{ type: "text", text: "Streaming via the hub" }]));
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Stream" }],
      stream: true,
    });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, "Streaming via the hub");
    assert.equal(finish, "stop");
  });

  await t.step("models list names the instance's models", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.ok(ids.includes("claude-haiku-4-5"), ids.join(","));
  });

  assert.ok(!s.gw.stdout().includes(UPSTREAM_KEY) && !s.gw.stderr().includes(UPSTREAM_KEY));
});

/**
 * Shared setup of the format tests: one in-process gateway wired to the fake OpenAI upstream
 * and the fake Bedrock runtime (mock models on), request bodies of the three formats, and the
 * native Claude / Titan replies Bedrock's InvokeModel[WithResponseStream] sends.
 *
 * @example
 * await using h = await formatsGateway();
 * h.bedrock.enqueue(claudeJson(claudeMessage("Hi")));
 * const res = await h.gw.post("/v1/chat/completions", claudeBody(CLAUDE_MODEL));
 */
import type { TestApp } from "../helpers/app.ts";
import type { FakeBedrock, Reply, StreamFrame } from "../fakes/bedrock_runtime.ts";
import { type FakeOpenAI, startFakeOpenAI } from "../fakes/openai_upstream.ts";
import { bedrockGateway } from "./bedrock_harness.ts";

/** A Claude model on Bedrock (native path for Claude bodies). */
export const CLAUDE_MODEL = "us.anthropic.claude-3-5-haiku-20241022-v1:0";
/** A Titan model on Bedrock (native path for Titan bodies). */
export const TITAN_MODEL = "amazon.titan-text-express-v1";
/** A Nova model on Bedrock (always Converse). */
export const NOVA_MODEL = "amazon.nova-lite-v1:0";
/** An OpenAI model (fake OpenAI upstream). */
export const OPENAI_MODEL = "gpt-4o";
/** The built-in mock model (answers with the last user text). */
export const MOCK_MODEL = "mock-echo";

/** The gateway and its two fake upstreams. */
export interface FormatsHarness extends AsyncDisposable {
  gw: TestApp;
  bedrock: FakeBedrock;
  openai: FakeOpenAI;
}

/** Starts both fakes and the gateway (`env` adds gateway configuration). */
export async function formatsGateway(
  env: Record<string, string | undefined> = {},
): Promise<FormatsHarness> {
  const openai = await startFakeOpenAI();
  const harness = bedrockGateway({
    env: { OPENAI_API_KEY: "sk-test-upstream", OPENAI_BASE_URL: openai.url, ...env },
  });
  return {
    gw: harness.gw,
    bedrock: harness.fake,
    openai,
    async [Symbol.asyncDispose]() {
      await harness[Symbol.asyncDispose]();
      await openai.close();
    },
  };
}

/** An OpenAI request body. */
export function openaiBody(model: string, extra: Record<string, unknown> = {}) {
  return {
    model,
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Say hello" },
    ],
    max_tokens: 50,
    ...extra,
  };
}

/** A Bedrock Claude request body (with `top_k`, a Claude-only parameter). */
export function claudeBody(model: string, extra: Record<string, unknown> = {}) {
  return {
    anthropic_version: "bedrock-2023-05-31",
    model,
    max_tokens: 50,
    system: "Be brief.",
    messages: [{ role: "user", content: "Say hello" }],
    temperature: 0.5,
    top_k: 5,
    ...extra,
  };
}

/** A Bedrock Titan request body. */
export function titanBody(model: string, extra: Record<string, unknown> = {}) {
  return {
    model,
    inputText: "Say hello",
    textGenerationConfig: { maxTokenCount: 50, temperature: 0.5 },
    ...extra,
  };
}

/** The body without the gateway-only fields (what the native path must send). */
export function withoutGatewayFields(body: Record<string, unknown>): Record<string, unknown> {
  const { model: _model, stream: _stream, file_ids: _files, ...rest } = body;
  return rest;
}

/** An Anthropic message as Claude on Bedrock returns it. */
export function claudeMessage(text: string, extra: Record<string, unknown> = {}) {
  return {
    id: "msg_bdrk_01",
    type: "message",
    role: "assistant",
    model: "claude-3-5-haiku-20241022",
    content: [{ type: "text", text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: 9, output_tokens: 4 },
    ...extra,
  };
}

/** The Anthropic events Claude on Bedrock streams for a text answer made of `pieces`. */
export function claudeTextEvents(pieces: string[], stopReason = "end_turn"): unknown[] {
  return [
    {
      type: "message_start",
      message: {
        ...claudeMessage(""),
        content: [],
        stop_reason: null,
        usage: {
          input_tokens: 9,
          output_tokens: 1,
        },
      },
    },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    ...pieces.map((text) => ({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text },
    })),
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: pieces.length },
    },
    {
      type: "message_stop",
      "amazon-bedrock-invocationMetrics": {
        inputTokenCount: 9,
        outputTokenCount: pieces.length,
        invocationLatency: 100,
        firstByteLatency: 50,
      },
    },
  ];
}

/** A Titan InvokeModel answer. */
export function titanResult(text: string, reason = "FINISH") {
  return {
    inputTextTokenCount: 3,
    results: [{ tokenCount: 2, outputText: text, completionReason: reason }],
  };
}

/** The chunks Titan streams for `pieces`; the last carries the reason and counts. */
export function titanChunks(pieces: string[], reason = "FINISH"): unknown[] {
  return pieces.map((outputText, index) => {
    const last = index === pieces.length - 1;
    return {
      outputText,
      index: 0,
      totalOutputTextTokenCount: last ? pieces.length : null,
      completionReason: last ? reason : null,
      inputTextTokenCount: index === 0 ? 3 : null,
      ...(last
        ? {
          "amazon-bedrock-invocationMetrics": {
            inputTokenCount: 3,
            outputTokenCount: pieces.length,
          },
        }
        : {}),
    };
  });
}

const utf8 = new TextEncoder();

function base64(text: string): string {
  let binary = "";
  for (const byte of utf8.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** InvokeModelWithResponseStream frames: each object as a `chunk` event's base64 `bytes`. */
export function chunkFrames(events: unknown[]): StreamFrame[] {
  return events.map((event) => ({
    event: "chunk",
    payload: { bytes: base64(JSON.stringify(event)) },
  }));
}

/** A native JSON reply (InvokeModel). */
export const nativeJson = (body: unknown): Reply => ({ kind: "json", body });

/** A native stream reply (InvokeModelWithResponseStream). */
export const nativeStream = (events: unknown[]): Reply => ({
  kind: "stream",
  frames: chunkFrames(events),
});

/**
 * The 3 × 3 format matrix over HTTP in process: every input format (openai, bedrock_claude,
 * bedrock_titan) × every `target_format`, streamed and not, against every kind of upstream —
 * the fake OpenAI, Claude and Titan on the fake Bedrock (native InvokeModel for their own body
 * format, Converse otherwise), Nova (Converse) and the mock provider. Each case asserts what the
 * upstream received and what the client got; every Claude stream goes through the Anthropic
 * stream checker, native answers in their own format must come back byte-for-byte unchanged.
 */
import assert from "node:assert/strict";
import { converseText, textFrames } from "../fakes/bedrock_runtime.ts";
import { completion, streamReply, textDeltas } from "../fakes/openai_upstream.ts";
import { readSse } from "../helpers/sse.ts";
import { checkAnthropicStream } from "../helpers/anthropic_stream_checker.ts";
import {
  CLAUDE_MODEL,
  claudeBody,
  claudeMessage,
  claudeTextEvents,
  formatsGateway,
  type FormatsHarness,
  MOCK_MODEL,
  nativeJson,
  nativeStream,
  NOVA_MODEL,
  OPENAI_MODEL,
  openaiBody,
  TITAN_MODEL,
  titanBody,
  titanChunks,
  titanResult,
  withoutGatewayFields,
} from "./formats_harness.ts";

type Format = "openai" | "bedrock_claude" | "bedrock_titan";
type Upstream = "openai" | "claude" | "titan" | "nova" | "mock";
type Path = "openai" | "native" | "converse" | "mock";

const FORMATS: Format[] = ["openai", "bedrock_claude", "bedrock_titan"];
const UPSTREAMS: Record<Upstream, string> = {
  openai: OPENAI_MODEL,
  claude: CLAUDE_MODEL,
  titan: TITAN_MODEL,
  nova: NOVA_MODEL,
  mock: MOCK_MODEL,
};
const PIECES = ["Hello", " there"];

function pathOf(input: Format, upstream: Upstream): Path {
  if (upstream === "openai" || upstream === "mock") return upstream;
  if (upstream === "claude" && input === "bedrock_claude") return "native";
  if (upstream === "titan" && input === "bedrock_titan") return "native";
  return "converse";
}

function bodyOf(input: Format, model: string, stream: boolean): Record<string, unknown> {
  const extra = stream ? { stream: true } : {};
  switch (input) {
    case "openai":
      return openaiBody(model, extra);
    case "bedrock_claude":
      // Titan has no top_k: the gateway refuses it (400 naming top_k) rather than drop it.
      return claudeBody(model, model === TITAN_MODEL ? { ...extra, top_k: undefined } : extra);
    case "bedrock_titan":
      return titanBody(model, extra);
  }
}

/** What the native upstream answers (JSON body or the events it streams). */
function nativeAnswer(input: Format, stream: boolean): unknown {
  if (input === "bedrock_claude") {
    return stream ? claudeTextEvents(PIECES) : claudeMessage(PIECES.join(""));
  }
  return stream ? titanChunks(PIECES) : titanResult(PIECES.join(""));
}

function script(h: FormatsHarness, input: Format, path: Path, stream: boolean): void {
  switch (path) {
    case "openai":
      h.openai.script(
        stream ? streamReply(textDeltas(PIECES)) : completion({ content: PIECES.join("") }),
      );
      return;
    case "converse":
      h.bedrock.enqueue(
        stream ? { kind: "stream", frames: textFrames(PIECES) } : converseText(PIECES.join("")),
      );
      return;
    case "native": {
      const answer = nativeAnswer(input, stream);
      h.bedrock.enqueue(stream ? nativeStream(answer as unknown[]) : nativeJson(answer));
      return;
    }
    case "mock":
      return;
  }
}

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

/** Checks what the upstream received. */
function checkUpstream(
  h: FormatsHarness,
  input: Format,
  path: Path,
  model: string,
  body: Record<string, unknown>,
  stream: boolean,
): void {
  switch (path) {
    case "openai": {
      assert.equal(h.openai.chatRequests.length, 1);
      const sent = h.openai.chatRequests[0].body as Json;
      assert.equal(sent.model, model);
      assert.equal(sent.stream, stream);
      assert.ok(
        sent.messages.some((m: Json) => m.role === "user" && m.content === "Say hello"),
        JSON.stringify(sent.messages),
      );
      // Gateway extension fields from the Claude conversion never reach OpenAI.
      assert.equal("top_k" in sent, false);
      assert.equal(sent.max_tokens, 50);
      return;
    }
    case "native": {
      assert.equal(h.bedrock.requests.length, 1);
      const request = h.bedrock.requests[0];
      assert.equal(request.operation, stream ? "invoke-with-response-stream" : "invoke");
      assert.equal(request.modelId, model);
      assert.deepEqual(request.body, withoutGatewayFields(body));
      return;
    }
    case "converse": {
      assert.equal(h.bedrock.requests.length, 1);
      const request = h.bedrock.requests[0];
      assert.equal(request.operation, stream ? "converse-stream" : "converse");
      const sent = request.body as Json;
      const userTexts = sent.messages.flatMap((m: Json) =>
        m.role === "user" ? m.content.map((c: Json) => c.text) : []
      );
      assert.ok(userTexts.some((t: string) => t.includes("Say hello")), JSON.stringify(sent));
      assert.equal(sent.inferenceConfig.maxTokens, 50);
      return;
    }
    case "mock":
      assert.equal(h.openai.chatRequests.length + h.bedrock.requests.length, 0);
      return;
  }
  void input;
}

/** Reads the client's answer in `target` format, checking its shape; returns the text. */
async function readAnswer(res: Response, target: Format, stream: boolean): Promise<string> {
  if (!stream) {
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json() as Json;
    switch (target) {
      case "openai":
        assert.equal(body.object, "chat.completion");
        assert.match(body.id, /^chatcmpl-/);
        assert.equal(body.choices[0].finish_reason, "stop");
        assert.equal(typeof body.usage.total_tokens, "number");
        return body.choices[0].message.content;
      case "bedrock_claude":
        assert.equal(body.type, "message");
        assert.match(body.id, /^msg_/);
        assert.equal(body.role, "assistant");
        assert.equal(body.stop_reason, "end_turn");
        assert.equal(typeof body.usage.output_tokens, "number");
        return body.content.map((b: Json) => b.text).join("");
      case "bedrock_titan":
        assert.equal(typeof body.inputTextTokenCount, "number");
        assert.equal(body.results[0].completionReason, "FINISH");
        return body.results[0].outputText;
    }
  }
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const events = await readSse(res);
  switch (target) {
    case "openai": {
      assert.equal(events.at(-1)?.data, "[DONE]");
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as Json);
      assert.ok(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0].id));
      assert.ok(chunks.some((c) => c.choices[0]?.finish_reason === "stop"));
      return chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    }
    case "bedrock_claude": {
      const summary = checkAnthropicStream(events);
      assert.equal(summary.stopReason, "end_turn");
      return summary.text;
    }
    case "bedrock_titan": {
      assert.ok(events.every((e) => e.event === undefined && e.data !== "[DONE]"));
      const chunks = events.map((e) => JSON.parse(e.data) as Json);
      assert.equal(chunks.at(-1)?.completionReason, "FINISH");
      assert.ok(chunks.slice(0, -1).every((c) => c.completionReason === null));
      return chunks.map((c) => c.outputText).join("");
    }
  }
}

/** For native answers in their own format: the events / body the client got, unchanged. */
async function readRaw(res: Response, stream: boolean): Promise<unknown> {
  if (!stream) return await res.json();
  const events = await readSse(res);
  if (events[0]?.event !== undefined) checkAnthropicStream(events);
  return events.map((e) => JSON.parse(e.data));
}

for (const stream of [false, true]) {
  for (const input of FORMATS) {
    Deno.test(`matrix: ${input} input, ${stream ? "streamed" : "JSON"}`, async (t) => {
      for (const target of FORMATS) {
        for (const [upstream, model] of Object.entries(UPSTREAMS) as Array<[Upstream, string]>) {
          const path = pathOf(input, upstream);
          await t.step(`→ ${target} via ${upstream} (${path})`, async () => {
            await using h = await formatsGateway();
            script(h, input, path, stream);
            const body = bodyOf(input, model, stream);
            const res = await h.gw.post(`/v1/chat/completions?target_format=${target}`, body);
            assert.equal(res.status, 200, await res.clone().text());
            if (path === "native" && target === input) {
              assert.deepEqual(await readRaw(res, stream), nativeAnswer(input, stream));
            } else {
              const text = await readAnswer(res, target, stream);
              assert.equal(text, path === "mock" ? "Say hello" : PIECES.join(""));
            }
            checkUpstream(h, input, path, model, body, stream);
          });
        }
      }
    });
  }
}

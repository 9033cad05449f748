/**
 * What the fakes answer to fuzzed requests that reached them (no script can know them in
 * advance): a valid answer of the request's own shape — JSON or stream, text or, every other time
 * the request offers tools, a call of its first tool — so the gateway's response and stream
 * converters run on every path the fuzz test reaches.
 *
 * @example
 * await startFakeOpenAI({ fallback: openaiFallback() });
 * startFakeBedrock({ fallback: bedrockFallback() });
 */
import type { RecordedRequest as BedrockRequest, Reply } from "../fakes/bedrock_runtime.ts";
import {
  completion,
  type RecordedRequest as OpenAIRequest,
  type Reply as OpenAIReply,
  streamReply,
  textDeltas,
  toolCallDeltas,
} from "../fakes/openai_replies.ts";
import {
  claudeMessage,
  claudeTextEvents,
  nativeJson,
  nativeStream,
  titanChunks,
  titanResult,
} from "./formats_harness.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const ARGS = '{"a":1}';

/** Alternates true/false per call: half of the tool-offering requests get a tool call. */
function alternator(): () => boolean {
  let n = 0;
  return () => n++ % 2 === 0;
}

/** The fake OpenAI's fallback. */
export function openaiFallback(): (request: OpenAIRequest) => OpenAIReply {
  const callTool = alternator();
  return (request) => {
    const body = request.body as Json;
    const tool = body?.tools?.[0]?.function?.name;
    const useTool = typeof tool === "string" && callTool();
    if (body?.stream === true) {
      return streamReply(
        useTool
          ? toolCallDeltas([{ id: "call_fz", name: tool, argumentFragments: ['{"a"', ":1}"] }])
          : textDeltas(["Fuzz", " ok"]),
      );
    }
    return useTool
      ? completion({
        toolCalls: [{ id: "call_fz", name: tool, arguments: ARGS }],
        finishReason: "tool_calls",
      })
      : completion({ content: "Fuzz ok" });
  };
}

function converseToolReply(name: string, stream: boolean): Reply {
  if (!stream) {
    return {
      kind: "json",
      body: {
        output: {
          message: {
            role: "assistant",
            content: [{ toolUse: { toolUseId: "tooluse_fz", name, input: { a: 1 } } }],
          },
        },
        stopReason: "tool_use",
        usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 },
      },
    };
  }
  return {
    kind: "stream",
    frames: [
      { event: "messageStart", payload: { role: "assistant" } },
      {
        event: "contentBlockStart",
        payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId: "tooluse_fz", name } } },
      },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: 0, delta: { toolUse: { input: ARGS } } },
      },
      { event: "contentBlockStop", payload: { contentBlockIndex: 0 } },
      { event: "messageStop", payload: { stopReason: "tool_use" } },
      {
        event: "metadata",
        payload: { usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 }, metrics: {} },
      },
    ],
  };
}

function claudeToolEvents(name: string): unknown[] {
  const [start, ...rest] = claudeTextEvents([]);
  return [
    start,
    {
      type: "content_block_start",
      index: 0,
      content_block: { type: "tool_use", id: "toolu_fz", name, input: {} },
    },
    {
      type: "content_block_delta",
      index: 0,
      delta: { type: "input_json_delta", partial_json: ARGS },
    },
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { output_tokens: 3 },
    },
    rest[rest.length - 1],
  ];
}

/** The fake Bedrock's fallback (Converse, and native Claude / Titan InvokeModel; embedding
 * models get the fake's own embedding answer). */
export function bedrockFallback(): (request: BedrockRequest) => Reply | undefined {
  const callTool = alternator();
  return (request) => {
    const body = request.body as Json;
    const claude = body !== undefined && "anthropic_version" in body;
    const converseTool = body?.toolConfig?.tools?.[0]?.toolSpec?.name;
    const claudeTool = claude ? body?.tools?.find((t: Json) => t?.input_schema)?.name : undefined;
    switch (request.operation) {
      case "converse":
      case "converse-stream":
        return typeof converseTool === "string" && callTool()
          ? converseToolReply(converseTool, request.operation === "converse-stream")
          : undefined; // the fake's default text answer
      case "invoke":
        if (request.modelId?.includes("embed")) return undefined; // the fake's embedding answer
        if (!claude) return nativeJson(titanResult("Fuzz ok"));
        return nativeJson(
          typeof claudeTool === "string" && callTool()
            ? claudeMessage("", {
              content: [{ type: "tool_use", id: "toolu_fz", name: claudeTool, input: { a: 1 } }],
              stop_reason: "tool_use",
            })
            : claudeMessage("Fuzz ok"),
        );
      case "invoke-with-response-stream":
        if (!claude) return nativeStream(titanChunks(["Fuzz", " ok"]));
        return nativeStream(
          typeof claudeTool === "string" && callTool()
            ? claudeToolEvents(claudeTool)
            : claudeTextEvents(["Fuzz", " ok"]),
        );
      default:
        return undefined;
    }
  };
}

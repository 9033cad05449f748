/**
 * A scripted model behind the fake upstreams, for agents that send an unknown number of
 * requests (Codex, the Agents SDK, the Vercel AI SDK): responders, not scripts. Each request is
 * read in its upstream's own wire format (OpenAI chat completions, Bedrock Converse, OpenAI
 * Responses) and answered in it, streamed or not as asked:
 *
 * - the last turn is a tool result → the text `Tool said: <result>`;
 * - the last user text holds a directive `[[call NAME {json args}]]` and NAME is among the
 *   offered tools → a call of NAME with those arguments (on Converse with Claude's thinking on,
 *   after a signed thinking block, which the next request must replay);
 * - otherwise → `Hello from <upstream>.`
 *
 * So a prompt decides what the model does, and an answer that carries a tool's output proves the
 * client ran the tool and sent its result back.
 *
 * @example
 * openai.respondWith(chatResponder());
 * bedrock.respondWith(converseResponder());
 */
import type {
  RecordedRequest as BedrockRequest,
  Reply as BedrockReply,
  StreamFrame,
} from "../fakes/bedrock_runtime.ts";
import {
  completion,
  type RecordedRequest as OpenAIRequest,
  type Reply as OpenAIReply,
  type ResponsesAnswer,
  streamReply,
  textDeltas,
  toolCallDeltas,
} from "../fakes/openai_upstream.ts";

/** What the scripted model does next. */
export type Move =
  | { kind: "report"; result: string }
  | { kind: "call"; name: string; args: string }
  | { kind: "greet" };

const DIRECTIVE = /\[\[call ([A-Za-z0-9_.-]+) (\{.*?\})\]\]/s;

/** The model's next move from the last tool result, the last user text and the tool names. */
export function nextMove(
  toolResult: string | undefined,
  userText: string,
  tools: string[],
): Move {
  if (toolResult !== undefined) return { kind: "report", result: toolResult.trim() };
  const directive = DIRECTIVE.exec(userText);
  if (directive !== null && tools.includes(directive[1])) {
    return { kind: "call", name: directive[1], args: directive[2] };
  }
  return { kind: "greet" };
}

/** The text of the scripted model's answer (for a report or a greeting). */
export function answerText(move: Move, upstream: string): string {
  return move.kind === "report" ? `Tool said: ${move.result}` : `Hello from ${upstream}.`;
}

/** Text of string or `[{text}]`-style content. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) =>
    typeof part?.text === "string" ? part.text : typeof part === "string" ? part : ""
  ).join("\n");
}

// ------------------------------------------------------------------ OpenAI chat completions

/** The move for a chat completions body. */
export function chatMove(body: Record<string, unknown>): Move {
  const messages = (body.messages ?? []) as Array<{ role: string; content: unknown }>;
  const last = messages.at(-1);
  const tools = ((body.tools ?? []) as Array<{ function?: { name?: string } }>)
    .map((t) => t.function?.name ?? "");
  const user = messages.findLast((m) => m.role === "user");
  return nextMove(
    last?.role === "tool" ? textOf(last.content) : undefined,
    textOf(user?.content),
    tools,
  );
}

let chatCalls = 0;

/** What the scripted model answers when a JSON schema is asked for (`response_format`). */
export const SCRIPTED_OBJECT = { city: "Paris", sunny: true, degrees: 21 };

/**
 * Answers every `POST /chat/completions` with the scripted model (JSON or SSE); asked for a
 * `json_schema` response format, it answers {@link SCRIPTED_OBJECT}.
 */
export function chatResponder(upstream = "GPT") {
  return (request: OpenAIRequest): OpenAIReply => {
    const body = request.body as Record<string, unknown>;
    const format = body.response_format as { type?: string } | undefined;
    const move = chatMove(body);
    const stream = body.stream === true;
    if (format?.type === "json_schema" && move.kind === "greet") {
      const json = JSON.stringify(SCRIPTED_OBJECT);
      return stream ? streamReply(textDeltas([json])) : completion({ content: json });
    }
    if (move.kind === "call") {
      const id = `call_chat_${++chatCalls}`;
      if (!stream) {
        return completion({ toolCalls: [{ id, name: move.name, arguments: move.args }] });
      }
      return streamReply(toolCallDeltas([{ id, name: move.name, argumentFragments: [move.args] }]));
    }
    const text = answerText(move, upstream);
    return stream ? streamReply(textDeltas([text])) : completion({ content: text });
  };
}

// ------------------------------------------------------------------ Bedrock Converse

/** The move for a Converse body. */
export function converseMove(body: Record<string, unknown>): Move {
  type Block = { text?: string; toolResult?: { content?: Array<{ text?: string }> } };
  const messages = (body.messages ?? []) as Array<{ role: string; content: Block[] }>;
  const last = messages.at(-1);
  const result = last?.role === "user"
    ? last.content.find((b) => b.toolResult !== undefined)?.toolResult
    : undefined;
  const config = body.toolConfig as { tools?: Array<{ toolSpec?: { name?: string } }> } | undefined;
  const tools = (config?.tools ?? []).map((t) => t.toolSpec?.name ?? "");
  const user = messages.findLast((m) => m.role === "user" && m.content.some((b) => b.text));
  return nextMove(
    result === undefined ? undefined : (result.content ?? []).map((c) => c.text ?? "").join("\n"),
    (user?.content ?? []).map((b) => b.text ?? "").join("\n"),
    tools,
  );
}

const USAGE = { inputTokens: 11, outputTokens: 7, totalTokens: 18 };

/** Whether a Converse body turned Claude's extended thinking on. */
export function thinkingOn(body: Record<string, unknown>): boolean {
  const fields = body.additionalModelRequestFields as { thinking?: { type?: string } } | undefined;
  return fields?.thinking?.type === "enabled" || fields?.thinking?.type === "adaptive";
}

/** The thinking the scripted Claude does before a tool call (when thinking is on). */
export function scriptedThinking(id: string): { text: string; signature: string } {
  return { text: `I will call the tool (${id}).`, signature: `sig-${id}` };
}

function converseFrames(
  move: Move,
  upstream: string,
  id: string,
  thinking: boolean,
): StreamFrame[] {
  const stop = move.kind === "call" ? "tool_use" : "end_turn";
  const frames: StreamFrame[] = [{ event: "messageStart", payload: { role: "assistant" } }];
  let index = 0;
  if (move.kind === "call" && thinking) {
    const { text, signature } = scriptedThinking(id);
    for (const reasoningContent of [{ text }, { signature }]) {
      frames.push({
        event: "contentBlockDelta",
        payload: { contentBlockIndex: index, delta: { reasoningContent } },
      });
    }
    frames.push({ event: "contentBlockStop", payload: { contentBlockIndex: index++ } });
  }
  if (move.kind === "call") {
    frames.push(
      {
        event: "contentBlockStart",
        payload: {
          contentBlockIndex: index,
          start: { toolUse: { toolUseId: id, name: move.name } },
        },
      },
      {
        event: "contentBlockDelta",
        payload: { contentBlockIndex: index, delta: { toolUse: { input: move.args } } },
      },
    );
  } else {
    frames.push({
      event: "contentBlockDelta",
      payload: { contentBlockIndex: index, delta: { text: answerText(move, upstream) } },
    });
  }
  return [
    ...frames,
    { event: "contentBlockStop", payload: { contentBlockIndex: index } },
    { event: "messageStop", payload: { stopReason: stop } },
    { event: "metadata", payload: { usage: USAGE, metrics: { latencyMs: 5 } } },
  ];
}

let converseCalls = 0;

/** Answers every Converse / ConverseStream request with the scripted model. */
export function converseResponder(upstream = "Bedrock") {
  return (request: BedrockRequest): BedrockReply | undefined => {
    if (!request.operation.startsWith("converse")) return undefined;
    const body = request.body as Record<string, unknown>;
    const move = converseMove(body);
    const id = `tooluse_${++converseCalls}`;
    const thinking = thinkingOn(body);
    if (request.operation === "converse-stream") {
      return { kind: "stream", frames: converseFrames(move, upstream, id, thinking) };
    }
    const content = move.kind === "call"
      ? [
        ...(thinking ? [{ reasoningContent: { reasoningText: scriptedThinking(id) } }] : []),
        { toolUse: { toolUseId: id, name: move.name, input: JSON.parse(move.args) } },
      ]
      : [{ text: answerText(move, upstream) }];
    return {
      kind: "json",
      body: {
        output: { message: { role: "assistant", content } },
        stopReason: move.kind === "call" ? "tool_use" : "end_turn",
        usage: USAGE,
        metrics: { latencyMs: 5 },
      },
    };
  };
}

// ------------------------------------------------------------------ OpenAI Responses

/** The move for a Responses body (what a native upstream sees). */
export function responsesMove(body: Record<string, unknown>): Move {
  type Item = { type?: string; role?: string; content?: unknown; output?: unknown };
  const input: Item[] = typeof body.input === "string"
    ? [{ type: "message", role: "user", content: body.input }]
    : (body.input ?? []) as Item[];
  const last = input.at(-1);
  const tools = ((body.tools ?? []) as Array<{ name?: string }>).map((t) => t.name ?? "");
  const user = input.findLast((i) => (i.type ?? "message") === "message" && i.role === "user");
  return nextMove(
    last?.type === "function_call_output" ? textOf(last.output) : undefined,
    textOf(user?.content),
    tools,
  );
}

let responsesCalls = 0;

/** Answers every `POST /responses` of a native Responses upstream with the scripted model. */
export function responsesResponder(upstream = "GPT Responses") {
  return (request: OpenAIRequest): ResponsesAnswer => {
    const move = responsesMove(request.body as Record<string, unknown>);
    if (move.kind === "call") {
      const call_id = `call_resp_${++responsesCalls}`;
      return { calls: [{ name: move.name, arguments: move.args, call_id }] };
    }
    return { text: answerText(move, upstream) };
  };
}

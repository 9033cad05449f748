/**
 * The built-in mock provider: deterministic answers with no credentials, so the gateway does
 * its main job out of the box. `mock-echo` answers with the last user message's text, streamed
 * word by word, with usage counted in whitespace-separated words. `mock-slow` answers the same,
 * one word every {@link MOCK_SLOW_WORD_MS} ms (a long stream, e.g. to watch a shutdown).
 * `mock-embed` answers embeddings (`mock_embed.ts`).
 */
import { GatewayError } from "../../errors.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  ChatRequest,
  ModelInfo,
  Usage,
} from "../../formats/openai/schema.ts";
import type { CallContext, ChatProvider } from "../provider.ts";
import { embedMock, MOCK_EMBEDDING_MODELS } from "./mock_embed.ts";

/** Models the mock provider serves. */
export const MOCK_MODELS = ["mock-echo", "mock-slow"] as const;

/** The pause before each word of `mock-slow`. */
export const MOCK_SLOW_WORD_MS = 200;

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** Creation time reported for mock models (fixed, so listings are deterministic). */
const MOCK_CREATED = 1_700_000_000;

/** Text of a message's content, parts joined by newlines; non-text parts are skipped. */
export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  return content.map((p) => ("text" in p && typeof p.text === "string" ? p.text : "")).filter((t) =>
    t !== ""
  ).join("\n");
}

/** Counts whitespace-separated words without building a list of them (bodies can be MiBs). */
function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const space = code === 32 || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(text[i]));
    if (!space && !inWord) words++;
    inWord = !space;
  }
  return words;
}

/** Prompt tokens as the mock counts them: words of every message. */
function promptWords(request: ChatRequest): number {
  return request.messages.reduce((n, m) => n + countWords(messageText(m)), 0);
}

/** Throws 404 `model_not_found` unless `model` is one of {@link MOCK_MODELS}. */
function checkModel(model: string): void {
  if (!(MOCK_MODELS as readonly string[]).includes(model)) {
    throw new GatewayError("not_found", `The model '${model}' does not exist.`, {
      code: "model_not_found",
      param: "model",
    });
  }
}

function answerFor(request: ChatRequest): { text: string; usage: Usage } {
  checkModel(request.model);
  const lastUser = request.messages.findLast((m) => m.role === "user");
  const text = lastUser === undefined ? "" : messageText(lastUser);
  const prompt = promptWords(request);
  const completion = countWords(text);
  return {
    text,
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    },
  };
}

/** Splits text into word-by-word stream pieces that concatenate back to the original, lazily
 * (a long text is streamed without holding every piece at once). */
export function* wordPieces(text: string): Generator<string> {
  let any = false;
  for (const match of text.matchAll(/\s*\S+\s*/g)) {
    any = true;
    yield match[0];
  }
  if (!any && text !== "") yield text;
}

/** Creates the mock provider; `id` is its instance id (default `mock`), also its `owned_by`. */
export function createMockProvider(id = "mock"): ChatProvider {
  return {
    name: id,
    async complete(request: ChatRequest, ctx: CallContext): Promise<ChatCompletion> {
      const { text, usage } = answerFor(request);
      if (request.model === "mock-slow") {
        await pause(MOCK_SLOW_WORD_MS * usage.completion_tokens, ctx.signal);
      }
      return {
        id: ctx.newId("chatcmpl-"),
        object: "chat.completion",
        created: Math.floor(ctx.now().getTime() / 1000),
        model: request.model,
        choices: [{
          index: 0,
          message: { role: "assistant", content: text, refusal: null },
          finish_reason: "stop",
          logprobs: null,
        }],
        usage,
      };
    },
    async *stream(request: ChatRequest, ctx: CallContext): AsyncIterable<ChatCompletionChunk> {
      const { text, usage } = answerFor(request);
      const base = {
        id: ctx.newId("chatcmpl-"),
        object: "chat.completion.chunk" as const,
        created: Math.floor(ctx.now().getTime() / 1000),
        model: request.model,
      };
      yield {
        ...base,
        choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
      };
      const slow = request.model === "mock-slow";
      for (const piece of wordPieces(text)) {
        if (slow) await pause(MOCK_SLOW_WORD_MS, ctx.signal);
        if (ctx.signal.aborted) return;
        yield { ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] };
      }
      yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] };
      yield { ...base, choices: [], usage };
    },
    promptTokens: promptWords,
    embed: embedMock,
    countTokens(request) {
      // The exact count: what the answer's usage.prompt_tokens will say.
      checkModel(request.model);
      return Promise.resolve({ inputTokens: promptWords(request.canonical()), exact: true });
    },
    listModels(): Promise<ModelInfo[]> {
      return Promise.resolve(
        [...MOCK_MODELS, ...MOCK_EMBEDDING_MODELS].map((model) => ({
          id: model,
          object: "model",
          created: MOCK_CREATED,
          owned_by: id,
        })),
      );
    },
  };
}

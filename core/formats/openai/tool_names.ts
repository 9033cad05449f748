/**
 * Tool names longer than an upstream allows: Anthropic takes 128 characters (MCP tools such as
 * `mcp__server__tool` use them), OpenAI and Converse 64. A long name is shortened to its first
 * characters plus `_` and an 8-hex-digit FNV-1a hash of the whole name — stable across requests
 * (the same name always maps to the same short name, so history and new turns agree) — and
 * mapped back in responses and stream chunks. Collisions (with another tool's short or unchanged
 * name) get a numeric suffix, so the mapping is always one-to-one.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from "./schema.ts";

/** The tool-name limit of OpenAI and Converse. */
export const MAX_TOOL_NAME = 64;

/** FNV-1a (32 bit) of a string's UTF-16 code units, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/**
 * `name` if it fits `max`, else its first `max - 9` characters, `_` and the hash of `hashOf`
 * (default: the name itself).
 *
 * @example
 * shortToolName("a".repeat(70)).length; // 64
 * shortToolName("get_weather"); // "get_weather"
 */
export function shortToolName(name: string, max = MAX_TOOL_NAME, hashOf = name): string {
  return name.length <= max ? name : `${name.slice(0, max - 9)}_${fnv1a(hashOf)}`;
}

/** Original ↔ short names of one request. */
export class ShortToolNames {
  readonly #short = new Map<string, string>();
  /** Short name → original name (only names that were shortened). */
  readonly toOriginal: Record<string, string> = {};
  readonly #taken = new Set<string>();

  constructor(names: Iterable<string>, readonly max = MAX_TOOL_NAME) {
    const all = [...new Set(names)];
    // Names that fit keep their name; they are claimed first so a short name never takes one.
    for (const name of all) if (name.length <= max) this.#taken.add(name);
    for (const name of all) if (name.length > max) this.of(name);
  }

  /** The upstream name of `original`. */
  of(original: string): string {
    if (original.length <= this.max) return original;
    const known = this.#short.get(original);
    if (known !== undefined) return known;
    let name = shortToolName(original, this.max);
    for (let n = 2; this.#taken.has(name); n++) {
      const suffix = `_${n}`;
      name = shortToolName(original, this.max - suffix.length) + suffix;
    }
    this.#taken.add(name);
    this.#short.set(original, name);
    this.toOriginal[name] = original;
    return name;
  }

  /** Whether any name was shortened. */
  get any(): boolean {
    return this.#short.size > 0;
  }
}

/** Every tool name a request mentions: tools, a named tool_choice, history tool calls. */
function namesOf(request: ChatRequest): string[] {
  const names: string[] = [];
  for (const tool of request.tools ?? []) names.push(tool.function.name);
  const choice = request.tool_choice;
  if (typeof choice === "object" && choice !== null) names.push(choice.function.name);
  for (const message of request.messages) {
    if (message.role !== "assistant") continue;
    for (const call of message.tool_calls ?? []) names.push(call.function.name);
  }
  return names;
}

/**
 * The request with tool names longer than `max` shortened everywhere they appear, and the map
 * back (empty, and the request unchanged, when every name fits).
 *
 * @example
 * const long = "mcp__server__" + "x".repeat(60);
 * const { request, toOriginal } = shortenToolNames({ model: "m", messages: [],
 *   tools: [{ type: "function", function: { name: long } }] });
 * // request.tools[0].function.name.length === 64; toOriginal[that name] === long
 */
export function shortenToolNames(
  request: ChatRequest,
  max = MAX_TOOL_NAME,
): { request: ChatRequest; toOriginal: Record<string, string> } {
  const names = namesOf(request);
  if (!names.some((name) => name.length > max)) return { request, toOriginal: {} };
  const short = new ShortToolNames(names, max);
  const choice = request.tool_choice;
  return {
    request: {
      ...request,
      ...(request.tools !== undefined
        ? {
          tools: request.tools.map((tool) => ({
            ...tool,
            function: { ...tool.function, name: short.of(tool.function.name) },
          })),
        }
        : {}),
      ...(typeof choice === "object" && choice !== null
        ? {
          tool_choice: {
            ...choice,
            function: { ...choice.function, name: short.of(choice.function.name) },
          },
        }
        : {}),
      messages: request.messages.map((message) =>
        message.role === "assistant" && message.tool_calls !== undefined
          ? {
            ...message,
            tool_calls: message.tool_calls.map((call) => ({
              ...call,
              function: { ...call.function, name: short.of(call.function.name) },
            })),
          }
          : message
      ),
    },
    toOriginal: short.toOriginal,
  };
}

/** The completion with shortened tool names mapped back (in place; returned for chaining). */
export function restoreToolNames(
  completion: ChatCompletion,
  toOriginal: Record<string, string>,
): ChatCompletion {
  for (const choice of completion.choices ?? []) {
    for (const call of choice.message?.tool_calls ?? []) {
      const original = toOriginal[call.function?.name];
      if (original !== undefined) call.function.name = original;
    }
  }
  return completion;
}

/** The chunk with shortened tool names mapped back (in place; returned for chaining). */
export function restoreChunkToolNames(
  chunk: ChatCompletionChunk,
  toOriginal: Record<string, string>,
): ChatCompletionChunk {
  for (const choice of chunk.choices ?? []) {
    for (const call of choice.delta?.tool_calls ?? []) {
      const name = call.function?.name;
      if (name === undefined) continue;
      const original = toOriginal[name];
      if (original !== undefined) call.function!.name = original;
    }
  }
  return chunk;
}

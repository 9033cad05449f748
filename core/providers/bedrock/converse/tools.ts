/**
 * OpenAI tools → Converse `toolConfig`: Bedrock-valid, unique tool names (with the map back),
 * `tool_choice`, the forced `json_response` tool standing in for `response_format`, and the
 * small helpers that turn tool calls and results into `toolUse` / `toolResult` blocks.
 */
import { GatewayError } from "../../../errors.ts";
import type { ChatRequest, ChatTool } from "../../../formats/openai/schema.ts";
import type {
  ConverseTool,
  ConverseToolChoice,
  ConverseToolConfig,
  ConverseToolResultContent,
} from "./wire.ts";
import type { ModelCapabilities } from "../capabilities.ts";
import { cachePointOf } from "./cache.ts";
import { shortToolName } from "../../../formats/openai/tool_names.ts";

/** Name of the tool forced to carry `response_format` output on models without native JSON. */
export const JSON_TOOL_NAME = "json_response";

const MAX_NAME = 64;

/**
 * Replaces characters Bedrock rejects (outside `[a-zA-Z0-9_-]`); a name longer than 64 keeps
 * its start and ends in a hash of the whole name ({@link shortToolName}), so it stays stable.
 */
export function sanitizeToolName(name: string): string {
  const clean = shortToolName(name.replace(/[^a-zA-Z0-9_-]/g, "_"), MAX_NAME, name);
  return clean === "" ? "tool" : clean;
}

/** A tool-call id valid as a Converse `toolUseId` (same rules as tool names). */
export function sanitizeToolUseId(id: string): string {
  const clean = id.replace(/[^a-zA-Z0-9_-]/g, "_");
  return clean === "" ? "tool_call" : clean.slice(0, MAX_NAME);
}

/**
 * Original ↔ Bedrock tool names: every distinct original name gets a valid, unique Bedrock name.
 *
 * @example
 * const names = new ToolNames(); names.add("get.weather"); // "get_weather"
 */
export class ToolNames {
  readonly #toBedrock = new Map<string, string>();
  /** Bedrock name → original name (only entries that differ are needed, all are kept). */
  readonly toOriginal: Record<string, string> = {};

  /** The Bedrock name of `original`, allocating a unique one on first use. */
  add(original: string): string {
    const known = this.#toBedrock.get(original);
    if (known !== undefined) return known;
    const base = sanitizeToolName(original);
    let name = base;
    for (let n = 2; name in this.toOriginal; n++) {
      const suffix = `_${n}`;
      name = base.slice(0, MAX_NAME - suffix.length) + suffix;
    }
    this.#toBedrock.set(original, name);
    this.toOriginal[name] = original;
    return name;
  }

  /** A unique Bedrock name not used by any tool (for the forced JSON tool). */
  reserve(preferred: string): string {
    let name = preferred;
    for (let n = 2; name in this.toOriginal; n++) name = `${preferred}_${n}`;
    this.toOriginal[name] = name;
    return name;
  }
}

/**
 * Tool message content → `toolResult.content`: JSON when the text is a JSON object or array,
 * text otherwise (an empty result becomes the text `(empty)`, as Bedrock rejects blank text).
 *
 * @example
 * toolResultContent('{"temp":21}'); // [{ json: { temp: 21 } }]
 * toolResultContent("sunny"); // [{ text: "sunny" }]
 */
export function toolResultContent(text: string): ConverseToolResultContent[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (typeof value === "object" && value !== null) return [{ json: value }];
    } catch { /* not JSON: sent as text */ }
  }
  return [{ text: trimmed === "" ? "(empty)" : text }];
}

/** What the tool translation decided. */
export interface ToolPlan {
  /** The `toolConfig` to send, or undefined (no tools, `tool_choice: "none"`, or unsupported). */
  toolConfig?: ConverseToolConfig;
  /** Name of the forced JSON tool when `response_format` is carried by a tool. */
  forcedJsonTool?: string;
}

/** The JSON schema a `response_format` asks for, with its name and description. */
export interface JsonTarget {
  schema: Record<string, unknown>;
  name: string;
  description?: string;
}

function toolSpec(tool: ChatTool, names: ToolNames, caps: ModelCapabilities): ConverseTool[] {
  const fn = tool.function;
  const spec: ConverseTool = {
    toolSpec: {
      name: names.add(fn.name),
      ...(fn.description !== undefined && fn.description !== ""
        ? { description: fn.description }
        : {}),
      inputSchema: { json: fn.parameters ?? { type: "object", properties: {} } },
    },
  };
  const cache = caps.cachePoints ? cachePointOf(tool) : undefined;
  return cache === undefined ? [spec] : [spec, { cachePoint: cache }];
}

function choiceOf(
  choice: ChatRequest["tool_choice"],
  names: ToolNames,
  caps: ModelCapabilities,
): ConverseToolChoice | undefined {
  if (choice === undefined || choice === "auto") return { auto: {} };
  if (choice === "none") return undefined;
  if (caps.toolChoice !== "full") {
    throw new GatewayError(
      "invalid_request",
      `tool_choice '${
        typeof choice === "string" ? choice : "function"
      }' is not supported by this model; use 'auto' or 'none'.`,
      { param: "tool_choice" },
    );
  }
  if (choice === "required") return { any: {} };
  return { tool: { name: names.add(choice.function.name) } };
}

/**
 * Builds `toolConfig` from `tools` / `tool_choice` and, when `json` is set, the forced JSON tool.
 * `tool_choice: "none"` sends no tools at all; `toolChoice` is never sent without tools.
 *
 * @example
 * planTools({ model: "m", messages: [], tools: [{ type: "function", function: { name: "f" } }],
 *   tool_choice: "required" }, caps, new ToolNames()).toolConfig?.toolChoice; // { any: {} }
 */
export function planTools(
  request: ChatRequest,
  caps: ModelCapabilities,
  names: ToolNames,
  json?: JsonTarget,
): ToolPlan {
  const tools = request.tools ?? [];
  const userTools = request.tool_choice === "none" ? [] : tools;
  if (userTools.length > 0 && !caps.tools) {
    throw new GatewayError("invalid_request", "This model does not support tools.", {
      param: "tools",
    });
  }
  const specs = userTools.flatMap((tool) => toolSpec(tool, names, caps));
  if (json === undefined) {
    if (specs.length === 0) return {};
    const toolChoice = choiceOf(request.tool_choice, names, caps);
    return { toolConfig: { tools: specs, ...(toolChoice ? { toolChoice } : {}) } };
  }
  const forcedJsonTool = names.reserve(JSON_TOOL_NAME);
  specs.push({
    toolSpec: {
      name: forcedJsonTool,
      description: json.description !== undefined && json.description !== ""
        ? json.description
        : `Respond with the final answer (${json.name}) as this tool's input, matching its schema.`,
      inputSchema: { json: json.schema },
    },
  });
  // With user tools the model must call one of them or the JSON tool; a named choice stays.
  const named = typeof request.tool_choice === "object" ? request.tool_choice : undefined;
  const toolChoice: ConverseToolChoice = named !== undefined
    ? { tool: { name: names.add(named.function.name) } }
    : userTools.length > 0
    ? { any: {} }
    : { tool: { name: forcedJsonTool } };
  return { toolConfig: { tools: specs, toolChoice }, forcedJsonTool };
}

/**
 * Responses tools ⇄ canonical tools: function tools map one to one, `namespace` groups are
 * flattened into their function tools, built-in tools (`web_search`, `file_search`, `mcp`,
 * `custom`…) have no canonical form and are named so the caller can report them.
 */
import type { ChatTool, ToolChoice } from "../openai/schema.ts";
import type { ResponsesRequest, ResponsesTool } from "./schema.ts";

/** The canonical tools of a request, the types of the tools left out, and the namespace of each
 * flattened tool name. */
export interface ConvertedTools {
  tools: ChatTool[];
  ignored: string[];
  namespaces: Record<string, string>;
}

type FunctionLike = {
  type: string;
  name?: unknown;
  description?: unknown;
  parameters?: unknown;
  strict?: unknown;
};

function functionTool(tool: FunctionLike): ChatTool {
  return {
    type: "function",
    function: {
      name: String(tool.name),
      ...(typeof tool.description === "string" ? { description: tool.description } : {}),
      ...(typeof tool.parameters === "object" && tool.parameters !== null
        ? { parameters: tool.parameters as Record<string, unknown> }
        : {}),
      ...(typeof tool.strict === "boolean" ? { strict: tool.strict } : {}),
    },
  };
}

/**
 * Function and namespace tools → canonical function tools; the others' types in `ignored`
 * (each once, in order).
 *
 * @example
 * convertTools([{ type: "web_search" }, { type: "function", name: "f" }]);
 * // { tools: [{ type: "function", function: { name: "f" } }], ignored: ["web_search"], namespaces: {} }
 */
export function convertTools(tools: readonly ResponsesTool[] | null | undefined): ConvertedTools {
  const out: ConvertedTools = { tools: [], ignored: [], namespaces: {} };
  const ignore = (type: string) => void (out.ignored.includes(type) || out.ignored.push(type));
  for (const tool of tools ?? []) {
    if (tool.type === "function") out.tools.push(functionTool(tool as FunctionLike));
    else if (tool.type === "namespace") {
      const group = tool as { name: string; tools: FunctionLike[] };
      for (const inner of group.tools) {
        if (inner.type === "function" && typeof inner.name === "string") {
          out.tools.push(functionTool(inner));
          out.namespaces[inner.name] = group.name;
        } else ignore(inner.type);
      }
    } else ignore(tool.type);
  }
  return out;
}

/**
 * The types of the built-in tools a request names (what a provider without the Responses API
 * leaves out).
 *
 * @example
 * ignoredToolTypes({ tools: [{ type: "web_search" }] }); // ["web_search"]
 */
export function ignoredToolTypes(request: Pick<ResponsesRequest, "tools">): string[] {
  return convertTools(request.tools).ignored;
}

/**
 * Responses `tool_choice` → canonical: modes as they are, `{type:"function", name}` → a named
 * function, `allowed_tools` → its mode, a built-in tool's choice → `auto` (the tool is left out).
 *
 * @example
 * toolChoiceToCanonical({ type: "function", name: "f" }); // { type: "function", function: { name: "f" } }
 */
export function toolChoiceToCanonical(
  choice: ResponsesRequest["tool_choice"],
): ToolChoice | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (typeof choice === "string") return choice;
  if (choice.type === "function" && typeof choice.name === "string") {
    return { type: "function", function: { name: choice.name } };
  }
  if (choice.type === "allowed_tools") {
    return (choice as { mode?: unknown }).mode === "required" ? "required" : "auto";
  }
  return "auto";
}

/**
 * Canonical `tool_choice` → Responses.
 *
 * @example
 * toolChoiceFromCanonical({ type: "function", function: { name: "f" } }); // { type: "function", name: "f" }
 */
export function toolChoiceFromCanonical(
  choice: ToolChoice | undefined,
): "none" | "auto" | "required" | { type: "function"; name: string } | undefined {
  if (choice === undefined || typeof choice === "string") return choice;
  return { type: "function", name: choice.function.name };
}

/**
 * What Bedrock's InvokeModel takes of an Anthropic Messages body, per model: the Anthropic API
 * accepts fields and beta features Bedrock rejects as extraneous keys (`context_management`,
 * `output_config` on older models, unknown `anthropic_beta` values…). Before a body goes
 * natively, unsupported fields are translated where a Bedrock equivalent exists and dropped
 * otherwise; each change is reported as a note (the provider logs them).
 *
 * Rules:
 * - top-level fields outside {@link BEDROCK_CLAUDE_FIELDS} are dropped (`context_management`,
 *   `container`, `mcp_servers`, `service_tier`…);
 * - `anthropic_beta` keeps only the betas of {@link BEDROCK_BETAS} (the header's list, merged by
 *   the route, arrives here);
 * - `output_config.effort` is kept for models with adaptive thinking (Claude 4.6+), dropped
 *   elsewhere; `output_config.format` is never sent natively (such requests take the hub);
 * - `thinking: adaptive` on a model with budget thinking becomes `enabled` with a budget (the
 *   effort's, capped below `max_tokens`), and is dropped on models without thinking or when
 *   `max_tokens` leaves no room for the minimum budget; `thinking.display` is dropped;
 * - `defer_loading` on tools (tool search) is dropped.
 */
import { CLAUDE_THINKING_BUDGETS, type Effort } from "../../formats/bedrock_claude/thinking.ts";
import { capabilitiesFor } from "./capabilities.ts";

/** Top-level fields of Bedrock's Claude Messages body. */
export const BEDROCK_CLAUDE_FIELDS: ReadonlySet<string> = new Set([
  "anthropic_version",
  "anthropic_beta",
  "max_tokens",
  "system",
  "messages",
  "temperature",
  "top_p",
  "top_k",
  "stop_sequences",
  "tools",
  "tool_choice",
  "thinking",
  "metadata",
  "output_config",
]);

/** Beta features Bedrock's Claude models take in `anthropic_beta`. */
export const BEDROCK_BETAS: ReadonlySet<string> = new Set([
  "computer-use-2024-10-22",
  "computer-use-2025-01-24",
  "computer-use-2025-11-24",
  "token-efficient-tools-2025-02-19",
  "interleaved-thinking-2025-05-14",
  "output-128k-2025-02-19",
  "dev-full-thinking-2025-05-14",
  "context-1m-2025-08-07",
  "effort-2025-11-24",
  "tool-search-tool-2025-10-19",
  "tool-examples-2025-10-29",
  "fine-grained-tool-streaming-2025-05-14",
]);

/** The minimum thinking budget Claude accepts. */
const MIN_THINKING_BUDGET = 1024;

const EFFORT_BUDGET: Record<string, Effort> = {
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "xhigh",
  max: "xhigh",
};

/** A body ready for Bedrock, and what was changed to make it so. */
export interface AdaptedClaudeBody {
  body: Record<string, unknown>;
  /** One note per translated or dropped field (empty when the body was taken as it was). */
  notes: string[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function adaptThinking(body: Json, model: string, notes: string[]): void {
  const thinking = body.thinking;
  if (!isObject(thinking)) return;
  const reasoning = capabilitiesFor(model).reasoning;
  let next: Json = thinking;
  if ("display" in next) {
    const { display: _display, ...rest } = next;
    next = rest;
    notes.push("dropped thinking.display");
  }
  if (next.type === "adaptive" && reasoning !== "claude_adaptive") {
    const outputConfig = isObject(body.output_config) ? body.output_config : {};
    const effort = EFFORT_BUDGET[String(outputConfig.effort)] ?? "medium";
    const maxTokens = typeof body.max_tokens === "number" ? body.max_tokens : 0;
    const budget = Math.min(CLAUDE_THINKING_BUDGETS[effort], maxTokens - 1);
    if (reasoning === "claude_budget" && budget >= MIN_THINKING_BUDGET) {
      next = { type: "enabled", budget_tokens: budget };
      notes.push(`translated thinking adaptive to enabled (budget_tokens ${budget})`);
    } else {
      delete body.thinking;
      notes.push("dropped thinking (adaptive thinking is not available for this model)");
      return;
    }
  }
  if (next !== thinking) body.thinking = next;
}

function adaptOutputConfig(body: Json, model: string, notes: string[]): void {
  const config = body.output_config;
  if (config === undefined) return;
  if (!isObject(config)) {
    delete body.output_config;
    notes.push("dropped output_config");
    return;
  }
  const kept: Json = {};
  for (const [key, value] of Object.entries(config)) {
    if (key === "effort" && capabilitiesFor(model).reasoning === "claude_adaptive") {
      kept.effort = value;
    } else notes.push(`dropped output_config.${key}`);
  }
  if (Object.keys(kept).length > 0) body.output_config = kept;
  else delete body.output_config;
}

function adaptBetas(body: Json, notes: string[]): void {
  const betas = body.anthropic_beta;
  if (betas === undefined) return;
  const list = Array.isArray(betas) ? betas.map(String) : [];
  const kept = [...new Set(list.filter((beta) => BEDROCK_BETAS.has(beta)))];
  const dropped = list.filter((beta) => !BEDROCK_BETAS.has(beta));
  if (dropped.length > 0) notes.push(`dropped anthropic_beta ${dropped.join(",")}`);
  if (kept.length > 0) body.anthropic_beta = kept;
  else delete body.anthropic_beta;
}

function adaptTools(body: Json, notes: string[]): void {
  if (!Array.isArray(body.tools) || !body.tools.some((t) => isObject(t) && "defer_loading" in t)) {
    return;
  }
  body.tools = body.tools.map((tool) => {
    if (!isObject(tool) || !("defer_loading" in tool)) return tool;
    const { defer_loading: _deferred, ...rest } = tool;
    return rest;
  });
  notes.push("dropped tools[].defer_loading");
}

/**
 * The native body as Bedrock takes it for `model` (see the module comment). Pure: the input is
 * not modified; the body is returned unchanged (same object) when nothing needed changing.
 *
 * @example
 * adaptClaudeBodyForBedrock({ anthropic_version: "bedrock-2023-05-31", max_tokens: 100,
 *   messages: [], context_management: { edits: [] }, anthropic_beta: ["claude-code-20250219"] },
 *   "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
 * // { body: { anthropic_version: "bedrock-2023-05-31", max_tokens: 100, messages: [] },
 * //   notes: ["dropped context_management", "dropped anthropic_beta claude-code-20250219"] }
 */
export function adaptClaudeBodyForBedrock(
  input: Record<string, unknown>,
  model: string,
): AdaptedClaudeBody {
  const body: Json = { ...input };
  const notes: string[] = [];
  for (const key of Object.keys(body)) {
    if (!BEDROCK_CLAUDE_FIELDS.has(key)) {
      delete body[key];
      notes.push(`dropped ${key}`);
    }
  }
  adaptBetas(body, notes);
  adaptThinking(body, model, notes);
  adaptOutputConfig(body, model, notes);
  adaptTools(body, notes);
  return notes.length === 0 ? { body: input, notes } : { body, notes };
}

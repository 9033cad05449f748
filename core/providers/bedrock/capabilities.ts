/**
 * What each Bedrock chat model family can do through Converse, consulted by the OpenAI → Converse
 * translator, and the built-in model catalog served by `/v1/models` when Bedrock's own listing is
 * unavailable. Model ids are matched after stripping region / inference-profile prefixes and ARNs.
 */

/** Model families the gateway knows. */
export type ModelFamily =
  | "anthropic"
  | "nova"
  | "titan"
  | "llama"
  | "mistral"
  | "cohere"
  | "ai21"
  | "deepseek"
  | "qwen"
  | "writer"
  | "gpt_oss"
  | "unknown";

/**
 * How a family takes `reasoning_effort`:
 * - `none`: no reasoning control (a non-`none` effort is a 400);
 * - `claude_budget`: `thinking: {type: "enabled", budget_tokens}`;
 * - `claude_adaptive`: `thinking: {type: "adaptive"}` + `output_config: {effort}` (Claude 4.6+);
 * - `nova`: `reasoningConfig: {type: "enabled", maxReasoningEffort}` (Nova 2);
 * - `effort`: `reasoning_effort: low|medium|high` (gpt-oss, DeepSeek).
 */
export type ReasoningStyle = "none" | "claude_budget" | "claude_adaptive" | "nova" | "effort";

/** Per-family capabilities. */
export interface ModelCapabilities {
  family: ModelFamily;
  /** Function tools (`toolConfig`). */
  tools: boolean;
  /** `full`: auto, any and a named tool; `auto`: only auto (required/named are a 400). */
  toolChoice: "full" | "auto";
  /** Image input blocks. */
  images: boolean;
  /** Document (PDF…) input blocks. */
  documents: boolean;
  reasoning: ReasoningStyle;
  /** Signed reasoning blocks from earlier turns are sent back (Claude); others drop them. */
  replayReasoning: boolean;
  /** `outputConfig.textFormat` json_schema. */
  nativeStructuredOutput: boolean;
  /** A `system` field; without it system text is put at the start of the first user turn. */
  systemPrompt: boolean;
  /** `cachePoint` blocks (prompt caching); elsewhere `cache_control` is ignored. */
  cachePoints: boolean;
  /**
   * The model's own temperature range; requests are clamped to it and to Converse's 0–1
   * (`CONVERSE_INFERENCE_LIMITS`), which `inferenceConfig` cannot exceed.
   */
  temperature: { min: number; max: number };
  /** `maxTokens` sent when the request has none. */
  defaultMaxTokens: number;
  /** The most output tokens the model produces (caps raised budgets for reasoning). */
  maxOutputTokens: number;
  /** Where `top_k` goes in `additionalModelRequestFields` (path), or undefined: unsupported. */
  topKPath?: readonly string[];
  /** presence/frequency penalties are passed in `additionalModelRequestFields`. */
  penalties: boolean;
}

const BASE: ModelCapabilities = {
  family: "unknown",
  tools: true,
  toolChoice: "auto",
  images: false,
  documents: false,
  reasoning: "none",
  replayReasoning: false,
  nativeStructuredOutput: false,
  systemPrompt: true,
  cachePoints: false,
  temperature: { min: 0, max: 1 },
  defaultMaxTokens: 4096,
  maxOutputTokens: 4096,
  penalties: false,
};

/** One row of the capability table: the first whose pattern matches the bare id wins. */
interface FamilyRule {
  pattern: RegExp;
  caps: Partial<ModelCapabilities>;
}

const CLAUDE: Partial<ModelCapabilities> = {
  family: "anthropic",
  toolChoice: "full",
  images: true,
  documents: true,
  replayReasoning: true,
  cachePoints: true,
  topKPath: ["top_k"],
};
const NOVA: Partial<ModelCapabilities> = {
  family: "nova",
  toolChoice: "full",
  images: true,
  documents: true,
  cachePoints: true,
  maxOutputTokens: 10_000,
  topKPath: ["inferenceConfig", "topK"],
};

const RULES: FamilyRule[] = [
  // Anthropic Claude — newest first.
  {
    pattern: /^anthropic\.claude-(opus-4-[6-9]|sonnet-4-[6-9]|opus-5|sonnet-5)/,
    caps: {
      ...CLAUDE,
      reasoning: "claude_adaptive",
      nativeStructuredOutput: true,
      maxOutputTokens: 128_000,
    },
  },
  {
    pattern: /^anthropic\.claude-(sonnet-4-5|haiku-4-5|opus-4-5)/,
    caps: {
      ...CLAUDE,
      reasoning: "claude_budget",
      nativeStructuredOutput: true,
      maxOutputTokens: 64_000,
    },
  },
  {
    pattern: /^anthropic\.claude-opus-4/,
    caps: { ...CLAUDE, reasoning: "claude_budget", maxOutputTokens: 32_000 },
  },
  {
    pattern: /^anthropic\.claude-(sonnet-4|3-7-sonnet)/,
    caps: { ...CLAUDE, reasoning: "claude_budget", maxOutputTokens: 64_000 },
  },
  {
    pattern: /^anthropic\.claude-3-5-(haiku|sonnet-20241022)/,
    caps: { ...CLAUDE, maxOutputTokens: 8192 },
  },
  { pattern: /^anthropic\.claude-3/, caps: { ...CLAUDE, cachePoints: false } },
  { pattern: /^anthropic\.claude/, caps: { ...CLAUDE, cachePoints: false, images: false } },
  // Amazon Nova and Titan Text.
  {
    pattern: /^amazon\.nova-2/,
    caps: { ...NOVA, reasoning: "nova", maxOutputTokens: 65_536 },
  },
  { pattern: /^amazon\.nova-micro/, caps: { ...NOVA, images: false, documents: false } },
  { pattern: /^amazon\.nova-premier/, caps: { ...NOVA, maxOutputTokens: 32_000 } },
  { pattern: /^amazon\.nova/, caps: NOVA },
  {
    pattern: /^amazon\.titan-text-express/,
    caps: {
      family: "titan",
      tools: false,
      systemPrompt: false,
      documents: true,
      maxOutputTokens: 8192,
    },
  },
  {
    pattern: /^amazon\.titan-text/,
    caps: { family: "titan", tools: false, systemPrompt: false, documents: true },
  },
  // Meta Llama.
  {
    pattern: /^meta\.llama3-[28]b|^meta\.llama3-70b/,
    caps: {
      family: "llama",
      tools: false,
      documents: true,
      maxOutputTokens: 2048,
      defaultMaxTokens: 2048,
    },
  },
  {
    pattern: /^meta\.llama3-2-(11b|90b)|^meta\.llama4/,
    caps: { family: "llama", images: true, documents: true, maxOutputTokens: 8192 },
  },
  { pattern: /^meta\.llama/, caps: { family: "llama", documents: true, maxOutputTokens: 8192 } },
  // Mistral.
  {
    pattern: /^mistral\.(mistral-7b|mixtral-8x7b)/,
    caps: {
      family: "mistral",
      tools: false,
      systemPrompt: false,
      documents: true,
      maxOutputTokens: 8192,
      topKPath: ["top_k"],
    },
  },
  {
    pattern: /^mistral\.pixtral/,
    caps: { family: "mistral", images: true, documents: true, maxOutputTokens: 8192 },
  },
  {
    pattern: /^mistral\./,
    caps: {
      family: "mistral",
      documents: true,
      maxOutputTokens: 8192,
      nativeStructuredOutput: true,
    },
  },
  // Cohere, AI21.
  {
    pattern: /^cohere\.command-r/,
    caps: { family: "cohere", documents: true, topKPath: ["k"], penalties: true },
  },
  {
    pattern: /^ai21\.jamba/,
    caps: { family: "ai21", documents: true, temperature: { min: 0, max: 2 } },
  },
  // Open-weight models.
  {
    pattern: /^deepseek\./,
    caps: {
      family: "deepseek",
      reasoning: "effort",
      documents: true,
      nativeStructuredOutput: true,
      maxOutputTokens: 32_768,
    },
  },
  {
    pattern: /^qwen\./,
    caps: {
      family: "qwen",
      documents: true,
      nativeStructuredOutput: true,
      maxOutputTokens: 32_768,
      temperature: { min: 0, max: 2 },
    },
  },
  {
    pattern: /^writer\./,
    caps: {
      family: "writer",
      documents: true,
      maxOutputTokens: 8192,
      temperature: { min: 0, max: 2 },
    },
  },
  {
    pattern: /^openai\.gpt-oss/,
    caps: {
      family: "gpt_oss",
      reasoning: "effort",
      nativeStructuredOutput: true,
      maxOutputTokens: 32_768,
      temperature: { min: 0, max: 2 },
      penalties: true,
    },
  },
];

/**
 * Capabilities for ids nothing matches (e.g. application inference-profile ARNs, whose model is
 * unknown): tools and media are left to Bedrock to validate, optional features (reasoning,
 * native structured output, cache points, named tool choice) are not sent.
 */
export const DEFAULT_CAPABILITIES: ModelCapabilities = { ...BASE, images: true, documents: true };

const REGION_PREFIX = /^(us|us-gov|eu|apac|au|ca|jp|global)\./;

/**
 * The bare model id: `bedrock/`, ARNs of foundation models and system inference profiles, and
 * region / inference-profile prefixes stripped. Application inference-profile ARNs stay as is.
 *
 * @example
 * bareModelId("us.anthropic.claude-sonnet-4-5-20250929-v1:0"); // "anthropic.claude-sonnet-4-5-20250929-v1:0"
 */
export function bareModelId(modelId: string): string {
  let id = modelId.startsWith("bedrock/") ? modelId.slice("bedrock/".length) : modelId;
  const arn = /^arn:aws[\w-]*:bedrock:[^:]*:[^:]*:(foundation-model|inference-profile)\/(.+)$/
    .exec(id);
  if (arn) id = arn[2];
  return id.replace(REGION_PREFIX, "");
}

/**
 * The capabilities of a Bedrock model id (any prefix, ARN or `bedrock/` form).
 *
 * @example
 * capabilitiesFor("eu.amazon.nova-pro-v1:0").images; // true
 */
export function capabilitiesFor(modelId: string): ModelCapabilities {
  const id = bareModelId(modelId);
  const rule = RULES.find((r) => r.pattern.test(id));
  if (rule === undefined) return DEFAULT_CAPABILITIES;
  const caps = { ...BASE, ...rule.caps };
  return { ...caps, defaultMaxTokens: Math.min(caps.defaultMaxTokens, caps.maxOutputTokens) };
}

/** Built-in catalog of current Bedrock chat models (base ids), for `/v1/models` fallback. */
export const BEDROCK_CATALOG: readonly string[] = [
  "anthropic.claude-opus-4-7",
  "anthropic.claude-opus-4-6-v1",
  "anthropic.claude-sonnet-4-6",
  "anthropic.claude-opus-4-5-20251101-v1:0",
  "anthropic.claude-sonnet-4-5-20250929-v1:0",
  "anthropic.claude-haiku-4-5-20251001-v1:0",
  "anthropic.claude-opus-4-1-20250805-v1:0",
  "anthropic.claude-opus-4-20250514-v1:0",
  "anthropic.claude-sonnet-4-20250514-v1:0",
  "anthropic.claude-3-7-sonnet-20250219-v1:0",
  "anthropic.claude-3-5-haiku-20241022-v1:0",
  "anthropic.claude-3-5-sonnet-20241022-v2:0",
  "anthropic.claude-3-haiku-20240307-v1:0",
  "amazon.nova-2-lite-v1:0",
  "amazon.nova-premier-v1:0",
  "amazon.nova-pro-v1:0",
  "amazon.nova-lite-v1:0",
  "amazon.nova-micro-v1:0",
  "amazon.titan-text-premier-v1:0",
  "amazon.titan-text-express-v1",
  "amazon.titan-text-lite-v1",
  "meta.llama4-maverick-17b-instruct-v1:0",
  "meta.llama4-scout-17b-instruct-v1:0",
  "meta.llama3-3-70b-instruct-v1:0",
  "meta.llama3-2-90b-instruct-v1:0",
  "meta.llama3-2-11b-instruct-v1:0",
  "meta.llama3-2-3b-instruct-v1:0",
  "meta.llama3-2-1b-instruct-v1:0",
  "meta.llama3-1-405b-instruct-v1:0",
  "meta.llama3-1-70b-instruct-v1:0",
  "meta.llama3-1-8b-instruct-v1:0",
  "mistral.pixtral-large-2502-v1:0",
  "mistral.mistral-large-2407-v1:0",
  "mistral.mistral-small-2402-v1:0",
  "mistral.mixtral-8x7b-instruct-v0:1",
  "mistral.mistral-7b-instruct-v0:2",
  "cohere.command-r-plus-v1:0",
  "cohere.command-r-v1:0",
  "ai21.jamba-1-5-large-v1:0",
  "ai21.jamba-1-5-mini-v1:0",
  "deepseek.r1-v1:0",
  "deepseek.v3-v1:0",
  "qwen.qwen3-235b-a22b-2507-v1:0",
  "qwen.qwen3-32b-v1:0",
  "qwen.qwen3-coder-480b-a35b-v1:0",
  "qwen.qwen3-coder-30b-a3b-v1:0",
  "writer.palmyra-x5-v1:0",
  "writer.palmyra-x4-v1:0",
  "openai.gpt-oss-120b-1:0",
  "openai.gpt-oss-20b-1:0",
];

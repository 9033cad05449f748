/**
 * OpenAI sampling, reasoning and output parameters → Converse `inferenceConfig`,
 * `additionalModelRequestFields` and `outputConfig`, per model family.
 *
 * Rejected with a 400 naming the parameter (Bedrock cannot honour them): any top-level field not
 * listed here (e.g. legacy `functions`, `web_search_options`), `n` > 1, `logprobs`
 * true, `top_logprobs`, a non-empty `logit_bias`, non-zero `presence_penalty` /
 * `frequency_penalty` on families without penalties, `audio` or an `audio` modality, `top_k` on
 * families without it, `reasoning_effort` (other than `none`) on models without reasoning.
 *
 * Ignored silently (no Bedrock equivalent, and ignoring them cannot change the answer's
 * meaning): `user`, `metadata`, `store`, `service_tier`, `seed`, `parallel_tool_calls`,
 * `stream`, `stream_options`, `prompt_cache_key`, `safety_identifier`, `prediction`,
 * `verbosity`, `modalities: ["text"]`, a zero penalty, `cache_control` on models without prompt
 * caching, and the gateway's own `file_ids` (resolved before translation).
 *
 * Reasoning: `none` never enables reasoning. Claude (3.7 – 4.5) gets extended thinking with
 * budget_tokens minimal 1024, low 2048, medium 8192, high 16384, xhigh 32768 (or the exact
 * `reasoning_budget_tokens` a Claude body's `thinking.budget_tokens` became), `maxTokens` raised
 * above the budget (budget + the requested or default answer length, capped at the model's
 * output limit); Claude 4.6+ gets adaptive thinking with `output_config.effort` (minimal/low →
 * low, xhigh → max). With Claude thinking, temperature, top_p and top_k are not sent (Anthropic
 * requires that) and a forced tool choice is a 400. Nova 2: `reasoningConfig.maxReasoningEffort`
 * (minimal → low, xhigh → high; with high, temperature/top_p/maxTokens are not sent, as Nova
 * requires). gpt-oss and DeepSeek: `reasoning_effort` low/medium/high.
 *
 * Ranges (AWS's Smithy model of Converse, whatever the model): `temperature` is clamped to the
 * model's own range and to Converse's 0–1, so OpenAI's 0–2 reaches every family as 0–1 (above 1
 * is sent as 1, also for gpt-oss, Qwen, Writer and AI21, whose own range is 0–2); `top_p` 0–1;
 * empty stop strings are dropped and more than 2500 stop sequences are a 400.
 */
import { GatewayError } from "../../../errors.ts";
import type { ChatRequest } from "../../../formats/openai/schema.ts";
import {
  CONVERSE_INFERENCE_LIMITS as LIMITS,
  type ConverseInferenceConfig,
  type ConverseOutputConfig,
} from "./wire.ts";
import type { ModelCapabilities } from "../capabilities.ts";
import { assertNever } from "../../../errors.ts";
import { CLAUDE_THINKING_BUDGETS } from "../../../formats/bedrock_claude/thinking.ts";
import type { JsonTarget } from "./tools.ts";

const invalid = (param: string, message: string) =>
  new GatewayError("invalid_request", message, { param });

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

/**
 * Top-level request fields the translation reads or documents as ignored; any other field
 * (legacy `functions` / `function_call`, `web_search_options`, a typo…) is a 400 rather than
 * silently dropped. `top_k` and `reasoning_budget_tokens` are canonical extensions.
 */
const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "messages",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "stream",
  "stream_options",
  "temperature",
  "top_p",
  "top_k",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
  "n",
  "user",
  "metadata",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "presence_penalty",
  "frequency_penalty",
  "reasoning_effort",
  "reasoning_budget_tokens",
  "service_tier",
  "store",
  "modalities",
  "prediction",
  "audio",
  "verbosity",
  "prompt_cache_key",
  "safety_identifier",
  "file_ids",
]);

/**
 * Throws a 400 naming the first parameter Bedrock cannot honour.
 *
 * @example
 * rejectUnsupported({ model: "m", messages: [], n: 2 }, caps); // throws (param "n")
 */
export function rejectUnsupported(request: ChatRequest, caps: ModelCapabilities): void {
  for (const [key, value] of Object.entries(request)) {
    if (!KNOWN_FIELDS.has(key) && value !== undefined && value !== null) {
      throw invalid(key, `${key} is not supported for Bedrock models.`);
    }
  }
  if (given(request.n) && request.n > 1) {
    throw invalid("n", "n > 1 is not supported for Bedrock models; send one request per choice.");
  }
  if (request.logprobs === true) {
    throw invalid("logprobs", "logprobs are not supported for Bedrock models.");
  }
  if (given(request.top_logprobs)) {
    throw invalid("top_logprobs", "top_logprobs is not supported for Bedrock models.");
  }
  if (given(request.logit_bias) && Object.keys(request.logit_bias).length > 0) {
    throw invalid("logit_bias", "logit_bias is not supported for Bedrock models.");
  }
  for (const param of ["presence_penalty", "frequency_penalty"] as const) {
    const value = request[param];
    if (given(value) && value !== 0 && !caps.penalties) {
      throw invalid(param, `${param} is not supported by this model.`);
    }
  }
  if (given(request.audio) || (request.modalities ?? []).includes("audio")) {
    throw invalid(
      given(request.audio) ? "audio" : "modalities",
      "Audio output is not supported for Bedrock models.",
    );
  }
  if (given(request.top_k) && (typeof request.top_k !== "number" || request.top_k < 0)) {
    throw invalid("top_k", "top_k must be a non-negative number.");
  }
  if (given(request.top_k) && caps.topKPath === undefined) {
    throw invalid("top_k", "top_k is not supported by this model.");
  }
}

/** What the parameter translation produced. */
export interface ParamPlan {
  inferenceConfig: ConverseInferenceConfig;
  additionalModelRequestFields: Record<string, unknown>;
  /** Claude thinking is on: forced tool choices are not allowed. */
  thinking: boolean;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (typeof next === "object" && next !== null ? next : (node[key] = {})) as Record<
      string,
      unknown
    >;
  }
  node[path[path.length - 1]] = value;
}

type Range = { readonly min: number; readonly max: number };

const clamp = (value: number, range: Range) => Math.min(range.max, Math.max(range.min, value));

/** `value` clamped to the model's own range and to the part Converse can carry. */
const clampBoth = (value: number, model: Range, converse: Range) =>
  Math.min(model.max, converse.max, Math.max(model.min, converse.min, value));

/**
 * Sampling and reasoning parameters → `inferenceConfig` and `additionalModelRequestFields`.
 *
 * @example
 * planParams({ model: "m", messages: [], temperature: 1.5, stop: "END" }, claudeCaps).inferenceConfig;
 * // { maxTokens: 4096, temperature: 1, stopSequences: ["END"] }
 */
export function planParams(request: ChatRequest, caps: ModelCapabilities): ParamPlan {
  const requestedMax = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  let maxTokens: number | undefined = requestedMax ?? caps.defaultMaxTokens;
  let temperature = given(request.temperature)
    ? clampBoth(request.temperature, caps.temperature, LIMITS.temperature)
    : undefined;
  let topP = given(request.top_p) ? clamp(request.top_p, LIMITS.topP) : undefined;
  let topK = typeof request.top_k === "number" ? request.top_k : undefined;
  const stop = typeof request.stop === "string" ? [request.stop] : request.stop ?? [];
  const stopSequences = stop.filter((s) => s !== "");
  if (stopSequences.length > LIMITS.maxStopSequences) {
    throw invalid("stop", `At most ${LIMITS.maxStopSequences} stop sequences are allowed.`);
  }
  const fields: Record<string, unknown> = {};
  let thinking = false;

  const effort = request.reasoning_effort;
  if (given(effort) && effort !== "none") {
    switch (caps.reasoning) {
      case "none":
        throw invalid("reasoning_effort", "reasoning_effort is not supported by this model.");
      case "claude_budget": {
        const answer = maxTokens;
        // An exact budget from a Claude body (`thinking.budget_tokens`) wins over the effort's.
        const exact = request.reasoning_budget_tokens;
        let budget = typeof exact === "number" && Number.isInteger(exact) && exact >= 1024
          ? exact
          : CLAUDE_THINKING_BUDGETS[effort];
        if (maxTokens <= budget) maxTokens = Math.min(caps.maxOutputTokens, budget + answer);
        if (budget >= maxTokens) budget = Math.max(1024, maxTokens - 1024);
        fields.thinking = { type: "enabled", budget_tokens: budget };
        thinking = true;
        break;
      }
      case "claude_adaptive": {
        const level = effort === "minimal" ? "low" : effort === "xhigh" ? "max" : effort;
        fields.thinking = { type: "adaptive" };
        fields.output_config = { effort: level };
        thinking = true;
        break;
      }
      case "nova": {
        const level = effort === "minimal" ? "low" : effort === "xhigh" ? "high" : effort;
        fields.reasoningConfig = { type: "enabled", maxReasoningEffort: level };
        if (level === "high") {
          temperature = undefined;
          topP = undefined;
          maxTokens = undefined;
        }
        break;
      }
      case "effort":
        fields.reasoning_effort = effort === "minimal"
          ? "low"
          : effort === "xhigh"
          ? "high"
          : effort;
        break;
      default:
        assertNever(caps.reasoning);
    }
  }
  if (thinking) {
    temperature = undefined;
    topP = undefined;
    topK = undefined;
  }
  if (topK !== undefined && caps.topKPath !== undefined) setPath(fields, caps.topKPath, topK);
  if (caps.penalties) {
    if (given(request.presence_penalty)) fields.presence_penalty = request.presence_penalty;
    if (given(request.frequency_penalty)) fields.frequency_penalty = request.frequency_penalty;
  }
  const inferenceConfig: ConverseInferenceConfig = {
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topP !== undefined ? { topP } : {}),
    ...(stopSequences.length > 0 ? { stopSequences } : {}),
  };
  return { inferenceConfig, additionalModelRequestFields: fields, thinking };
}

/**
 * The JSON schema `response_format` asks for, or undefined for text / no format.
 *
 * @example
 * jsonTarget({ model: "m", messages: [], response_format: { type: "json_object" } });
 * // { schema: { type: "object" }, name: "json_object" }
 */
export function jsonTarget(request: ChatRequest): JsonTarget | undefined {
  const format = request.response_format;
  if (format === undefined) return undefined;
  switch (format.type) {
    case "text":
      return undefined;
    case "json_object":
      return { schema: { type: "object" }, name: "json_object" };
    case "json_schema":
      return {
        schema: format.json_schema.schema ?? { type: "object" },
        name: format.json_schema.name,
        ...(format.json_schema.description !== undefined
          ? { description: format.json_schema.description }
          : {}),
      };
    default:
      return assertNever(format);
  }
}

/**
 * Native structured output (`outputConfig.textFormat`) for a JSON target.
 *
 * @example
 * nativeOutputConfig({ schema: { type: "object" }, name: "x" });
 * // { textFormat: { type: "json_schema", structure: { jsonSchema: { schema: '{"type":"object"}', name: "x" } } } }
 */
export function nativeOutputConfig(target: JsonTarget): ConverseOutputConfig {
  return {
    textFormat: {
      type: "json_schema",
      structure: {
        jsonSchema: {
          schema: JSON.stringify(target.schema),
          name: target.name,
          ...(target.description !== undefined ? { description: target.description } : {}),
        },
      },
    },
  };
}

/**
 * The instruction used when a model has neither native structured output nor a forceable tool.
 *
 * @example
 * jsonInstruction({ schema: { type: "object" }, name: "json_object" });
 */
export function jsonInstruction(target: JsonTarget): string {
  return target.name === "json_object"
    ? "Respond only with a valid JSON object, without any other text."
    : `Respond only with a valid JSON value matching this JSON schema, without any other text:\n${
      JSON.stringify(target.schema)
    }`;
}

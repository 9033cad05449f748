/**
 * The canonical OpenAI chat request → a Bedrock Converse / ConverseStream request. Pure and
 * total: remote images and documents are fetched by the provider beforehand
 * ({@link collectMediaUrls}) and passed in as `resolved`. Message rules live in
 * `converse_messages.ts`, tools in `converse_tools.ts`, parameters (and the list of rejected / ignored fields) in
 * `converse_params.ts`, media in `converse_media.ts`.
 */
import { GatewayError } from "../../../errors.ts";
import type { ChatRequest } from "../../../formats/openai/schema.ts";
import type { ConverseOutputConfig, ConverseRequest } from "./wire.ts";
import type { ModelCapabilities } from "../capabilities.ts";
import type { ResolvedMedia } from "./media.ts";
import { toConverseMessages } from "./messages.ts";
import {
  jsonInstruction,
  jsonTarget,
  nativeOutputConfig,
  planParams,
  rejectUnsupported,
} from "./params.ts";
import { planTools, ToolNames } from "./tools.ts";

export { collectMediaUrls, type FetchedContent, type ResolvedMedia } from "./media.ts";

/** A Converse request plus what the response converters need to map the answer back. */
export interface ConverseInput extends ConverseRequest {
  /** Bedrock tool name → the client's original name. */
  toolNameMap: Record<string, string>;
  /** Set when `response_format` is carried by this forced tool: its call is the content. */
  forcedJsonTool?: string;
}

/**
 * The request to send: {@link ConverseInput} without the gateway-only fields, empty optional
 * members omitted.
 *
 * @example
 * const { modelId, messages } = converseRequestOf(input);
 */
export function converseRequestOf(input: ConverseInput): ConverseRequest {
  const { toolNameMap: _names, forcedJsonTool: _json, ...request } = input;
  return request;
}

/**
 * Translates a canonical request for a Bedrock model with the given capabilities.
 * Throws {@link GatewayError} `invalid_request` (with `param`) for what Bedrock cannot honour.
 *
 * @example
 * toConverseRequest(
 *   { model: "us.anthropic.claude-sonnet-4-20250514-v1:0", messages: [{ role: "user", content: "Hi" }] },
 *   capabilitiesFor("us.anthropic.claude-sonnet-4-20250514-v1:0"),
 *   new Map(),
 * );
 * // { modelId: "us.anthropic.claude-sonnet-4-20250514-v1:0",
 * //   messages: [{ role: "user", content: [{ text: "Hi" }] }],
 * //   inferenceConfig: { maxTokens: 4096 }, toolNameMap: {} }
 */
export function toConverseRequest(
  request: ChatRequest,
  caps: ModelCapabilities,
  resolved: ResolvedMedia,
): ConverseInput {
  rejectUnsupported(request, caps);
  const params = planParams(request, caps);
  const names = new ToolNames();

  const target = jsonTarget(request);
  let outputConfig: ConverseOutputConfig | undefined;
  let extraSystem: string | undefined;
  let forcedTarget = undefined;
  if (target !== undefined) {
    const native = caps.nativeStructuredOutput && request.response_format?.type === "json_schema";
    if (native) outputConfig = nativeOutputConfig(target);
    else if (caps.tools && caps.toolChoice === "full" && !params.thinking) forcedTarget = target;
    else extraSystem = jsonInstruction(target);
  }

  const tools = planTools(request, caps, names, forcedTarget);
  const choice = tools.toolConfig?.toolChoice;
  if (params.thinking && choice !== undefined && !("auto" in choice)) {
    throw new GatewayError(
      "invalid_request",
      "tool_choice 'required' or a named tool cannot be combined with reasoning_effort on this model; use 'auto'.",
      { param: "tool_choice" },
    );
  }
  const { system, messages } = toConverseMessages(request, {
    caps,
    resolved,
    names,
    toolsEnabled: tools.toolConfig !== undefined,
    ...(extraSystem !== undefined ? { extraSystem } : {}),
  });

  const fields = params.additionalModelRequestFields;
  return {
    modelId: request.model,
    messages,
    ...(system.length > 0 ? { system } : {}),
    ...(Object.keys(params.inferenceConfig).length > 0
      ? { inferenceConfig: params.inferenceConfig }
      : {}),
    ...(tools.toolConfig !== undefined ? { toolConfig: tools.toolConfig } : {}),
    ...(Object.keys(fields).length > 0 ? { additionalModelRequestFields: fields } : {}),
    ...(outputConfig !== undefined ? { outputConfig } : {}),
    toolNameMap: names.toOriginal,
    ...(tools.forcedJsonTool !== undefined ? { forcedJsonTool: tools.forcedJsonTool } : {}),
  };
}

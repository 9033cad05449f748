/**
 * Bedrock's CountTokens API for Claude bodies: the native Claude body (as InvokeModel takes it)
 * goes to `POST /model/{modelId}/count-tokens` as `input.invokeModel.body`, and Bedrock answers
 * `{inputTokens}`, the count InvokeModel would bill for the same body.
 *
 * - **Model id.** CountTokens takes the id or ARN of a *foundation model*: cross-region
 *   inference-profile ids (`us.`, `eu.`, `apac.`, `global.`… prefixes) and system
 *   inference-profile ARNs are rejected, so they are mapped to the base model id (the profile
 *   serves that model, with the same tokenizer); foundation-model ARNs become the bare id too.
 *   Application inference-profile, provisioned and imported-model ARNs name no model in the id
 *   and are sent as they are.
 * - **Body.** Bedrock validates the body as InvokeModel would, and InvokeModel requires
 *   `max_tokens`, which the count-tokens request does not have: it is set to the model's maximum
 *   output (it does not change the count, and stays above any valid thinking budget). Fields
 *   Bedrock does not take are adapted or dropped as for chat ({@link adaptClaudeBodyForBedrock}).
 * - **Unsupported models.** Bedrock answers a ValidationException "The provided model doesn't
 *   support counting tokens" for models without CountTokens (some Claude models that launched
 *   on cross-region inference only); {@link countClaudeTokens} then resolves `undefined` and the
 *   provider answers an estimate.
 */
import { type BedrockRuntimeClient, CountTokensCommand } from "@aws-sdk/client-bedrock-runtime";
import { GatewayError } from "../../errors.ts";
import type { CallContext } from "../provider.ts";
import { bareModelId, capabilitiesFor } from "./capabilities.ts";
import { mapBedrockError } from "./errors.ts";
import { adaptClaudeBodyForBedrock } from "./native_claude_fields.ts";

/** The part of the runtime client CountTokens uses. */
export type CountTokensSend = Pick<BedrockRuntimeClient, "send">;

/**
 * The model id CountTokens takes for a chat model id (see the module comment).
 *
 * @example
 * countTokensModelId("global.anthropic.claude-sonnet-4-5-20250929-v1:0");
 * // "anthropic.claude-sonnet-4-5-20250929-v1:0"
 */
export function countTokensModelId(model: string): string {
  return bareModelId(model);
}

/** Bedrock's message for a model without CountTokens (ValidationException). */
const UNSUPPORTED = /(?:doesn't|does not) support counting tokens/i;

/** True for Bedrock's "this model cannot count tokens" refusal (as the SDK threw it, or wrapped
 * by the retrying send). */
function isUnsupported(error: unknown): boolean {
  const raw = error instanceof GatewayError ? error.cause : error;
  const e = raw as { name?: unknown; message?: unknown } | null | undefined;
  return e?.name === "ValidationException" && typeof e.message === "string" &&
    UNSUPPORTED.test(e.message);
}

/**
 * The body CountTokens gets for a native Claude body: `max_tokens` defaulted to the model's
 * maximum output, then adapted for Bedrock. Pure; notes say what was changed.
 *
 * @example
 * countTokensBody({ anthropic_version: "bedrock-2023-05-31", messages: [] },
 *   "anthropic.claude-3-haiku-20240307-v1:0").body.max_tokens; // 4096
 */
export function countTokensBody(
  body: Record<string, unknown>,
  model: string,
): { body: Record<string, unknown>; notes: string[] } {
  const withMax = body.max_tokens === undefined
    ? { ...body, max_tokens: capabilitiesFor(model).maxOutputTokens }
    : body;
  return adaptClaudeBodyForBedrock(withMax, model);
}

const encoder = new TextEncoder();

/**
 * Counts a native Claude body's input tokens with Bedrock CountTokens; `undefined` when Bedrock
 * says the model does not support counting. Other SDK errors become GatewayErrors.
 *
 * @example
 * const n = await countClaudeTokens(client, { anthropic_version: "bedrock-2023-05-31",
 *   messages: [{ role: "user", content: "Hi" }] }, "us.anthropic.claude-sonnet-4-20250514-v1:0", ctx);
 * // 8 (undefined for a model CountTokens does not support)
 */
export async function countClaudeTokens(
  client: CountTokensSend,
  body: Record<string, unknown>,
  model: string,
  ctx: CallContext,
): Promise<number | undefined> {
  const adapted = countTokensBody(body, model);
  for (const note of adapted.notes) ctx.note?.(note);
  const command = new CountTokensCommand({
    modelId: countTokensModelId(model),
    input: { invokeModel: { body: encoder.encode(JSON.stringify(adapted.body)) } },
  });
  let response: { inputTokens?: number };
  try {
    response = await client.send(command, { abortSignal: ctx.signal });
  } catch (error) {
    if (isUnsupported(error)) return undefined;
    throw mapBedrockError(error);
  }
  const tokens = response.inputTokens;
  if (typeof tokens !== "number" || !Number.isInteger(tokens) || tokens < 0) {
    throw new GatewayError("upstream", "Bedrock sent a malformed token count.");
  }
  return tokens;
}

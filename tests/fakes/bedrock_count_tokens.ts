/**
 * The CountTokens operation of the fake Bedrock (`POST /model/{modelId}/count-tokens`), as the
 * service speaks it: a JSON request `{"input": {"invokeModel": {"body": "<base64>"}}}` (the SDK
 * writes the blob as base64), a JSON answer `{"inputTokens": N}`, and a ValidationException for
 * models CountTokens does not take (inference-profile ids and ARNs, non-Anthropic models) and
 * for Claude bodies InvokeModel would refuse (no `max_tokens`, no `anthropic_version`).
 */

/** Bedrock's message for a model without CountTokens. */
export const COUNT_UNSUPPORTED_MESSAGE = "The provided model doesn't support counting tokens.";

/**
 * The model body inside a CountTokens request (`input.invokeModel.body`, base64 JSON), or
 * undefined when the request has none or it is not JSON.
 */
export function decodeCountTokensBody(request: unknown): unknown {
  const body = (request as { input?: { invokeModel?: { body?: unknown } } } | undefined)?.input
    ?.invokeModel?.body;
  if (typeof body !== "string") return undefined;
  try {
    const bytes = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}

/**
 * The fake's token count of a Claude body: one token per three UTF-8 bytes of the JSON of its
 * `system`, `messages` and `tools` (rounded up). Deterministic, and unlike the gateway's
 * estimate, so a test can tell which one answered.
 *
 * @example
 * fakeTokenCount({ messages: [{ role: "user", content: "Hi" }] }); // 14
 */
export function fakeTokenCount(body: unknown): number {
  const { system, messages, tools } = (body ?? {}) as Record<string, unknown>;
  const json = JSON.stringify({ system, messages, tools });
  return Math.ceil(new TextEncoder().encode(json).length / 3);
}

/** Models CountTokens takes: Anthropic foundation models by bare id or foundation-model ARN. */
const COUNTABLE = /^(?:arn:aws[\w-]*:bedrock:[^:]*::foundation-model\/)?anthropic\.claude/;

/**
 * Bedrock's ValidationException message for a CountTokens request it refuses, or undefined.
 */
export function countTokensRefusal(modelId: string, body: unknown): string | undefined {
  if (!COUNTABLE.test(modelId)) return COUNT_UNSUPPORTED_MESSAGE;
  if (typeof body !== "object" || body === null) {
    return "Malformed input request: the body is not a JSON object";
  }
  for (const key of ["anthropic_version", "max_tokens", "messages"]) {
    if (!(key in body)) return `Malformed input request: #: required key [${key}] not found`;
  }
  return undefined;
}

/**
 * The count-tokens service (`POST /v1/messages/count_tokens`): an Anthropic Messages request is
 * routed as chat routes it, and the routed provider counts its input tokens — Bedrock's
 * CountTokens for Claude models (the native Claude body), the mock's own count, an estimate for
 * OpenAI-compatible upstreams. A provider without a count of its own gets its
 * `promptTokens`, else the estimate. Nothing is metered: counting consumes no tokens.
 */
import { toGatewayError } from "../errors.ts";
import { hasUrlSources, nativeClaudeBody } from "../formats/bedrock_claude/native.ts";
import type { ClaudeRequest, CountTokensRequest } from "../formats/bedrock_claude/schema.ts";
import { claudeToOpenAIRequest } from "../formats/bedrock_claude/to_canonical.ts";
import type { ChatRequest } from "../formats/openai/schema.ts";
import { estimatePromptTokens } from "../formats/openai/token_estimate.ts";
import type { CallContext, TokenCount, TokenCountRequest } from "../providers/provider.ts";
import type { Router, Target } from "../deployments/router.ts";
import type { RequestMeta } from "./request_meta.ts";

/** Per-call options of {@link TokenCounter}. */
export interface CountCallOptions {
  signal: AbortSignal;
  /** Filled in with the model, the instance, the upstream time and notes. */
  meta?: RequestMeta;
}

/** Counts the input tokens of a validated count-tokens request. */
export type TokenCounter = (
  request: CountTokensRequest,
  options: CountCallOptions,
) => Promise<TokenCount>;

/** What the counter needs. */
export interface TokenCounterDeps {
  router: Router;
  now: () => Date;
  newId: (prefix: string) => string;
}

/**
 * Creates the counter. Unknown models are the usual 404 `model_not_found`; a request the
 * provider refuses is the provider's error.
 *
 * @example
 * const count = createTokenCounter({ router, now: () => new Date(), newId: randomId });
 * await count({ model: "mock-echo", messages: [{ role: "user", content: "Hi there" }] },
 *   { signal }); // { inputTokens: 2, exact: true }
 */
export function createTokenCounter(deps: TokenCounterDeps): TokenCounter {
  return (request, { signal, meta }) =>
    deps.router.run(
      request.model,
      { signal, meta },
      (found) => count(found, request, signal, meta),
    );

  async function count(
    found: Target,
    request: CountTokensRequest,
    signal: AbortSignal,
    meta: RequestMeta | undefined,
  ): Promise<TokenCount> {
    const provider = found.provider;
    // The count request is a Messages request without max_tokens: the converters take it as one.
    const claude = request as ClaudeRequest;
    let canonical: ChatRequest | undefined;
    const counted: TokenCountRequest = {
      model: found.model,
      canonical: () => canonical ??= { ...claudeToOpenAIRequest(claude), model: found.model },
      // URL image and document sources are fetched by the gateway for chat, never sent natively.
      ...(hasUrlSources(claude)
        ? {}
        : { native: { format: "bedrock_claude", body: nativeClaudeBody(claude) } }),
    };
    const ctx: CallContext = {
      signal,
      now: deps.now,
      newId: deps.newId,
      sourceFormat: "bedrock_claude",
      ...(meta ? { note: (text: string) => void (meta.notes ??= []).push(text) } : {}),
    };
    if (provider.countTokens === undefined) {
      const exact = provider.promptTokens?.(counted.canonical());
      return exact !== undefined
        ? { inputTokens: exact, exact: true }
        : { inputTokens: estimatePromptTokens(counted.canonical()), exact: false };
    }
    const started = performance.now();
    try {
      return await provider.countTokens(counted, ctx);
    } catch (error) {
      throw toGatewayError(error);
    } finally {
      if (meta) meta.upstreamMs = performance.now() - started;
    }
  }
}

/**
 * The native side of the Titan format: the body Bedrock InvokeModel takes as it is, and the
 * usage tap that watches native chunks pass through unchanged.
 */
import { GatewayError } from "../../errors.ts";
import type { UsageTap } from "../codec.ts";
import type { Usage } from "../openai/schema.ts";
import type { TitanRequest, TitanStreamChunk } from "./schema.ts";
import { titanUsage } from "./to_canonical.ts";

/** Fields only the gateway understands; removed before a body goes to Bedrock natively. */
export const TITAN_GATEWAY_FIELDS = ["model", "stream", "file_ids"] as const;

/**
 * The body to send to Bedrock InvokeModel natively: gateway fields removed.
 *
 * @example
 * nativeTitanBody({ model: "amazon.titan-text-express-v1", inputText: "Hi" }); // { inputText: "Hi" }
 */
export function nativeTitanBody(request: TitanRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { ...request };
  for (const field of TITAN_GATEWAY_FIELDS) delete body[field];
  return body;
}

/**
 * The native body for a request, or undefined when it takes the canonical hub (bodies with
 * `file_ids`: file context is added to the canonical request).
 *
 * @example
 * nativeTitanBodyFor({ model: "m", inputText: "Hi", file_ids: ["file-1"] }); // undefined
 */
export function nativeTitanBodyFor(request: TitanRequest): Record<string, unknown> | undefined {
  if (request.file_ids !== undefined && request.file_ids.length > 0) return undefined;
  return nativeTitanBody(request);
}

/**
 * Watches Titan chunks for token counts and the closing `completionReason`; a stream without
 * one was cut.
 *
 * @example
 * const tap = titanUsageTap();
 * tap.push({ outputText: "Hi", index: 0, completionReason: "FINISH", inputTextTokenCount: 3,
 *   totalOutputTextTokenCount: 1 });
 * tap.usage(); // { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }
 */
export function titanUsageTap(): UsageTap {
  let inputTokens: number | undefined;
  let usage: Usage | undefined;
  return {
    push(value) {
      const chunk = value as TitanStreamChunk;
      if (typeof chunk?.inputTextTokenCount === "number") inputTokens = chunk.inputTextTokenCount;
      if (usage !== undefined || chunk?.completionReason == null) return;
      const metrics = chunk["amazon-bedrock-invocationMetrics"];
      usage = titanUsage(
        inputTokens ?? metrics?.inputTokenCount,
        chunk.totalOutputTextTokenCount ?? metrics?.outputTokenCount,
      );
    },
    usage: () => usage,
    end() {
      if (usage === undefined) {
        throw new GatewayError("upstream", "The Titan stream ended early (no completionReason).");
      }
    },
  };
}

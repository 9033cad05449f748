/**
 * One usage record per request (issue 15): who asked (key, team), what (route, model asked,
 * provider, deployment), the tokens and their cost, how long it took and how it ended. Built
 * from what the request's access-log line already holds, after the response (or stream) ended,
 * so nothing is added to the critical path.
 */
import type { Usage } from "../formats/openai/schema.ts";
import { costUsd, tokenCounts } from "./cost.ts";
import type { Price } from "./prices.ts";
import type { UsageRecord } from "../store/store.ts";

/** What a finished request tells the usage record (the access-log record fits it). */
export interface FinishedRequest {
  request_id: string;
  route: string;
  status: number;
  duration_ms: number;
  model?: string;
  provider?: string;
  deployment?: string;
  upstream_ms?: number;
  usage?: unknown;
  error_code?: string;
  /** The virtual key that made it (absent for static keys and open gateways). */
  key_id?: string;
  team?: string;
}

/** A stored usage record (defined with the store, which keeps it). */
export type { UsageRecord } from "../store/store.ts";

/** The provider-side model of a deployment id (`<provider>/<model>`). */
const deploymentModel = (deployment: string) => deployment.slice(deployment.indexOf("/") + 1);

const isUsage = (value: unknown): value is Usage =>
  typeof value === "object" && value !== null && "prompt_tokens" in value;

/**
 * The usage record of a finished request, priced by the model the deployment served (else the
 * model asked for).
 *
 * @example
 * usageRecord({ request_id: "r", route: "/v1/chat/completions", status: 200, duration_ms: 12,
 *   deployment: "openai/gpt-4o", usage }, priceOf(), new Date());
 */
export function usageRecord(
  request: FinishedRequest,
  price: (model: string) => Price | undefined,
  now: Date,
): UsageRecord {
  const tokens = tokenCounts(isUsage(request.usage) ? request.usage : undefined);
  const priced = request.deployment !== undefined
    ? deploymentModel(request.deployment)
    : request.model;
  const used = tokens.input + tokens.output > 0;
  const cost = priced === undefined ? undefined : costUsd(tokens, price(priced));
  return {
    time: now.toISOString(),
    request_id: request.request_id,
    key_id: request.key_id ?? null,
    team: request.team ?? null,
    route: request.route,
    model: request.model ?? null,
    provider: request.provider ?? null,
    deployment: request.deployment ?? null,
    input_tokens: tokens.input,
    cached_tokens: tokens.cached,
    output_tokens: tokens.output,
    reasoning_tokens: tokens.reasoning,
    // Nothing used costs nothing, whatever the price; used tokens at an unknown price are unknown.
    cost_usd: used ? cost ?? null : 0,
    latency_ms: Math.round(request.duration_ms * 100) / 100,
    ttft_ms: request.upstream_ms === undefined ? null : Math.round(request.upstream_ms * 100) / 100,
    status: request.status,
    error_code: request.error_code ?? null,
  };
}

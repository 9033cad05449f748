/**
 * The record of one request that the chat pipeline fills in for the access log and metrics.
 */
import type { Usage } from "../formats/openai/schema.ts";
import type { RouteRecord } from "../deployments/router.ts";

/** What a request did, filled in by the service for logs and metrics (the router fills in the
 * model, instance and deployment: {@link RouteRecord}). */
export interface RequestMeta extends RouteRecord {
  usage?: Usage;
  /** Upstream time: whole answer for `complete`, time to first chunk for `stream`. */
  upstreamMs?: number;
  /** What the gateway changed for the upstream (fields dropped or translated), for the log. */
  notes?: string[];
  /** The request's tools the answering path left out (Responses built-in tools on the hub). */
  ignoredTools?: string[];
  /** The virtual key that made the request (never the key itself), for logs and usage. */
  key?: { id: string; name: string; team?: string };
}

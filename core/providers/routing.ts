/**
 * Model id → provider instance routing (SPEC §3.3), over the registered instances: an explicit
 * `<id>/` prefix first, then an instance whose model list names the id exactly (what an
 * OpenAI-compatible upstream's `/models` answered, or its configured `models`), then the kinds'
 * patterns in registration order, then `DEFAULT_PROVIDER`. (Aliases come before all of this:
 * `core/deployments/router.ts`.)
 * The patterns themselves belong to the kinds (`core/providers/<kind>/`).
 */
import { GatewayError } from "../errors.ts";
import type { ProviderId } from "./provider.ts";

/** Where a request goes and the model id the provider sees. */
export interface Route {
  /** The instance id. */
  provider: ProviderId;
  model: string;
}

/** One routable instance, as routing sees it. */
export interface RoutingEntry {
  id: ProviderId;
  /** The instance kind's patterns. */
  claims(model: string): boolean;
  /** Whether the instance's model list names `model` exactly. */
  lists?(model: string): boolean;
}

/** What routing decides over: the enabled instances in registration order, and the default. */
export interface RoutingTable {
  instances: readonly RoutingEntry[];
  /** The instance that takes ids nothing claims (`DEFAULT_PROVIDER`). */
  defaultProvider?: ProviderId;
}

/** The model id as routing found it, or undefined when nothing takes it. */
export function findRoute(modelId: string, table: RoutingTable): Route | undefined {
  const slash = modelId.indexOf("/");
  if (slash > 0) {
    const id = modelId.slice(0, slash);
    if (table.instances.some((i) => i.id === id)) {
      return { provider: id, model: modelId.slice(slash + 1) };
    }
  }
  const lister = table.instances.find((i) => i.lists?.(modelId) === true);
  if (lister !== undefined) return { provider: lister.id, model: modelId };
  const claimer = table.instances.find((i) => i.claims(modelId));
  if (claimer !== undefined) return { provider: claimer.id, model: modelId };
  if (table.defaultProvider !== undefined) {
    return { provider: table.defaultProvider, model: modelId };
  }
  return undefined;
}

/**
 * Resolves a model id to an instance, stripping an `<id>/` prefix; 404 `model_not_found` when
 * nothing takes it.
 *
 * @example
 * resolveRoute("local/llama3", table); // { provider: "local", model: "llama3" }
 */
export function resolveRoute(modelId: string, table: RoutingTable): Route {
  const route = findRoute(modelId, table);
  if (route !== undefined) return route;
  throw modelNotFound(modelId);
}

/** The 404 `model_not_found` for an id nothing routes (shared with the router). */
export function modelNotFound(modelId: string): GatewayError {
  return new GatewayError(
    "not_found",
    `The model '${modelId}' does not exist or is not routable by this gateway.`,
    { code: "model_not_found", param: "model" },
  );
}

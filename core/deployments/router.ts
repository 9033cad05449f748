/**
 * The router: a requested model id → the deployments that may serve it, tried in the alias
 * strategy's order. An alias (`models:` in the config file) names one or more deployments
 * (`<provider>/<model>`); any other id is one deployment, routed by `core/providers/routing.ts`.
 *
 * {@link Router.run} makes the attempts. A failure worth moving on for (429, 5xx, timeout,
 * connection; an unconfigured provider too) before the first byte reached the client moves the
 * request to the next deployment; after it, nothing does (the attempt's promise resolves at the
 * first byte: a stream's first event). One {@link AttemptBudget} bounds the upstream attempts of
 * the whole request (`router.max_attempts`), and the request's first-byte deadline
 * (`UPSTREAM_TIMEOUT_MS`) is shared out between the deployments still waiting. An alias's
 * failing deployment is cooled down (`router.cooldown`, `Retry-After`) and skipped until it
 * ends. Every attempt records which deployment served (`deployment`) or failed
 * (`failedAttempts`) in the request's record, and each failure is logged with its reason.
 */
import { GatewayError, toGatewayError } from "../errors.ts";
import type { ModelInfo } from "../formats/openai/schema.ts";
import type { Logger } from "../logger.ts";
import type { ChatProvider, ProviderId } from "../providers/provider.ts";
import type { Providers } from "../providers/registry.ts";
import { type AttemptBudget, bindBudget, isRetryable } from "../providers/retry.ts";
import { modelNotFound } from "../providers/routing.ts";
import type { GateRecord, RequestGate } from "../limits/gate.ts";
import type { AliasConfig, DeploymentParams, RouterConfig, Strategy } from "./schema.ts";
import type { DeploymentStats } from "./stats.ts";
import { orderDeployments } from "./strategies.ts";

/** One deployment a request may be sent to. */
export interface Target {
  provider: ChatProvider;
  /** The provider instance id. */
  id: ProviderId;
  /** The provider-side model id. */
  model: string;
  /** `<provider>/<model>`: the `x-gateway-deployment` header, logs and metrics. */
  deployment: string;
  /** The deployment's request defaults and caps. */
  params?: DeploymentParams;
}

/** What the router records of a request (the chat pipeline's `RequestMeta` extends it); the
 * rate-limit gate's fields ({@link GateRecord}) too. */
export interface RouteRecord extends GateRecord {
  /** The model id the client asked for (an alias name, or a model id). */
  model?: string;
  /** The instance id of the deployment that served (or failed last). */
  provider?: ProviderId;
  /** The deployment that served (or failed last). */
  deployment?: string;
  /** The deployments that failed before one served, with their reasons. */
  failedAttempts?: { deployment: string; error_code: string; message: string }[];
  /** The caller's model allowlist (a virtual key's `models`), checked against the model id as
   * asked for before anything is routed; absent: any model. */
  allowsModel?: (model: string) => boolean;
}

/** What {@link Router.run} needs of the call. */
export interface RouteCall {
  signal?: AbortSignal;
  meta?: RouteRecord;
}

/**
 * One attempt on `target`. `hold` is given when the alias counts requests in flight
 * (`least_busy`) or the request holds rate limits (the gate): a stream calls it and calls what
 * it returns once when the stream ends (finished, failed or cancelled), so the request counts
 * until then (otherwise it counts until the attempt settles).
 */
export type AttemptFn<T> = (target: Target, hold?: () => () => void) => Promise<T>;

/** An alias as listings show it. */
export interface AliasInfo {
  name: string;
  strategy: Strategy;
  deployments: {
    deployment: string;
    provider: ProviderId;
    model: string;
    weight: number;
    priority?: number;
    params?: DeploymentParams;
    /** Milliseconds until it takes traffic again (0: it does). */
    cooling_ms: number;
    in_flight: number;
  }[];
}

/** The router over a set of provider instances and aliases. */
export interface Router {
  /** The provider instances (health, listings). */
  readonly providers: Providers;
  /** The configured aliases with their deployments' current state. */
  aliases(): AliasInfo[];
  /** Runs `attempt` on the deployments of `model`, as the module doc says; throws the last
   * failure (404 `model_not_found` for an id nothing takes). */
  run<T>(model: string, call: RouteCall, attempt: AttemptFn<T>): Promise<T>;
  /** Every routable model: the aliases (`owned_by: "gateway"`), then the providers' models. */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  /** An alias as a model entry, or undefined. */
  aliasModel(id: string): ModelInfo | undefined;
}

/** Options of {@link createRouter}. */
export interface RouterOptions {
  providers: Providers;
  aliases?: readonly AliasConfig[];
  settings: RouterConfig;
  /** Shared across reloads (per isolate). */
  stats: DeploymentStats;
  logger: Logger;
  /** The request's first-byte budget (`UPSTREAM_TIMEOUT_MS`). */
  timeoutMs: number;
  /** `UPSTREAM_MAX_RETRIES`: without `router.max_attempts`, a request may make one attempt per
   * deployment plus this many. */
  retries: number;
  /** Uniform in [0, 1); default `Math.random`. */
  random?: () => number;
  /** Seconds since the epoch for alias entries' `created`; default now. */
  created?: number;
  /** The rate-limit gate (`core/limits/gate.ts`), asked once per request after the allowlist;
   * without it nothing is limited. */
  gate?: RequestGate;
}

/** How long a request for an id nothing takes waits for the providers' lists to be re-read. */
const RELIST_WAIT_MS = 3_000;

interface Deployment {
  id: string;
  provider: ProviderId;
  model: string;
  weight: number;
  priority?: number;
  params?: DeploymentParams;
}

interface Alias {
  name: string;
  strategy: Strategy;
  deployments: Deployment[];
}

const deploymentId = (provider: string, model: string) => `${provider}/${model}`;

/** The failures that move a request on: retryable ones, and a provider without credentials. */
const movesOn = (error: GatewayError) =>
  isRetryable(error) || error.code === "provider_not_configured";

/** The last failure of an alias, its message naming the deployment (never a secret: the
 * deployment is `<provider-id>/<model>`). */
function namingDeployment(error: GatewayError, target: Target, alias: string): GatewayError {
  return new GatewayError(
    error.kind,
    `${error.message} (deployment '${target.deployment}' of '${alias}')`,
    {
      code: error.code,
      param: error.param,
      retryAfterSeconds: error.retryAfterSeconds,
      cause: error.cause ?? error,
    },
  );
}

const notAllowed = (model: string) =>
  new GatewayError(
    "permission",
    `This API key may not use the model '${model}'; ask the gateway's admin to add it to the ` +
      "key's models.",
    { code: "permission_denied", param: "model" },
  );

const notEnabled = (id: string) =>
  new GatewayError("unavailable", `The provider '${id}' is not enabled on this gateway.`, {
    code: "provider_not_configured",
  });

/**
 * Creates the router.
 *
 * @example
 * const router = createRouter({ providers, aliases, settings: DEFAULT_ROUTER_CONFIG, stats,
 *   logger, timeoutMs: 60_000, retries: 2 });
 * await router.run("fast", { signal, meta }, (target) => target.provider.complete(request, ctx));
 */
export function createRouter(options: RouterOptions): Router {
  const { providers, settings, stats, logger } = options;
  const random = options.random ?? Math.random;
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const aliases = new Map<string, Alias>(
    (options.aliases ?? []).map((a) => [a.name, {
      name: a.name,
      strategy: a.strategy,
      deployments: a.deployments.map((d) => ({
        id: deploymentId(d.provider, d.model),
        provider: d.provider,
        model: d.model,
        weight: d.weight,
        priority: d.priority,
        params: d.params,
      })),
    }]),
  );

  const targetOf = (d: Deployment): Target | undefined => {
    const provider = providers.get(d.provider)?.provider;
    return provider === undefined
      ? undefined
      : { provider, id: d.provider, model: d.model, deployment: d.id, params: d.params };
  };

  /** The one deployment of an id that is not an alias. */
  async function direct(model: string): Promise<Target> {
    let found = providers.findRoute(model);
    if (found === undefined) {
      // Maybe an upstream started serving it: read the lists again (bounded wait).
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        providers.relist(),
        new Promise((resolve) => timer = setTimeout(resolve, RELIST_WAIT_MS)),
      ]);
      clearTimeout(timer);
      found = providers.findRoute(model);
    }
    if (found === undefined) throw modelNotFound(model);
    const provider = providers.get(found.provider)?.provider;
    if (provider === undefined) throw notEnabled(found.provider);
    return {
      provider,
      id: found.provider,
      model: found.model,
      deployment: deploymentId(found.provider, found.model),
    };
  }

  /** An alias's deployments to try, in order: enabled ones, cooled-down ones left out. */
  function aliasTargets(alias: Alias): Target[] {
    const ordered = orderDeployments(alias.strategy, alias.deployments, {
      stats,
      random,
      exploration: settings.latency_exploration,
    });
    const targets: Target[] = [];
    let enabled = 0;
    let coolest = Infinity;
    for (const d of ordered) {
      const target = targetOf(d);
      if (target === undefined) continue;
      enabled++;
      const cooling = stats.coolingMs(d.id);
      if (cooling > 0) coolest = Math.min(coolest, cooling);
      else targets.push(target);
    }
    if (enabled === 0) {
      throw new GatewayError(
        "unavailable",
        `No deployment of '${alias.name}' is on an enabled provider.`,
        { code: "provider_not_configured" },
      );
    }
    if (targets.length === 0) {
      const seconds = Math.max(1, Math.ceil(coolest / 1000));
      throw new GatewayError(
        "unavailable",
        `Every deployment of '${alias.name}' is cooling down after failures; retry in ${seconds} s.`,
        { code: "upstream_unavailable", retryAfterSeconds: seconds },
      );
    }
    return targets;
  }

  async function run<T>(model: string, call: RouteCall, attempt: AttemptFn<T>): Promise<T> {
    const { meta } = call;
    if (meta) meta.model = model;
    if (meta?.allowsModel !== undefined && !meta.allowsModel(model)) throw notAllowed(model);
    const admitting = meta === undefined ? undefined : options.gate?.admit(model, meta);
    if (admitting === undefined) return route(model, call, attempt);
    const pass = await admitting;
    // Settled when the request is over: at once, or (a stream the attempt holds) at its end.
    let streaming = false;
    try {
      return await route(model, call, attempt, () => (streaming = true, pass.settle));
    } finally {
      if (!streaming) pass.settle();
    }
  }

  /** The attempts of {@link run} once the request is admitted; `keep` (a gated request) is
   * what a stream that holds its attempt also keeps until it ends. */
  async function route<T>(
    model: string,
    call: RouteCall,
    attempt: AttemptFn<T>,
    keep?: () => () => void,
  ): Promise<T> {
    const { meta, signal } = call;
    const alias = aliases.get(model);
    const targets = alias === undefined ? [await direct(model)] : aliasTargets(alias);
    const firstByteBy = performance.now() + options.timeoutMs;
    const left = settings.max_attempts ?? targets.length + options.retries;
    const budget: AttemptBudget = { left, attemptBy: firstByteBy, moveOn: false };
    if (signal !== undefined) bindBudget(signal, budget);
    const tracked = alias?.strategy === "least_busy";
    for (let n = 0;; n++) {
      const target = targets[n];
      const waiting = targets.length - n - 1;
      const now = performance.now();
      budget.moveOn = waiting > 0 && budget.left > 1;
      budget.attemptBy = budget.moveOn ? now + (firstByteBy - now) / (waiting + 1) : firstByteBy;
      if (meta) {
        meta.provider = target.id;
        meta.deployment = target.deployment;
      }
      const leftBefore = budget.left;
      const end = stats.begin(target.deployment);
      let held = false;
      const hold = tracked && keep !== undefined
        ? () => {
          held = true;
          const release = keep();
          return () => (end(), release());
        }
        : tracked
        ? () => (held = true, end)
        : keep;
      try {
        const result = await attempt(target, hold);
        stats.succeeded(target.deployment, performance.now() - now);
        return result;
      } catch (raw) {
        const error = toGatewayError(raw);
        if (budget.left === leftBefore) budget.left--;
        if (alias === undefined || signal?.aborted === true || !movesOn(error)) throw error;
        const cooledMs = isRetryable(error)
          ? stats.failed(target.deployment, error, settings.cooldown)
          : 0;
        const next = n + 1 < targets.length && budget.left > 0 ? targets[n + 1] : undefined;
        meta && (meta.failedAttempts ??= []).push({
          deployment: target.deployment,
          error_code: error.code,
          message: error.message,
        });
        logger.warn("deployment failed", {
          alias: alias.name,
          deployment: target.deployment,
          error_code: error.code,
          error_message: error.message,
          cooled_down_s: cooledMs > 0 ? Math.ceil(cooledMs / 1000) : undefined,
          next_deployment: next?.deployment ?? null,
          attempts_left: budget.left,
        });
        if (next === undefined) throw namingDeployment(error, target, alias.name);
      } finally {
        if (!held) end();
      }
    }
  }

  const aliasModel = (id: string): ModelInfo | undefined =>
    aliases.has(id) ? { id, object: "model", created, owned_by: "gateway" } : undefined;

  return {
    providers,
    run,
    aliasModel,
    aliases: () =>
      [...aliases.values()].map((a) => ({
        name: a.name,
        strategy: a.strategy,
        deployments: a.deployments.map((d) => ({
          deployment: d.id,
          provider: d.provider,
          model: d.model,
          weight: d.weight,
          ...(d.priority === undefined ? {} : { priority: d.priority }),
          ...(d.params === undefined ? {} : { params: d.params }),
          cooling_ms: Math.round(stats.coolingMs(d.id)),
          in_flight: stats.inFlight(d.id),
        })),
      })),
    async listModels(signal) {
      const models = await providers.listModels(signal);
      const own = [...aliases.keys()].map((name) => aliasModel(name)!);
      const names = new Set(aliases.keys());
      return [...own, ...models.filter((m) => !names.has(m.id))];
    },
  };
}

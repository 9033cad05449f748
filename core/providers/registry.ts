/**
 * The provider registry: the kinds the gateway knows (one line each below) and the instances
 * created from config, each with an id. The chat service routes and looks providers up through
 * the {@link Providers} set built here; `/health` and `/v1/models` read it too.
 */
import { ConfigError } from "../config.ts";
import type { ModelInfo } from "../formats/openai/schema.ts";
import { anthropicKind } from "./anthropic/kind.ts";
import { azureOpenAIKind } from "./azure_openai/kind.ts";
import { bedrockKind } from "./bedrock/kind.ts";
import { mockKind } from "./mock/kind.ts";
import { openaiKind } from "./openai/kind.ts";
import type {
  ChatProvider,
  CredentialState,
  InstanceHealth,
  ProviderId,
  ProviderKind,
  ProviderRuntime,
  ProviderState,
} from "./provider.ts";
import { findRoute, resolveRoute, type Route, type RoutingTable } from "./routing.ts";

/** Every provider kind the gateway can instantiate, one registration line each. */
export const PROVIDER_KINDS: readonly ProviderKind[] = [
  openaiKind,
  bedrockKind,
  anthropicKind,
  azureOpenAIKind,
  mockKind,
];

/** One instance to create: its id, its kind and the kind's settings. */
export interface InstanceSpec {
  id: ProviderId;
  kind: string;
  /** Validated by the kind's `settings` schema. */
  settings?: unknown;
  /**
   * A ready provider to use instead of the kind's factory (its routing patterns still apply;
   * `/health` reports it `configured`). For tests that must provoke what no upstream can.
   */
  provider?: ChatProvider;
}

/** A created instance. */
export interface ProviderInstance {
  readonly id: ProviderId;
  /** The kind's name. */
  readonly kind: string;
  readonly provider: ChatProvider;
  /** False: takes no requests, lists no models (its `/health` entry still shows). */
  readonly enabled: boolean;
  health(): InstanceHealth;
}

/** The `providers` and `credentials` parts of `/health`, keyed by instance id. */
export interface ProvidersHealth {
  providers: Record<ProviderId, ProviderState>;
  credentials: Record<ProviderId, CredentialState>;
}

/** The configured instances: routing, lookup, model listing and health over all of them. */
export interface Providers {
  /** Every instance, in registration order. */
  readonly instances: readonly ProviderInstance[];
  /** An enabled instance by id. */
  get(id: ProviderId): ProviderInstance | undefined;
  /** Where a model id goes; 404 `model_not_found` when nothing takes it. */
  route(model: string): Route;
  /** Where a model id goes, or undefined. */
  findRoute(model: string): Route | undefined;
  /**
   * Asks the instances for their model lists again (as {@link listModels} does), so ids an
   * upstream started serving since become routable; at most once per {@link RELIST_INTERVAL_MS}
   * (concurrent callers share one listing, so no caller's signal aborts it). The router calls it
   * for an id nothing takes.
   */
  relist(): Promise<void>;
  /**
   * Every enabled instance's models, which also become routable under their own ids (routing's
   * "listed" step). A model is listed under its own id when that id routes to its instance, else
   * as `<id>/<model>`, so two instances serving the same model are both listed and each entry
   * routes back to its instance. A failing list is skipped.
   */
  listModels(signal?: AbortSignal): Promise<ModelInfo[]>;
  /** The instances' `/health` entries. */
  health(): ProvidersHealth;
}

/** Options of {@link createProviders}. */
export interface ProvidersOptions {
  /** The instance that takes model ids nothing claims (`DEFAULT_PROVIDER`). */
  defaultProvider?: ProviderId;
  /** The kinds to choose from; default {@link PROVIDER_KINDS}. */
  kinds?: readonly ProviderKind[];
}

/** The shortest time between two listings made for ids nothing takes ({@link Providers.relist}). */
export const RELIST_INTERVAL_MS = 10_000;

/** Instance ids are config keys and model prefixes: no `/`, no spaces. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const invalid = (message: string) => new ConfigError(`Invalid configuration: ${message}`);

function settingsOf(kind: ProviderKind, spec: InstanceSpec): unknown {
  const parsed = kind.settings.safeParse(spec.settings ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
  throw invalid(`providers.${spec.id}${where}: ${issue.message}`);
}

function instanceOf(
  spec: InstanceSpec,
  kinds: readonly ProviderKind[],
  runtime: ProviderRuntime | undefined,
): ProviderInstance {
  if (!ID_PATTERN.test(spec.id)) {
    throw invalid(
      `provider id '${spec.id}' must start with a letter or digit and use only letters, digits, '_', '.' and '-'`,
    );
  }
  const kind = kinds.find((k) => k.name === spec.kind);
  if (kind === undefined) {
    throw invalid(
      `provider '${spec.id}' has unknown kind '${spec.kind}' (known: ${
        kinds.map((k) => k.name).join(", ")
      })`,
    );
  }
  if (spec.provider !== undefined) {
    return {
      id: spec.id,
      kind: kind.name,
      provider: spec.provider,
      enabled: true,
      health: () => ({ state: "configured" }),
    };
  }
  const settings = settingsOf(kind, spec);
  if (runtime === undefined) {
    throw invalid(`provider '${spec.id}' needs a runtime to be created`);
  }
  const created = kind.create(spec.id, settings, runtime);
  return {
    id: spec.id,
    kind: kind.name,
    provider: created.provider,
    enabled: created.enabled !== false,
    health: () => created.health(),
  };
}

/**
 * Creates the instances, in order (which is the routing order of their patterns). Throws a
 * {@link ConfigError} naming the problem for a duplicate or malformed id, an unknown kind,
 * invalid settings, or a `defaultProvider` that is not one of the ids.
 *
 * @example
 * const providers = createProviders([
 *   { id: "openai", kind: "openai", settings: { api_key: "sk-…" } },
 *   { id: "local", kind: "openai", settings: { api_key: "none", base_url: "http://127.0.0.1:11434/v1" } },
 * ], runtime);
 * providers.route("local/llama3"); // { provider: "local", model: "llama3" }
 */
export function createProviders(
  specs: readonly InstanceSpec[],
  runtime?: ProviderRuntime,
  options: ProvidersOptions = {},
): Providers {
  const kinds = options.kinds ?? PROVIDER_KINDS;
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.id)) throw invalid(`provider id '${spec.id}' is defined twice`);
    seen.add(spec.id);
  }
  const { defaultProvider } = options;
  if (defaultProvider !== undefined && !seen.has(defaultProvider)) {
    throw invalid(
      `DEFAULT_PROVIDER '${defaultProvider}' is not a configured provider (${
        [...seen].join(", ") || "none"
      })`,
    );
  }
  const instances = specs.map((spec) => instanceOf(spec, kinds, runtime));
  const enabled = instances.filter((i) => i.enabled);
  const claims = new Map(
    kinds.map((k) => [k.name, (model: string) => k.patterns.some((p) => p.test(model))]),
  );
  /** Each instance's last model list, by instance id (routing's "listed" step). */
  const served = new Map<ProviderId, ReadonlySet<string>>();
  const table: RoutingTable = {
    instances: enabled.map((i) => ({
      id: i.id,
      claims: claims.get(i.kind) ?? (() => false),
      lists: (model: string) => served.get(i.id)?.has(model) === true,
    })),
    defaultProvider,
  };

  async function listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const lists = await Promise.all(
      enabled.map((i) => i.provider.listModels(signal).catch(() => [] as ModelInfo[])),
    );
    enabled.forEach((instance, n) => served.set(instance.id, new Set(lists[n].map((m) => m.id))));
    const listed = new Set<string>();
    const models: ModelInfo[] = [];
    enabled.forEach((instance, n) => {
      for (const model of lists[n]) {
        const route = findRoute(model.id, table);
        const own = route?.provider === instance.id && route.model === model.id;
        const id = own ? model.id : `${instance.id}/${model.id}`;
        if (listed.has(id)) continue;
        listed.add(id);
        models.push(id === model.id ? model : { ...model, id });
      }
    });
    return models;
  }

  let relisting: Promise<void> | undefined;
  let relistedAt = -Infinity;

  return {
    instances,
    get: (id) => enabled.find((i) => i.id === id),
    route: (model) => resolveRoute(model, table),
    findRoute: (model) => findRoute(model, table),
    listModels,
    relist() {
      if (relisting !== undefined) return relisting;
      if (performance.now() - relistedAt < RELIST_INTERVAL_MS) return Promise.resolve();
      relistedAt = performance.now();
      relisting = listModels().then(() => {}, () => {}).finally(() => relisting = undefined);
      return relisting;
    },
    health() {
      const report: ProvidersHealth = { providers: {}, credentials: {} };
      for (const instance of instances) {
        const health = instance.health();
        report.providers[instance.id] = health.state;
        if (health.credentials !== undefined) report.credentials[instance.id] = health.credentials;
      }
      return report;
    },
  };
}

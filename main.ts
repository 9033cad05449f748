/**
 * The composition root: environment → config → real SDK clients → app → serve.
 *
 * `deno task start` runs `main.ts start`: the config is validated once (a bad value exits with
 * status 1 and one line naming the variable; a bad config file — `GATEWAY_CONFIG`, or
 * `./gateway.yaml` when present, whose providers then replace the environment's — with one
 * line per problem), then one worker per CPU core (or `WORKERS`) serves
 * the same port with SO_REUSEPORT, through the gateway's own accept loop (`server/listener.ts`):
 * connection limits per process (`MAX_CONNECTIONS`, `MAX_CONNECTIONS_PER_IP`, counted across the
 * workers in shared memory), a headers deadline, an idle keep-alive bound, and accepting that
 * survives running out of file descriptors. SIGINT/SIGTERM stop accepting and let in-flight
 * requests finish for up to `SHUTDOWN_GRACE_MS`; streams still open then end with their format's
 * `server_shutting_down` error event. SIGHUP — or tRPC `config.reload` (`deno task cli config
 * reload`) — reloads the config file in every worker (`server/reloadable.ts`): each builds a new
 * handler from it and swaps it in at once, so requests already running finish on the config
 * they started with; a bad file keeps the old config, and the launcher logs the outcome once
 * ("config reloaded: providers …", or one "config reload failed: …" line per problem). Only
 * the file is read again (with `.env` for its `${VAR}`s); the environment's settings stay as
 * started. There is deliberately no default `fetch` export:
 * `deno serve main.ts` would listen on 0.0.0.0 with none of these checks and limits.
 */
import { createChatService } from "./core/chat/service.ts";
import { createEmbeddingsService } from "./core/embeddings/service.ts";
import { type Config, ConfigError, parseConfig } from "./core/config.ts";
import type { FileStore } from "./core/files/store.ts";
import { createLogger, type Logger, type RedactingLogger } from "./core/logger.ts";
import { missingProfile } from "./core/providers/bedrock/credentials.ts";
import { createProviders } from "./core/providers/registry.ts";
import { createRouter } from "./core/deployments/router.ts";
import { DEFAULT_ROUTER_CONFIG } from "./core/deployments/schema.ts";
import { DeploymentStats } from "./core/deployments/stats.ts";
import { StoreOpenError } from "./core/store/errors.ts";
import { type OpenedStore, openStore } from "./core/store/open.ts";
import { createKeyCache, type KeyCache } from "./core/keys/key_cache.ts";
import type { Store } from "./core/store/store.ts";
import { createApp } from "./server/app.ts";
import { priceOf } from "./core/usage/prices.ts";
import type { UsageRecord } from "./core/usage/record.ts";
import type { UsageWriter } from "./core/usage/writer.ts";
import { closeUsage, usageState } from "./server/usage_state.ts";
import { createMetricsRegistry } from "./core/metrics.ts";
import { type ConfiguredInstances, configuredInstances, envInstances } from "./server/instances.ts";
import { createLimitsBuffer } from "./server/conn_limits.ts";
import { createRateLimitBuffer } from "./core/limits/memory_limiter.ts";
import type { RateLimiter } from "./core/limits/limiter.ts";
import { createRequestGate } from "./core/limits/gate.ts";
import { budgetCheck, type SpendTracker } from "./core/usage/budget.ts";
import { LimiterStartError, limitsFromConfig, openRateLimiter } from "./core/limits/open.ts";
import {
  instanceSecrets,
  loadEnvironment,
  readTextIfExists,
  secretsOf,
} from "./server/environment.ts";
import { fileStore } from "./server/file_store.ts";
import { providerRuntime, upstreamFetch } from "./server/provider_runtime.ts";
import { claimPort, connectionLimits, firstToRefuse, startupFailure } from "./server/launch.ts";
import { listen } from "./server/listener.ts";
import { clusterMetrics, localMetrics, type MetricsSource } from "./server/metrics_source.ts";
import {
  answerReloads,
  askForReload,
  coordinateReloads,
  type FetchHandler,
  listenForHangup,
  localReloads,
  reloadableHandler,
  type ReloadAll,
  type ReloadResult,
  type WorkerScope,
} from "./server/reloadable.ts";

const WORKER_PREFIX = "gateway-worker-";
/** After the grace period: how long open streams get to send their last event. */
const SHUTDOWN_FLUSH_MS = 1_000;

/** What an isolate creates once and keeps across config reloads: every handler built from a
 * loaded config shares it. */
export interface IsolateState {
  /** What `/metrics` reports; default: a registry of the handler alone. */
  metrics?: MetricsSource;
  /** When it aborts, open streams end with the `server_shutting_down` error event. */
  shutdown?: AbortSignal;
  /** The opened state store ({@link openStore}; the caller closes it). */
  store?: Store;
  /** Uploaded files; default: the configured store ({@link fileStore}). */
  files?: FileStore;
  /** Cooldowns, in-flight counts and latencies of the deployments (kept across reloads). */
  stats?: DeploymentStats;
  /** The routing strategies' random source; default `Math.random`. */
  random?: () => number;
  /** `fetch` for HTTP upstreams (pooled connections), shared by every handler. */
  fetch?: typeof fetch;
  /** Read every provider's model list once the handler is built (start-up and reloads). */
  warmUp?: boolean;
  /** tRPC `config.reload`; without it that procedure is a 404. */
  reload?: () => Promise<ReloadResult>;
  /** The virtual keys cache over `store` (one per isolate, kept across reloads). */
  keys?: KeyCache;
  /** The rate limiter ({@link openRateLimiter}; one per isolate, kept across reloads, closed
   * on shutdown); without it nothing is rate-limited. */
  limiter?: RateLimiter;
  /** What each virtual key spent in its budget period (one per isolate, over `store.usage`,
   * kept across reloads): the gate's budget check and `GET /v1/me` read it. */
  spend?: SpendTracker;
  /** The usage-record writer over `store.usage` (one per isolate, kept across reloads; closed
   * at shutdown before the store). Without it no usage is recorded. */
  usage?: UsageWriter<UsageRecord>;
}

/** Builds the fetch handler from a config and what {@link configuredInstances} loaded (default:
 * the environment's instances, {@link envInstances}): provider instances (real SDK clients), the
 * router over them and the file's aliases, services, app, over the isolate's lasting `state`. */
export function buildHandler(
  config: Config,
  logger: Logger,
  configured: ConfiguredInstances = { instances: envInstances(config) },
  state: IsolateState = {},
): FetchHandler {
  const runtime = providerRuntime(config, logger, state.fetch);
  const providers = createProviders(configured.instances, runtime, {
    defaultProvider: config.defaultProvider,
  });
  // Read the providers' model lists now: it warns about an upstream that cannot be reached and
  // makes the ids they list routable before the first request asks.
  if (state.warmUp === true) void providers.relist();
  const router = createRouter({
    providers,
    aliases: configured.aliases,
    settings: configured.router ?? DEFAULT_ROUTER_CONFIG,
    stats: state.stats ?? new DeploymentStats(),
    logger,
    timeoutMs: config.upstreamTimeoutMs,
    retries: config.upstreamMaxRetries,
    random: state.random,
    gate: state.limiter === undefined ? undefined : createRequestGate({
      limiter: state.limiter,
      models: configured.modelLimits,
      budget: state.spend === undefined ? undefined : budgetCheck(state.spend),
      logger,
    }),
  });
  const files = state.files ?? fileStore(config);
  const chat = createChatService({
    router,
    files: { store: files, maxChars: config.filesContextMaxChars },
  });
  return createApp({
    config,
    chat,
    embeddings: createEmbeddingsService({ router }),
    logger,
    files,
    providerHealth: () => providers.health(),
    metrics: state.metrics,
    shutdown: state.shutdown,
    store: state.store,
    reload: state.reload,
    keys: state.keys,
    usage: state.usage,
    prices: priceOf(configured.prices),
    spend: state.spend,
  }).fetch;
}

function configure(): { config: Config; logger: RedactingLogger; configured: ConfiguredInstances } {
  const env = loadEnvironment();
  const config = parseConfig(env);
  const configured = configuredInstances(config, env);
  const logger = createLogger(
    config.logLevel,
    (line) => console.log(line),
    secretsOf(config, configured.instances),
  );
  return { config, logger, configured };
}

/** The config file read again, with `.env` for its `${VAR}`s (the rest of the config stays as
 * started); its new secrets are redacted from then on. Throws like {@link configuredInstances}. */
function reloadFile(config: Config, file: string, logger: RedactingLogger): ConfiguredInstances {
  const configured = configuredInstances({ ...config, gatewayConfig: file }, loadEnvironment());
  logger.redact(instanceSecrets(configured.instances));
  return configured;
}

const workerCount = (config: Config) =>
  config.workers > 0 ? config.workers : navigator.hardwareConcurrency;

/** What the launcher gives every worker: the shared counters, the limit it computed once and
 * the port it checked (the bound one when `PORT=0`). `rateLimits` is the rate limiter's table
 * (`core/limits/memory_limiter.ts`), created once here so that every worker counts in it; each
 * isolate opens its limiter over it with `openRateLimiter` (`core/limits/open.ts`). */
interface ServeSetup {
  buffer: SharedArrayBuffer;
  rateLimits: SharedArrayBuffer;
  maxConnections: number;
  port: number;
}

/** Opens this isolate's state store ({@link openStore}); the first isolate logs which one. */
async function openStateStore(config: Config, logger: Logger, first: boolean) {
  const store = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    logger,
  });
  if (first) logger.info(`store: ${store.description}`);
  return store;
}

/** Starts serving on this thread — throws what opening the store or listening throws — and
 * returns the graceful shutdown, to run once `stop` resolves, and (without workers) the reload
 * SIGHUP runs. Workers (`scope`, SO_REUSEPORT) answer `/metrics` with the sum over every worker,
 * gathered over a BroadcastChannel, count connections in `setup`, and reload when the launcher
 * says so.
 * Each isolate opens its own store handle (or pool). */
async function serveHere(
  setup: ServeSetup,
  scope?: WorkerScope,
  first = true,
): Promise<{ shutdown: (stop: Promise<void>) => Promise<void>; reloadAll: ReloadAll }> {
  const { config, logger, configured } = configure();
  const store: OpenedStore = await openStateStore(config, logger, first);
  const { usage, spend } = usageState(store, logger);
  const registry = createMetricsRegistry({ usage });
  const metrics: MetricsSource & { close?(): void } = scope
    ? clusterMetrics({ peers: workerCount(config) - 1, registry })
    : localMetrics(registry);
  const shutdown = new AbortController();
  let reloadAll: ReloadAll = () => Promise.resolve([]);
  const reload = scope ? askForReload(scope) : async () => (await reloadAll())[0];
  const state: IsolateState = {
    metrics,
    shutdown: shutdown.signal,
    store,
    reload,
    stats: new DeploymentStats(),
    fetch: upstreamFetch(),
    warmUp: true,
    keys: createKeyCache(store.keys, { logger }),
    usage,
    spend,
  };
  let listener;
  try {
    state.limiter = await openRateLimiter({
      settings: limitsFromConfig(config),
      buffer: setup.rateLimits,
      logger,
      announce: first,
    });
    // (With REDIS_URL, openRateLimiter says which Redis, or that it cannot be reached.)
    if (first && config.redisUrl === undefined) {
      logger.info(`rate limits: ${state.limiter.description}`);
    }
    await state.keys?.refresh(); // every virtual key is known before the first request
    await state.spend?.refresh(); // and what each spent in its budget period
    state.files = fileStore(config);
    // The one place a handler is built from a loaded config.
    const build = (loaded: ConfiguredInstances) => buildHandler(config, logger, loaded, state);
    const served = reloadableHandler(build(configured), {
      file: configured.file,
      load: () => {
        const loaded = reloadFile(config, configured.file!, logger);
        return { handler: build(loaded), providers: loaded.instances.map((i) => i.id) };
      },
    });
    if (scope) answerReloads(scope, served.reload);
    else reloadAll = localReloads(served.reload, logger);
    listener = listen(served.handler, {
      hostname: config.host,
      port: setup.port,
      reusePort: scope !== undefined,
      limits: connectionLimits(config, setup.buffer, setup.maxConnections),
      headersTimeoutMs: config.headersTimeoutMs,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      logger,
    });
  } catch (error) {
    metrics.close?.();
    await state.limiter?.close();
    await closeUsage(usage, logger);
    await store.close();
    throw error;
  }
  const stopServing = async (stop: Promise<void>) => {
    await stop;
    await listener.shutdown(config.shutdownGraceMs, () => shutdown.abort(), SHUTDOWN_FLUSH_MS);
    metrics.close?.();
    await state.limiter?.close();
    await closeUsage(usage, logger);
    await store.close();
  };
  return { shutdown: stopServing, reloadAll };
}

function signalled(): Promise<void> {
  return new Promise((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(signal, () => resolve());
    }
  });
}

/** The one line a failed start prints: the store's own message, or what listening failed on. */
function startFailureLine(error: unknown, host: string, port: number): string {
  if (error instanceof StoreOpenError || error instanceof LimiterStartError) return error.message;
  return startupFailure(error, host, port);
}

/** Prints a start-up failure and exits with status 1. */
function failStart(line: string): never {
  console.error(line);
  Deno.exit(1);
}

/** The launcher: validate config, start the workers, stop them on a signal. Every start-up
 * failure is one stderr line and exit status 1. */
async function start(): Promise<void> {
  let config: Config;
  let logger: Logger;
  try {
    const { configured, ...rest } = configure();
    ({ config, logger } = rest);
    if (configured.file !== undefined) {
      const aliases = (configured.aliases ?? []).map((a) => a.name);
      console.log(JSON.stringify({
        level: "info",
        msg: `config file ${configured.file}: providers ${
          configured.instances.map((i) => i.id).join(", ")
        }${aliases.length > 0 ? `; aliases ${aliases.join(", ")}` : ""}`,
      }));
    }
  } catch (error) {
    if (error instanceof ConfigError) failStart(error.message);
    throw error;
  }
  const profileProblem = missingProfile(Deno.env.toObject(), readTextIfExists);
  if (profileProblem !== undefined) {
    console.log(JSON.stringify({ level: "warn", msg: profileProblem }));
  }
  // Listen for signals before any worker serves: a SIGTERM that arrives while the last workers
  // are still starting must still shut down gracefully, not kill the process.
  const stop = signalled();
  const hangup = listenForHangup();
  const count = workerCount(config);
  let port = config.port;
  try {
    port = claimPort(config.host, config.port);
  } catch (error) {
    failStart(startupFailure(error, config.host, config.port));
  }
  const limits = connectionLimits(config, createLimitsBuffer());
  const setup: ServeSetup = {
    buffer: limits.buffer,
    rateLimits: createRateLimitBuffer(),
    maxConnections: limits.maxConnections,
    port,
  };
  const listening = (workers: string, boundPort: number) =>
    console.log(JSON.stringify({
      level: "info",
      msg: `gateway listening on http://${
        config.host.includes(":") ? `[${config.host}]` : config.host
      }:${boundPort} (${workers})`,
      max_connections: limits.maxConnections,
      max_connections_per_ip: limits.maxPerAddress,
      headers_timeout_ms: config.headersTimeoutMs,
      keepalive_timeout_ms: config.keepAliveTimeoutMs,
      shutdown_grace_ms: config.shutdownGraceMs,
    }));
  if (count === 1) {
    let served;
    try {
      served = await serveHere(setup);
    } catch (error) {
      failStart(startFailureLine(error, config.host, port));
    }
    listening("1 worker", port);
    hangup.serve(served.reloadAll);
    await served.shutdown(stop);
    Deno.exit(0);
  }
  const workers = Array.from(
    { length: count },
    (_, i) => new Worker(import.meta.url, { type: "module", name: `${WORKER_PREFIX}${i}` }),
  );
  const ready = workers.map((w) =>
    new Promise<void>((resolve) =>
      w.addEventListener("message", (e) => {
        if (typeof e.data === "object" && e.data?.failed !== undefined) failStart(e.data.failed);
        resolve();
      }, { once: true })
    )
  );
  const reloadAll = coordinateReloads(workers, logger);
  for (const w of workers) w.postMessage(setup);
  await Promise.all(ready);
  listening(`${count} workers`, port);
  hangup.serve(reloadAll);
  await stop;
  const stopped = workers.map((w) =>
    new Promise<void>((resolve) =>
      w.addEventListener("message", (e) => e.data === "stopped" && resolve())
    )
  );
  for (const w of workers) w.postMessage("shutdown");
  await Promise.race([
    Promise.all(stopped),
    new Promise((r) => setTimeout(r, config.shutdownGraceMs + SHUTDOWN_FLUSH_MS + 500)),
  ]);
  Deno.exit(0);
}

/** Worker body: take the setup, serve with SO_REUSEPORT, report readiness (or the start-up
 * failure, in one line), shut down when told to. */
async function runWorker(): Promise<void> {
  const scope = self as unknown as Worker;
  const setup = await new Promise<ServeSetup>((resolve) =>
    scope.addEventListener("message", (e) => resolve(e.data), { once: true })
  );
  const stop = new Promise<void>((resolve) =>
    scope.addEventListener("message", (e) => e.data === "shutdown" && resolve())
  );
  let served;
  try {
    served = await serveHere(setup, scope, self.name === `${WORKER_PREFIX}0`);
  } catch (error) {
    const { config } = configure();
    scope.postMessage({ failed: startFailureLine(error, config.host, setup.port) });
    return;
  }
  scope.postMessage("ready");
  await served.shutdown(stop);
  scope.postMessage("stopped");
  self.close();
}

if (typeof self !== "undefined" && (self as { name?: string }).name?.startsWith(WORKER_PREFIX)) {
  await runWorker();
} else if (import.meta.main && Deno.args[0] === "start") {
  await start();
} else if (import.meta.main) {
  // `deno run main.ts` without `start`, or `deno serve main.ts` (which would bypass the checks).
  // Under `deno serve --parallel` every serve worker runs this: the first one says why and ends
  // the process; the others wait for that, so the refusal stays one line.
  if (!firstToRefuse()) await new Promise(() => setTimeout(() => Deno.exit(1), 2_000));
  failStart("Start the gateway with `deno task start` (deno run … main.ts start).");
}

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
 * `server_shutting_down` error event. There is deliberately no default `fetch` export:
 * `deno serve main.ts` would listen on 0.0.0.0 with none of these checks and limits.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { createChatService } from "./core/chat/service.ts";
import { createEmbeddingsService } from "./core/embeddings/service.ts";
import { type Config, ConfigError, databaseUrlSecrets, parseConfig } from "./core/config.ts";
import { mergeEnv, parseDotenv } from "./core/dotenv.ts";
import { createLocalFileStore } from "./core/files/local_store.ts";
import { createS3FileStore } from "./core/files/s3_store.ts";
import type { FileStore } from "./core/files/store.ts";
import { createLogger, type Logger } from "./core/logger.ts";
import { createGuardedFetch } from "./core/net/guarded_fetch.ts";
import { createBedrockCredentials, missingProfile } from "./core/providers/bedrock/credentials.ts";
import type { ProviderRuntime } from "./core/providers/provider.ts";
import { createProviders, type InstanceSpec } from "./core/providers/registry.ts";
import { createRouter } from "./core/deployments/router.ts";
import { DEFAULT_ROUTER_CONFIG } from "./core/deployments/schema.ts";
import { DeploymentStats } from "./core/deployments/stats.ts";
import { StoreOpenError } from "./core/store/errors.ts";
import { type OpenedStore, openStore } from "./core/store/open.ts";
import type { Store } from "./core/store/store.ts";
import { createApp } from "./server/app.ts";
import {
  configuredInstances,
  credentialOptions,
  envInstances,
  fileExists,
  type GatewaySetup,
} from "./server/instances.ts";
import { createLimitsBuffer } from "./server/conn_limits.ts";
import { claimPort, connectionLimits, startupFailure } from "./server/launch.ts";
import { listen } from "./server/listener.ts";
import { clusterMetrics, type MetricsSource } from "./server/metrics_source.ts";

const WORKER_PREFIX = "gateway-worker-";
/** After the grace period: how long open streams get to send their last event. */
const SHUTDOWN_FLUSH_MS = 1_000;

/** Reads `./.env` (if any) under the real environment, and exports its values to `Deno.env` so
 * the AWS SDK's credential chain sees them too. Real environment variables win. */
function loadEnvironment(): Record<string, string | undefined> {
  let dotenv: Record<string, string> = {};
  try {
    dotenv = parseDotenv(Deno.readTextFileSync(".env"));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const env = mergeEnv(Deno.env.toObject(), dotenv);
  for (const [key, value] of Object.entries(dotenv)) {
    if (Deno.env.get(key) === undefined) Deno.env.set(key, value);
  }
  return env;
}

/** The `api_key` settings of the instances (a config file's secrets, interpolated). */
function instanceSecrets(instances: readonly InstanceSpec[]): string[] {
  return instances.map((i) => (i.settings as { api_key?: unknown } | undefined)?.api_key)
    .filter((key): key is string => typeof key === "string");
}

function secretsOf(config: Config, instances: readonly InstanceSpec[]): string[] {
  return [
    ...config.apiKeys,
    ...instanceSecrets(instances),
    config.openaiApiKey,
    Deno.env.get("AWS_SECRET_ACCESS_KEY"),
    Deno.env.get("AWS_SESSION_TOKEN"),
    Deno.env.get("AWS_BEARER_TOKEN_BEDROCK"),
    ...databaseUrlSecrets(config.databaseUrl),
  ]
    .filter((s): s is string => s !== undefined && s !== "");
}

const readTextIfExists = (path: string) => {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
};

/** `fetch` for OpenAI-compatible upstreams: idle pooled connections are closed after a few
 * seconds instead of Deno's 90, so a burst's connections (and their buffers) do not outlive it. */
function upstreamFetch(): typeof fetch {
  let client: Deno.HttpClient | undefined;
  return (input, init) =>
    fetch(input, { ...init, client: client ??= Deno.createHttpClient({ poolIdleTimeout: 5_000 }) });
}

/** The gateway's one retry policy (core/providers/retry.ts), from the environment. */
function retryPolicy(config: Config) {
  return { maxRetries: config.upstreamMaxRetries, timeoutMs: config.upstreamTimeoutMs };
}

/** The configured file store: the local directory, or S3 with the same credential chain as
 * Bedrock (`AWS_ENDPOINT_URL_S3` is read by the SDK; S3-compatible servers get path-style URLs). */
function fileStore(config: Config): FileStore {
  if (config.filesBackend !== "s3" || config.s3FilesBucket === undefined) {
    return createLocalFileStore({ dir: config.filesDir });
  }
  const customEndpoint = (Deno.env.get("AWS_ENDPOINT_URL_S3") ?? Deno.env.get("AWS_ENDPOINT_URL") ??
    "") !== "";
  const client = new S3Client({
    region: config.awsRegion,
    credentials: createBedrockCredentials(credentialOptions(config)),
    forcePathStyle: customEndpoint,
    maxAttempts: config.upstreamMaxRetries + 1,
  });
  return createS3FileStore({ client, bucket: config.s3FilesBucket });
}

/** Builds the fetch handler from a config: provider instances (real SDK clients), the router
 * over them and the file's aliases, services, app. `setup` defaults to the instances the
 * environment configures ({@link envInstances}); a bare instance list means no aliases;
 * `metrics` defaults to a registry of this handler alone; when `shutdown` aborts, open streams
 * end with the `server_shutting_down` error event; `store` is the opened state store
 * ({@link openStore}; the caller closes it). */
export function buildHandler(
  config: Config,
  logger: Logger,
  metrics?: MetricsSource,
  shutdown?: AbortSignal,
  setup: GatewaySetup | readonly InstanceSpec[] = envInstances(config),
  store?: Store,
): (request: Request) => Response | Promise<Response> {
  const { instances, aliases, router: routing, stats, random } = Array.isArray(setup)
    ? { instances: setup as readonly InstanceSpec[] } as GatewaySetup
    : setup as GatewaySetup;
  const runtime: ProviderRuntime = {
    logger,
    retry: retryPolicy(config),
    maxResponseBytes: config.maxResponseBytes,
    fetchMedia: createGuardedFetch({ allowPrivate: config.allowPrivateImageUrls }),
    fetch: upstreamFetch(),
    env: Deno.env.toObject(),
    fileExists,
  };
  const providers = createProviders(instances, runtime, {
    defaultProvider: config.defaultProvider,
  });
  const router = createRouter({
    providers,
    aliases,
    settings: routing ?? DEFAULT_ROUTER_CONFIG,
    stats: stats ?? new DeploymentStats(),
    logger,
    timeoutMs: config.upstreamTimeoutMs,
    retries: config.upstreamMaxRetries,
    random,
  });
  const files = fileStore(config);
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
    metrics,
    shutdown,
    store,
  }).fetch;
}

function configure(): { config: Config; logger: Logger; setup: GatewaySetup } {
  const env = loadEnvironment();
  const config = parseConfig(env);
  const setup = configuredInstances(config, env);
  const { instances } = setup;
  const logger = createLogger(
    config.logLevel,
    (line) => console.log(line),
    secretsOf(config, instances),
  );
  return { config, logger, setup };
}

const workerCount = (config: Config) =>
  config.workers > 0 ? config.workers : navigator.hardwareConcurrency;

/** What the launcher gives every worker: the shared counters, the limit it computed once and
 * the port it checked (the bound one when `PORT=0`). */
interface ServeSetup {
  buffer: SharedArrayBuffer;
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
 * returns the graceful shutdown, to run once `stop` resolves. Workers (`reusePort`) answer
 * `/metrics` with the sum over every worker, gathered over a BroadcastChannel; they all count
 * connections in `setup`. Each isolate opens its own store handle (or pool). */
async function serveHere(
  reusePort: boolean,
  setup: ServeSetup,
  first = true,
): Promise<(stop: Promise<void>) => Promise<void>> {
  const { config, logger, setup: gateway } = configure();
  const store: OpenedStore = await openStateStore(config, logger, first);
  const metrics = reusePort ? clusterMetrics({ peers: workerCount(config) - 1 }) : undefined;
  const shutdown = new AbortController();
  let listener;
  try {
    const handler = buildHandler(config, logger, metrics, shutdown.signal, {
      ...gateway,
      stats: new DeploymentStats(),
    }, store);
    listener = listen(handler, {
      hostname: config.host,
      port: setup.port,
      reusePort,
      limits: connectionLimits(config, setup.buffer, setup.maxConnections),
      headersTimeoutMs: config.headersTimeoutMs,
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      logger,
    });
  } catch (error) {
    metrics?.close();
    await store.close();
    throw error;
  }
  return async (stop) => {
    await stop;
    await listener.shutdown(config.shutdownGraceMs, () => shutdown.abort(), SHUTDOWN_FLUSH_MS);
    metrics?.close();
    await store.close();
  };
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
  if (error instanceof StoreOpenError) return error.message;
  return startupFailure(error, host, port);
}

/** Prints a start-up failure and exits with status 1. */
function failStart(line: string): never {
  console.error(line);
  Deno.exit(1);
}

/** True in the first isolate of this process to claim the refusal (a directory named after the
 * pid, created atomically and removed once the refusal is written); true as well when it cannot
 * tell (no permission to try). */
function firstToRefuse(): boolean {
  let claim: string;
  try {
    claim = `${Deno.env.get("TMPDIR") || "/tmp"}/llm-gateway-refused-${Deno.pid}`;
    Deno.mkdirSync(claim);
  } catch (error) {
    return !(error instanceof Deno.errors.AlreadyExists);
  }
  globalThis.addEventListener("unload", () => Deno.removeSync(claim));
  return true;
}

/** The launcher: validate config, start the workers, stop them on a signal. Every start-up
 * failure is one stderr line and exit status 1. */
async function start(): Promise<void> {
  let config: Config;
  try {
    const { config: parsed, setup } = configure();
    config = parsed;
    if (setup.file !== undefined) {
      const aliases = (setup.aliases ?? []).map((a) => a.name);
      console.log(JSON.stringify({
        level: "info",
        msg: `config file ${setup.file}: providers ${setup.instances.map((i) => i.id).join(", ")}${
          aliases.length > 0 ? `; aliases ${aliases.join(", ")}` : ""
        }`,
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
    let shutdown;
    try {
      shutdown = await serveHere(false, setup);
    } catch (error) {
      failStart(startFailureLine(error, config.host, port));
    }
    listening("1 worker", port);
    await shutdown(stop);
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
  for (const w of workers) w.postMessage(setup);
  await Promise.all(ready);
  listening(`${count} workers`, port);
  await stop;
  const stopped = workers.map((w) =>
    new Promise<void>((resolve) => w.addEventListener("message", () => resolve(), { once: true }))
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
  let shutdown;
  try {
    shutdown = await serveHere(true, setup, self.name === `${WORKER_PREFIX}0`);
  } catch (error) {
    const { config } = configure();
    scope.postMessage({ failed: startFailureLine(error, config.host, setup.port) });
    return;
  }
  scope.postMessage("ready");
  await shutdown(stop);
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

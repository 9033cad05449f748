/**
 * Builds the gateway in process, exactly as `main.ts` composes it (`parseConfig` → `buildHandler`
 * with the real `openai` SDK client), with a given environment and a logger whose lines the test
 * can read. Requests go straight to the fetch handler: no sockets between test and gateway.
 *
 * @example
 * await using fake = await startFakeOpenAI();
 * const gw = testApp({ OPENAI_API_KEY: "test", OPENAI_BASE_URL: fake.url });
 * const res = await gw.post("/v1/chat/completions", { model: "mock-echo", messages });
 */
import { buildHandler } from "../../main.ts";
import { createChatService } from "../../core/chat/service.ts";
import { createEmbeddingsService } from "../../core/embeddings/service.ts";
import { type Config, parseConfig } from "../../core/config.ts";
import { createLogger, type Logger } from "../../core/logger.ts";
import type { ChatProvider } from "../../core/providers/provider.ts";
import { createProviders, type InstanceSpec } from "../../core/providers/registry.ts";
import type { Store, UsageRecord } from "../../core/store/store.ts";
import type { SpendTracker } from "../../core/usage/budget.ts";
import type { UsageWriter } from "../../core/usage/writer.ts";
import { createApp } from "../../server/app.ts";
import type { ConfiguredInstances } from "../../server/instances.ts";
import type { IsolateState } from "../../main.ts";
import { testRouter } from "./router.ts";
import type { RateLimiter } from "../../core/limits/limiter.ts";
import { createRateLimitBuffer, MemoryRateLimiter } from "../../core/limits/memory_limiter.ts";

/** The environment every in-process test starts from (offline, no retries). */
export const BASE_ENV: Record<string, string> = {
  HOST: "127.0.0.1",
  UPSTREAM_MAX_RETRIES: "0",
  LOG_LEVEL: "info",
};

/** The origin of request URLs (the handler never resolves it): loopback, as a local client's
 * requests are — without API_KEY the gateway refuses other hosts. */
export const ORIGIN = "http://localhost:8000";

/** A gateway built in process. */
export interface TestApp {
  config: Config;
  /** The raw fetch handler. */
  handler: (request: Request) => Promise<Response>;
  /** Log lines as written (JSON strings). */
  logLines: string[];
  /** Log lines parsed. */
  logs(): Array<Record<string, unknown>>;
  /** The access-log records (`msg: "request"`). */
  accessLogs(): Array<Record<string, unknown>>;
  /** Any request; `path` is relative to the gateway origin. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** `POST path` with a JSON body (and optional extra headers). */
  post(path: string, body: unknown, headers?: HeadersInit, signal?: AbortSignal): Promise<Response>;
  /** `GET path`. */
  get(path: string, headers?: HeadersInit): Promise<Response>;
}

function wrap(
  config: Config,
  logLines: string[],
  fetchHandler: (request: Request) => Response | Promise<Response>,
): TestApp {
  const handler = (request: Request) => Promise.resolve(fetchHandler(request));
  const request = (path: string, init?: RequestInit) => handler(new Request(ORIGIN + path, init));
  const logs = () => logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    config,
    handler,
    logLines,
    logs,
    accessLogs: () => logs().filter((l) => l.msg === "request"),
    request,
    post: (path, body, headers = {}, signal) =>
      request(path, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...Object.fromEntries(new Headers(headers)),
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
        signal,
      }),
    get: (path, headers) => request(path, { headers }),
  };
}

/** A logger collecting its lines into `lines`; no redaction list, so a leak is visible. */
function capturingLogger(config: Config, lines: string[]): Logger {
  return createLogger(config.logLevel, (line) => lines.push(line));
}

/** What {@link testApp} takes besides the environment. */
export interface TestAppOptions {
  /** The state store the app uses (e.g. from `tests/helpers/store.ts`); the test closes it. */
  store?: Store;
  /** The rate limiter; default: a fresh in-memory one, as `main.ts` opens without REDIS_URL. */
  limiter?: RateLimiter;
  /** Where the app's usage records go (e.g. a writer over `store.usage`); the test closes it. */
  usage?: UsageWriter<UsageRecord>;
  /** The keys' spend for budgets and `/v1/me` (e.g. a tracker over `store.usage`). */
  spend?: SpendTracker;
}

/** A fresh in-memory rate limiter (a small table of its own). */
export function testLimiter(): RateLimiter {
  return new MemoryRateLimiter(createRateLimitBuffer(256));
}

/**
 * The gateway as `main.ts` builds it, configured from `BASE_ENV` + `env` (`undefined` removes a
 * base variable), with `options.store` as its state store.
 */
export function testApp(
  env: Record<string, string | undefined> = {},
  options: TestAppOptions = {},
): TestApp {
  const config = parseConfig({ ...BASE_ENV, ...env });
  const lines: string[] = [];
  const logger = capturingLogger(config, lines);
  return wrap(
    config,
    lines,
    buildHandler(config, logger, undefined, {
      store: options.store,
      limiter: options.limiter ?? testLimiter(),
      usage: options.usage,
      spend: options.spend,
    }),
  );
}

/**
 * The gateway as `main.ts` builds it, with the given provider instances (and aliases, routing
 * settings, deployment stats, random source) instead of the ones the environment configures
 * (e.g. two OpenAI-compatible upstreams).
 */
export function testAppWithInstances(
  setup:
    | InstanceSpec[]
    | (ConfiguredInstances & Pick<IsolateState, "stats" | "random" | "store" | "limiter">),
  env: Record<string, string | undefined> = {},
  options: TestAppOptions = {},
): TestApp {
  const config = parseConfig({ ...BASE_ENV, ...env });
  const lines: string[] = [];
  const logger = capturingLogger(config, lines);
  const { stats, random, store, limiter, ...configured } = Array.isArray(setup)
    ? { instances: setup }
    : setup;
  return wrap(
    config,
    lines,
    buildHandler(config, logger, configured, {
      stats,
      random,
      store: store ?? options.store,
      limiter: limiter ?? options.limiter ?? testLimiter(),
      usage: options.usage,
      spend: options.spend,
    }),
  );
}

/**
 * The real app and chat service with extra providers plugged in through the provider interface
 * (e.g. one that throws, to see how a gateway bug is reported), keyed by kind: each becomes the
 * instance of that kind's name, with the kind's routing patterns. Only for what no upstream can
 * provoke.
 */
export function testAppWithProviders(
  providers: Record<string, ChatProvider>,
  env: Record<string, string | undefined> = {},
): TestApp {
  const config = parseConfig({ ...BASE_ENV, ...env });
  const lines: string[] = [];
  const logger = capturingLogger(config, lines);
  const instances = createProviders(
    Object.entries(providers).map(([kind, provider]) => ({ id: kind, kind, provider })),
    undefined,
    { defaultProvider: config.defaultProvider },
  );
  const router = testRouter(instances);
  const chat = createChatService({ router });
  return wrap(
    config,
    lines,
    createApp({
      config,
      chat,
      embeddings: createEmbeddingsService({ router }),
      logger,
      providerHealth: () => instances.health(),
    }).fetch,
  );
}

/**
 * A minimal chat request body: one user message, plus `extra` fields.
 *
 * @example
 * chatBody("mock-echo", "hi", { stream: true });
 */
export function chatBody<E extends Record<string, unknown> = Record<never, never>>(
  model: string,
  text = "Hello there",
  extra?: E,
): { model: string; messages: Array<{ role: "user"; content: string }> } & E {
  return { model, messages: [{ role: "user", content: text }], ...(extra ?? {} as E) };
}

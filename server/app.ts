/**
 * `createApp(deps)`: the Hono application — middleware, routes, tRPC, one error handler.
 */
import { Hono } from "hono";
import type { ChatService } from "../core/chat/service.ts";
import { createKeyAdmin } from "../core/keys/admin.ts";
import { createAuthenticator } from "../core/keys/authenticate.ts";
import { createKeyCache, type KeyCache } from "../core/keys/key_cache.ts";
import type { Config } from "../core/config.ts";
import type { EmbeddingsService } from "../core/embeddings/service.ts";
import { GatewayError, toGatewayError } from "../core/errors.ts";
import { createLocalFileStore } from "../core/files/local_store.ts";
import type { FileStore } from "../core/files/store.ts";
import { healthReport } from "../core/health.ts";
import type { ProvidersHealth } from "../core/providers/registry.ts";
import type { Logger } from "../core/logger.ts";
import { errorResponse } from "./errors.ts";
import { localMetrics, type MetricsSource } from "./metrics_source.ts";
import { accessLog, type AccessObserver } from "./middleware/access_log.ts";
import { meRoute } from "./routes/me.ts";
import type { SpendTracker } from "../core/usage/budget.ts";
import { deploymentHeader } from "./middleware/deployment_header.ts";
import { rateLimitHeaders } from "./middleware/rate_limit_headers.ts";
import { requireAdmin, requireApiKey } from "./middleware/auth.ts";
import { adminKeysRoute } from "./routes/admin_keys.ts";
import { cors } from "./middleware/cors.ts";
import { localOnly } from "./middleware/local_only.ts";
import { requestId } from "./middleware/request_id.ts";
import { suggestRoute } from "./route_hint.ts";
import { chatCompletionsRoute } from "./routes/chat_completions.ts";
import { countTokensRoute } from "./routes/count_tokens.ts";
import { docsRoutes } from "./routes/docs.ts";
import { embeddingsRoute } from "./routes/embeddings.ts";
import { filesRoute, UPLOAD_ENVELOPE_BYTES } from "./routes/files.ts";
import { healthRoute } from "./routes/health.ts";
import { messagesRoute } from "./routes/messages.ts";
import { metricsRoute } from "./routes/metrics.ts";
import { modelsRoute } from "./routes/models.ts";
import { responsesRoute } from "./routes/responses.ts";
import { storedResponsesRoute } from "./routes/stored_responses.ts";
import { storedResponsesHooks } from "../core/responses/hooks.ts";
import { randomId } from "../core/chat/service.ts";
import { trpcRoute } from "./routes/trpc.ts";
import { toTRPCError, trpcErrorReply } from "../routers/trpc.ts";
import type { AppEnv } from "./types.ts";
import type { Store } from "../core/store/store.ts";
import type { ReloadResult } from "../routers/config.ts";
import { createMetricsRegistry } from "../core/metrics.ts";
import { type Price, priceOf } from "../core/usage/prices.ts";
import type { UsageRecord } from "../core/usage/record.ts";
import type { UsageWriter } from "../core/usage/writer.ts";
import { usageObserver } from "./usage_observer.ts";
import { adminUsageRoute } from "./routes/admin_usage.ts";

/** Everything the HTTP app needs, built by `main.ts` (or a test). */
export interface AppDeps {
  config: Config;
  chat: ChatService;
  /** `POST /v1/embeddings` and tRPC `embeddings.create`; without it both are 404s. */
  embeddings?: EmbeddingsService;
  logger: Logger;
  /** Uploaded files; default: the local store in `config.filesDir`. */
  files?: FileStore;
  /** The provider instances' states, read by every `/health` (e.g. `providers.health`). */
  providerHealth?: () => ProvidersHealth;
  /** Another observer of finished requests (besides `metrics`). */
  observe?: AccessObserver;
  /** What `/metrics` reports; default: a registry of this app alone. */
  metrics?: MetricsSource;
  /** Aborted when the shutdown grace period is over: open streams (SSE and tRPC `chat.stream`)
   * then end with their format's `server_shutting_down` error. */
  shutdown?: AbortSignal;
  /** The opened state store (stored responses); opened and closed by the caller. Without one,
   * nothing is stored and `previous_response_id` is always a 404. */
  store?: Store;
  /** tRPC `config.reload` (see `RouterDeps.reload`); without it that procedure is a 404. */
  reload?: () => Promise<ReloadResult>;
  /** The virtual keys cache (kept across config reloads); default: a new one over
   * `store.keys`. Without a store there are no virtual keys and no `/admin/keys`. */
  keys?: KeyCache;
  /** What each virtual key spent in its budget period (`GET /v1/me`, and the budget check). */
  spend?: SpendTracker;
  /** Where usage records go (one per API request; `server/usage_observer.ts`), kept across
   * config reloads and closed by the caller. Without one, nothing is recorded. */
  usage?: UsageWriter<UsageRecord>;
  /** The price of a model (default: the built-in table, `priceOf()`). */
  prices?: (model: string) => Price | undefined;
}

/** Builds the gateway's HTTP application. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { config, chat, logger } = deps;
  const files = deps.files ?? createLocalFileStore({ dir: config.filesDir });
  const keys = deps.keys ??
    (deps.store === undefined ? undefined : createKeyCache(deps.store.keys, { logger }));
  const keyAdmin = deps.store === undefined ? undefined : createKeyAdmin(deps.store.keys, keys);
  const authenticate = createAuthenticator({
    apiKeys: config.apiKeys,
    adminKey: config.adminApiKey,
    keys,
  });
  const authOff = config.apiKeys.length === 0 && config.adminApiKey === undefined;
  const report = () => healthReport(deps.providerHealth?.());
  const limits = { maxBytes: config.maxRequestBytes, maxDepth: config.maxJsonDepth };
  const stored = deps.store?.responses;
  const responses = stored === undefined ? {} : storedResponsesHooks(stored, {
    ttlDays: config.responsesTtlDays,
    now: () => new Date(),
    newId: randomId,
    logger,
  });

  const metrics = deps.metrics ?? localMetrics(createMetricsRegistry({ usage: deps.usage }));
  const shutdown = deps.shutdown ?? new AbortController().signal;
  const recordUsage = deps.usage === undefined
    ? undefined
    : usageObserver(deps.usage, deps.prices ?? priceOf(), { spend: deps.spend });
  const observe: AccessObserver = (record) => {
    metrics.observe(record);
    recordUsage?.(record);
    deps.observe?.(record);
  };

  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("*", accessLog(logger, observe));
  app.use("*", deploymentHeader());
  app.use("*", rateLimitHeaders());
  app.use("/v1/messages/*", async (c, next) => {
    c.set("errorFormat", "bedrock_claude"); // Anthropic clients get Anthropic error bodies
    await next();
    c.res.headers.set("request-id", c.var.requestId); // Anthropic's name (the SDK's _request_id)
  });
  // Without API_KEY: loopback Host, no foreign Origin, JSON bodies (before anything else reads
  // the request). Then preflights, answered before authentication.
  if (authOff) app.use("*", localOnly(config.corsOrigins));
  app.use("*", cors(config.corsOrigins));
  app.use("/v1/*", requireApiKey(authenticate));
  app.use("/metrics", requireApiKey(authenticate));
  app.use("/admin/*", requireApiKey(authenticate), requireAdmin());
  // JSON bodies are read under `limits` by their routes (server/body.ts). An upload declaring more
  // than MAX_FILE_BYTES (plus the multipart envelope) is refused before it is read; the store
  // enforces the exact limit while it streams, so a chunked upload is never buffered whole.
  app.post("/v1/files", async (c, next) => {
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > config.maxFileBytes + UPLOAD_ENVELOPE_BYTES) {
      throw new GatewayError(
        "too_large",
        `The file exceeds the limit of ${config.maxFileBytes} bytes (MAX_FILE_BYTES).`,
        { param: "file" },
      );
    }
    await next();
  });

  app.route("/health", healthRoute(report));
  app.route("/metrics", metricsRoute(metrics));
  app.route("/", docsRoutes());
  app.route("/v1/chat/completions", chatCompletionsRoute(chat, limits, deps.shutdown));
  app.route("/v1/messages/count_tokens", countTokensRoute(chat, limits));
  app.route("/v1/messages", messagesRoute(chat, limits, deps.shutdown));
  app.route("/v1/responses", responsesRoute(chat, limits, deps.shutdown, responses));
  if (stored !== undefined) app.route("/v1/responses", storedResponsesRoute(stored));
  app.route("/v1/models", modelsRoute(chat));
  app.route("/v1/me", meRoute(deps.spend));
  if (deps.embeddings) app.route("/v1/embeddings", embeddingsRoute(deps.embeddings, limits));
  app.route("/v1/files", filesRoute(files, config.maxFileBytes));
  if (keyAdmin !== undefined) app.route("/admin/keys", adminKeysRoute(keyAdmin, limits));
  if (deps.store !== undefined) app.route("/admin/usage", adminUsageRoute(deps.store.usage));
  app.route(
    "/trpc",
    trpcRoute(
      {
        chat,
        embeddings: deps.embeddings,
        health: report,
        authenticate,
        keyAdmin,
        usage: deps.store?.usage,
        files,
        shutdown,
        responses,
        storedResponses: stored,
        reload: deps.reload,
        spend: deps.spend,
      },
      logger,
      limits,
    ),
  );

  const methodNotAllowed = (allowed: string) => () => {
    throw new GatewayError("method_not_allowed", `Method not allowed; use ${allowed}.`);
  };
  for (const path of ["/health", "/metrics", "/openapi.json", "/docs"]) {
    app.all(path, methodNotAllowed("GET"));
  }
  app.all("/v1/chat/completions", methodNotAllowed("POST"));
  app.all("/v1/messages", methodNotAllowed("POST"));
  app.all("/v1/messages/count_tokens", methodNotAllowed("POST"));
  app.all("/v1/responses", methodNotAllowed("POST"));
  app.all("/v1/responses/:id", methodNotAllowed("GET or DELETE"));
  app.all("/v1/responses/:id/input_items", methodNotAllowed("GET"));
  app.all("/v1/models", methodNotAllowed("GET"));
  app.all("/v1/me", methodNotAllowed("GET"));
  if (deps.embeddings) app.all("/v1/embeddings", methodNotAllowed("POST"));
  app.all("/v1/models/*", methodNotAllowed("GET"));
  app.all("/v1/files", methodNotAllowed("GET or POST"));
  app.all("/v1/files/:id", methodNotAllowed("GET or DELETE"));
  app.all("/v1/files/:id/content", methodNotAllowed("GET"));
  if (keyAdmin !== undefined) {
    app.all("/admin/keys", methodNotAllowed("GET or POST"));
    app.all("/admin/keys/:id", methodNotAllowed("GET, PATCH or DELETE"));
  }
  if (deps.store !== undefined) app.all("/admin/usage", methodNotAllowed("GET"));

  app.notFound((c) => {
    c.set("errorCode", "not_found");
    const hint = suggestRoute(c.req.path);
    return errorResponse(
      new GatewayError(
        "not_found",
        `Unknown route: ${c.req.method} ${c.req.path}` +
          (hint === undefined ? "." : `; did you mean ${hint}?`),
      ),
      c.var.errorFormat,
    );
  });
  app.onError((error, c) => {
    const gatewayError = toGatewayError(error);
    c.set("errorCode", gatewayError.code);
    if (gatewayError.kind === "internal") {
      // Log the original failure, not the generic wrapper the client gets.
      const original = gatewayError.cause ?? error;
      logger.error("unhandled error", {
        request_id: c.var.requestId,
        error: String(original),
        stack: original instanceof Error ? original.stack : undefined,
      });
    }
    if (c.req.path.startsWith("/trpc/")) {
      // Refused before tRPC ran (Host, Origin, content type, size): still tRPC's error shape.
      const reply = trpcErrorReply(toTRPCError(gatewayError), c.req.path.slice("/trpc/".length));
      return c.json(reply.body, reply.status as 400);
    }
    return errorResponse(gatewayError, c.var.errorFormat);
  });
  return app;
}

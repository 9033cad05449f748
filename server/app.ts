/**
 * `createApp(deps)`: the Hono application — middleware, routes, tRPC, one error handler.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ChatService } from "../core/chat/service.ts";
import { createKeyChecker } from "../core/auth.ts";
import type { Config } from "../core/config.ts";
import { GatewayError, toGatewayError } from "../core/errors.ts";
import { healthReport } from "../core/health.ts";
import type { Logger } from "../core/logger.ts";
import { errorResponse } from "./errors.ts";
import { accessLog, type AccessObserver } from "./middleware/access_log.ts";
import { requireApiKey } from "./middleware/auth.ts";
import { requestId } from "./middleware/request_id.ts";
import { chatCompletionsRoute } from "./routes/chat_completions.ts";
import { healthRoute } from "./routes/health.ts";
import { messagesRoute } from "./routes/messages.ts";
import { modelsRoute } from "./routes/models.ts";
import { trpcRoute } from "./routes/trpc.ts";
import type { AppEnv } from "./types.ts";

/** Everything the HTTP app needs, built by `main.ts` (or a test). */
export interface AppDeps {
  config: Config;
  chat: ChatService;
  logger: Logger;
  /** Whether Bedrock credentials were found (reported by /health). */
  bedrockConfigured?: boolean;
  /** Observer of finished requests (metrics). */
  observe?: AccessObserver;
}

/** Builds the gateway's HTTP application. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { config, chat, logger } = deps;
  const checkKey = createKeyChecker(config.apiKeys);
  const report = () => healthReport(config, deps.bedrockConfigured ?? false);
  const tooLarge = () => {
    throw new GatewayError(
      "too_large",
      `The request body exceeds the limit of ${config.maxRequestBytes} bytes (MAX_REQUEST_BYTES).`,
    );
  };

  const app = new Hono<AppEnv>();
  app.use("*", requestId());
  app.use("*", accessLog(logger, deps.observe));
  app.use("/v1/messages", async (c, next) => {
    c.set("errorFormat", "bedrock_claude"); // Anthropic clients get Anthropic error bodies
    await next();
  });
  app.use("/v1/*", requireApiKey(checkKey));
  app.use("/v1/*", bodyLimit({ maxSize: config.maxRequestBytes, onError: tooLarge }));
  app.use("/trpc/*", bodyLimit({ maxSize: config.maxRequestBytes, onError: tooLarge }));

  app.route("/health", healthRoute(report));
  app.route("/v1/chat/completions", chatCompletionsRoute(chat));
  app.route("/v1/messages", messagesRoute(chat));
  app.route("/v1/models", modelsRoute(chat));
  app.route("/trpc", trpcRoute({ chat, health: report, checkKey }, logger));

  const methodNotAllowed = (allowed: string) => () => {
    throw new GatewayError("method_not_allowed", `Method not allowed; use ${allowed}.`);
  };
  app.all("/health", methodNotAllowed("GET"));
  app.all("/v1/chat/completions", methodNotAllowed("POST"));
  app.all("/v1/messages", methodNotAllowed("POST"));
  app.all("/v1/models", methodNotAllowed("GET"));
  app.all("/v1/models/*", methodNotAllowed("GET"));

  app.notFound((c) => {
    c.set("errorCode", "not_found");
    return errorResponse(
      new GatewayError("not_found", `Unknown route: ${c.req.method} ${c.req.path}`),
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
    return errorResponse(gatewayError, c.var.errorFormat);
  });
  return app;
}

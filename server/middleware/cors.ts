/**
 * CORS for the origins in `CORS_ORIGINS`: preflights are answered before authentication (204 for
 * a listed origin, 403 `origin_not_allowed` otherwise — never a 401), and answers to a listed
 * origin carry `access-control-allow-origin` and the headers a browser client may read. Without
 * `CORS_ORIGINS` no CORS header is ever sent.
 */
import type { Context, MiddlewareHandler } from "hono";
import { GatewayError } from "../../core/errors.ts";
import type { AppEnv } from "../types.ts";

/** Request headers a browser client may send: the SDKs' (OpenAI, Anthropic, tRPC) and ours. */
const ALLOWED_HEADERS = new Set([
  "accept",
  "anthropic-beta",
  "anthropic-dangerous-direct-browser-access",
  "anthropic-version",
  "authorization",
  "content-type",
  "idempotency-key",
  "last-event-id",
  "openai-beta",
  "openai-organization",
  "openai-project",
  "trpc-accept",
  "x-api-key",
  "x-request-id",
]);

/** Response headers a browser client may read. */
const EXPOSED_HEADERS = [
  "x-request-id",
  "retry-after",
  "x-ratelimit-limit-requests",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-reset-requests",
  "x-ratelimit-reset-tokens",
].join(", ");

const ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";

/** The requested headers that are allowed (`x-stainless-*` as a family), comma-separated. */
function allowedRequestHeaders(requested: string | undefined): string {
  if (requested === undefined) return "";
  return requested.split(",").map((h) => h.trim().toLowerCase())
    .filter((h) => ALLOWED_HEADERS.has(h) || /^x-stainless-[a-z0-9-]+$/.test(h))
    .join(", ");
}

/** The `Origin` of a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`), or
 * undefined for any other request. */
function preflightOrigin(c: Context<AppEnv>): string | undefined {
  if (c.req.method !== "OPTIONS") return undefined;
  return c.req.header("access-control-request-method") === undefined
    ? undefined
    : c.req.header("origin");
}

/** The 403 of a preflight from an origin that is not allowed. */
function refusal(origin: string): GatewayError {
  const shown = origin.length > 100 ? `${origin.slice(0, 100)}…` : origin;
  return new GatewayError(
    "permission",
    `Cross-origin requests from '${shown}' are not allowed; list the origin in CORS_ORIGINS.`,
    { code: "origin_not_allowed" },
  );
}

/** The CORS middleware for `origins` (`["*"]` for any, empty for none). */
export function cors(origins: readonly string[]): MiddlewareHandler<AppEnv> {
  const anyOrigin = origins.includes("*");
  const listed = new Set(origins);
  const allowed = (origin: string) => anyOrigin || listed.has(origin);
  const setOrigin = (headers: Headers, origin: string) => {
    headers.set("access-control-allow-origin", anyOrigin ? "*" : origin);
    if (!anyOrigin) headers.append("vary", "origin");
  };
  if (origins.length === 0) {
    // No CORS: only preflights need an answer (403); nothing else is touched.
    return async (c, next) => {
      const preflight = preflightOrigin(c);
      if (preflight !== undefined) throw refusal(preflight);
      await next();
    };
  }
  return async (c, next) => {
    const preflight = preflightOrigin(c);
    if (preflight !== undefined) {
      if (!allowed(preflight)) throw refusal(preflight);
      const headers = new Headers({
        "access-control-allow-methods": ALLOWED_METHODS,
        "access-control-max-age": "600",
      });
      setOrigin(headers, preflight);
      const requested = allowedRequestHeaders(c.req.header("access-control-request-headers"));
      if (requested !== "") headers.set("access-control-allow-headers", requested);
      if (!anyOrigin) headers.append("vary", "access-control-request-headers");
      return new Response(null, { status: 204, headers });
    }
    await next();
    const origin = c.req.header("origin");
    if (origin !== undefined && allowed(origin)) {
      setOrigin(c.res.headers, origin);
      c.res.headers.set("access-control-expose-headers", EXPOSED_HEADERS);
    }
  };
}

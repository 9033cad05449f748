/**
 * Without `API_KEY` (allowed on loopback only), the gateway must not serve the web pages its user
 * visits: a page can send a cross-site form or `text/plain` POST without a preflight, and a
 * rebound DNS name (`attacker.example` → 127.0.0.1) reaches the port with a foreign `Host`. So
 * unauthenticated requests need a loopback `Host`, no foreign `Origin` (unless `CORS_ORIGINS`
 * lists it) and, when they carry a body, a JSON content type (multipart for file uploads).
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { isLoopbackHost } from "../../core/config.ts";
import { GatewayError } from "../../core/errors.ts";
import type { AppEnv } from "../types.ts";

/** A header value shortened for an error message. */
const quoted = (value: string) => `'${value.length > 100 ? `${value.slice(0, 100)}…` : value}'`;

/**
 * True for a `Host` value (or URL authority) naming a loopback address, with or without a port:
 * `127.0.0.1:8000`, `[::1]:8000`, `localhost`.
 *
 * @example
 * isLoopbackAuthority("[::1]:8000"); // true
 * isLoopbackAuthority("attacker.example:8000"); // false
 */
export function isLoopbackAuthority(authority: string): boolean {
  const end = authority.startsWith("[") ? authority.indexOf("]") + 1 : authority.indexOf(":");
  const host = end <= 0 ? authority : authority.slice(0, end);
  const port = end <= 0 ? "" : authority.slice(end);
  return (port === "" || /^:\d{1,5}$/.test(port)) && host !== "" && isLoopbackHost(host);
}

/** The authority (`host[:port]`) of an absolute URL string. */
function authorityOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.slice(start).search(/[/?#]/);
  return end === -1 ? url.slice(start) : url.slice(start, start + end);
}

/** True for `application/json` and `application/<x>+json`, parameters ignored. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(";");
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim()
    .toLowerCase();
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** True when a handler will read the request's body as JSON: every tRPC call and every route
 * registered for the method, except the multipart upload. (Requests only a 404/405 catch-all
 * answers are not read, and keep their 404/405.) */
function readsJsonBody(c: Context<AppEnv>): boolean {
  if (c.req.path.startsWith("/trpc/")) return true;
  if (c.req.method === "POST" && c.req.path === "/v1/files") return false;
  return matchedRoutes(c).some((route) => route.method === c.req.method);
}

/**
 * The rules for unauthenticated requests (installed only when `API_KEY` is unset): 403
 * `permission_error` (`host_not_allowed` / `origin_not_allowed`) for a foreign `Host` or
 * `Origin`, 415 `unsupported_media_type` for a body that is not declared JSON.
 */
export function localOnly(corsOrigins: readonly string[]): MiddlewareHandler<AppEnv> {
  const anyOrigin = corsOrigins.includes("*");
  const listed = new Set(corsOrigins);
  return async (c, next) => {
    const host = c.req.header("host");
    const url = c.req.url;
    if (
      (host !== undefined && !isLoopbackAuthority(host)) || !isLoopbackAuthority(authorityOf(url))
    ) {
      throw new GatewayError(
        "permission",
        `Without API_KEY the gateway answers only requests to a loopback host (127.0.0.1, [::1] ` +
          `or localhost), not to ${quoted(host ?? authorityOf(url))}. Set API_KEY to serve ` +
          `other host names.`,
        { code: "host_not_allowed" },
      );
    }
    const origin = c.req.header("origin");
    if (origin !== undefined && !anyOrigin && !listed.has(origin)) {
      const own = origin.replace(/^https?:\/\//i, "").toLowerCase();
      if (own !== (host ?? authorityOf(url)).toLowerCase()) {
        throw new GatewayError(
          "permission",
          `Requests from the web origin ${quoted(origin)} are refused. List it in ` +
            `CORS_ORIGINS to allow it (and set API_KEY so that pages need a key).`,
          { code: "origin_not_allowed" },
        );
      }
    }
    if (BODY_METHODS.has(c.req.method) && readsJsonBody(c)) {
      const type = c.req.header("content-type");
      if (!isJsonContentType(type)) {
        throw new GatewayError(
          "unsupported_media_type",
          `Without API_KEY the gateway takes only JSON bodies: send the header ` +
            `'content-type: application/json'` +
            (type === undefined ? " (it is missing)." : ` (got ${quoted(type)}).`),
          { param: "content-type" },
        );
      }
    }
    await next();
  };
}

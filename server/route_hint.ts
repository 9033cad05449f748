/**
 * "Did you mean …?" for unknown routes: a path that lacks the `/v1` prefix, or is a few
 * characters away from a route the gateway serves, gets that route suggested in its 404.
 */
import { editDistance as distance } from "../core/text/edit_distance.ts";

/** The routes a client may have meant (`:id` stands for one path segment). */
const ROUTES = [
  "/v1/chat/completions",
  "/v1/messages",
  "/v1/messages/count_tokens",
  "/v1/responses",
  "/v1/models",
  "/v1/models/:id",
  "/v1/files",
  "/v1/files/:id",
  "/v1/files/:id/content",
  "/health",
  "/metrics",
  "/openapi.json",
  "/docs",
];

const PATTERNS = ROUTES.map((route) => ({
  route,
  regex: new RegExp(`^${route.replace(/:id/g, "[^/]+").replace(/\./g, "\\.")}$`),
}));

const served = (path: string) => PATTERNS.some((p) => p.regex.test(path));

/**
 * The served route closest to an unknown `path`, or undefined when none is close.
 *
 * @example
 * suggestRoute("/chat/completions"); // "/v1/chat/completions"
 * suggestRoute("/v1/chat/completion"); // "/v1/chat/completions"
 * suggestRoute("/v1/models/gpt-4o/"); // "/v1/models/gpt-4o"
 */
export function suggestRoute(path: string): string | undefined {
  if (path.length > 200) return undefined;
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  for (const candidate of [trimmed, `/v1${trimmed}`, trimmed.replace(/^\/v\d+\//, "/v1/")]) {
    if (candidate !== path && served(candidate)) return candidate;
  }
  let best: { route: string; d: number } | undefined;
  for (const route of ROUTES) {
    if (route.includes(":id")) continue;
    const d = distance(trimmed.toLowerCase(), route);
    if (d <= 3 && (best === undefined || d < best.d)) best = { route, d };
  }
  return best?.route;
}

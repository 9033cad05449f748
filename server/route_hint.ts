/**
 * "Did you mean …?" for unknown routes: a path that lacks the `/v1` prefix, or is a few
 * characters away from a route the gateway serves, gets that route suggested in its 404.
 */

/** The routes a client may have meant (`:id` stands for one path segment). */
const ROUTES = [
  "/v1/chat/completions",
  "/v1/messages",
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

/** Edit distance between two short strings (bounded work: routes are short). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

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

/**
 * `GET /openapi.json` and `GET /docs`: the API description and its HTML rendering, both built
 * from the local `OPENAPI` object once. Need no key. The page's CSP allows inline styles only.
 */
import { Hono } from "hono";
import { renderDocsPage } from "../docs_page.ts";
import { OPENAPI } from "../openapi.ts";
import type { AppEnv } from "../types.ts";

/** The CSP of `/docs`: nothing but its own inline styles and same-origin links. */
export const DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";

/** The documentation routes, mounted at `/` (they serve `/openapi.json` and `/docs`). */
export function docsRoutes(): Hono<AppEnv> {
  const spec = JSON.stringify(OPENAPI, null, 2);
  const page = renderDocsPage(OPENAPI);
  return new Hono<AppEnv>()
    .get("/openapi.json", (c) => c.body(spec, 200, { "content-type": "application/json" }))
    .get("/docs", (c) =>
      c.body(page, 200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": DOCS_CSP,
        "x-content-type-options": "nosniff",
      }));
}

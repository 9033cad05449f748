/**
 * The small builders every part of `/openapi.json` uses: schema references, JSON and SSE bodies,
 * the shared error responses, security and the `{id}` path parameter.
 */

/** A JSON object of the document. */
export type Json = Record<string, unknown>;

/** A reference to a component schema. */
export const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
/** A JSON response with `schema`. */
export const json = (schema: Json, description = "OK"): Json => ({
  description,
  content: { "application/json": { schema } },
});
/** The shared error responses of `statuses`. */
export const errors = (...statuses: number[]): Json =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/E${s}` }]));
/** What each error status means here. */
export const ERROR_TEXT: Record<number, string> = {
  400: "Invalid request (body, parameter or value)",
  401: "Missing or invalid client key",
  403: "Upstream denied access, or the key may not use this model or route (permission_denied)",
  404: "Unknown model, file or route",
  405: "Method not allowed",
  413: "Request body or upload too large",
  429: "Upstream throttled (Retry-After when known)",
  500: "Gateway bug (no stack trace)",
  502: "Upstream failed or answered something malformed",
  503: "Provider not configured or upstream unavailable",
  504: "Upstream timed out",
};
/** The error statuses of the chat routes. */
export const CHAT_ERRORS = [400, 401, 403, 404, 413, 429, 500, 502, 503, 504];
/** Either way of presenting a client key. */
export const secured = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
/** The `{id}` path parameter. */
export const idParam = (description: string, example: string): Json => ({
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string" },
  description,
  example,
});
/** An event-stream body. */
export const sse = (description: string): Json => ({ schema: { type: "string", description } });

/** A string schema. */
export const str = (description?: string): Json => ({
  type: "string",
  ...(description ? { description } : {}),
});

/** An object schema with `properties` (and the `required` ones). */
export const object = (properties: Record<string, Json>, required: string[] = []): Json => ({
  type: "object",
  ...(required.length > 0 ? { required } : {}),
  properties,
});

/**
 * The OpenAPI parts of the admin API (`/admin/keys…`, `/admin/usage`; the admin key only): the
 * paths, with examples /docs turns into curl commands (`$KEY_ID` is the id a create returned),
 * and the component schemas — the bodies generated from the zod validators, the key object
 * written after `core/keys/schema.ts`.
 */
import { z } from "zod";
import { createKeySchema, updateKeySchema } from "../core/keys/schema.ts";
import { errors, idParam, type Json, json, ref } from "./openapi_parts.ts";

const fromZod = (schema: z.ZodType, description: string): Json => {
  const { $schema: _dialect, ...out } = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io: "input",
    unrepresentable: "any",
  }) as Json;
  return { description, ...out };
};

const nullable = (schema: Json): Json => ({ anyOf: [schema, { type: "null" }] });
const integer = { type: "integer" };

/** `components.schemas` entries of the admin API. */
export const ADMIN_SCHEMAS: Record<string, Json> = {
  CreateKeyRequest: fromZod(
    createKeySchema,
    "A virtual key's fields; only name is required. models are globs (* any run, ? one " +
      "character) matched against the model id or alias a request asks for; absent: any model. " +
      "expires_at is unix seconds or an ISO 8601 date-time.",
  ),
  UpdateKeyRequest: fromZod(
    updateKeySchema,
    "The fields to change; null removes an optional one (e.g. models: null allows every model).",
  ),
  VirtualKey: {
    type: "object",
    required: ["id", "object", "name", "enabled", "key_prefix", "created_at", "updated_at"],
    properties: {
      id: { type: "string", description: "key_…" },
      object: { const: "virtual_key" },
      name: { type: "string" },
      team: nullable({ type: "string" }),
      models: nullable({ type: "array", items: { type: "string" } }),
      rpm_limit: nullable(integer),
      tpm_limit: nullable(integer),
      max_parallel: nullable(integer),
      max_budget_usd: nullable({ type: "number" }),
      budget_period: nullable({ type: "string", enum: ["daily", "weekly", "monthly"] }),
      expires_at: nullable({ ...integer, description: "unix seconds" }),
      metadata: nullable({ type: "object" }),
      enabled: { type: "boolean" },
      key_prefix: { type: "string", description: "The key's first characters, e.g. sk-gw-AbCd" },
      created_at: integer,
      updated_at: integer,
    },
    description: "A virtual key as the admin API shows it: never the key itself, nor its hash.",
  },
  CreatedKey: {
    allOf: [ref("VirtualKey"), {
      type: "object",
      required: ["key"],
      properties: {
        key: { type: "string", description: "sk-gw-…: shown in this answer only, never again" },
      },
    }],
  },
  KeyList: {
    type: "object",
    required: ["object", "data", "has_more", "first_id", "last_id"],
    properties: {
      object: { const: "list" },
      data: { type: "array", items: ref("VirtualKey") },
      has_more: { type: "boolean" },
      first_id: { type: "string" },
      last_id: { type: "string" },
    },
  },
  UsageGroup: {
    type: "object",
    required: [
      "group",
      "requests",
      "errors",
      "input_tokens",
      "cached_tokens",
      "output_tokens",
      "reasoning_tokens",
      "cost_usd",
      "unpriced_requests",
    ],
    properties: {
      group: {
        ...nullable({ type: "string" }),
        description: "The key id, team, model, provider or day (YYYY-MM-DD, UTC); null for " +
          "the totals (no group_by) and for records without one (no virtual key, no team).",
      },
      requests: integer,
      errors: { ...integer, description: "Requests that ended with status >= 400." },
      input_tokens: { ...integer, description: "Input tokens, cached ones included." },
      cached_tokens: integer,
      output_tokens: { ...integer, description: "Output tokens, reasoning ones included." },
      reasoning_tokens: integer,
      cost_usd: { type: "number", description: "The sum of the known costs (USD)." },
      unpriced_requests: {
        ...integer,
        description: "Requests whose model has no price: their cost is unknown, not zero.",
      },
    },
  },
  UsageList: {
    type: "object",
    required: ["object", "data", "from", "to", "group_by"],
    properties: {
      object: { const: "list" },
      data: {
        type: "array",
        items: ref("UsageGroup"),
        description: "By cost (highest first), then group; by day in day order.",
      },
      from: { ...nullable({ type: "string" }), description: "ISO 8601; null: no lower bound" },
      to: { ...nullable({ type: "string" }), description: "ISO 8601; null: no upper bound" },
      group_by: nullable({ type: "string", enum: ["key", "team", "model", "provider", "day"] }),
    },
  },
  KeyRevoked: {
    type: "object",
    required: ["id", "object", "deleted"],
    properties: {
      id: { type: "string" },
      object: { const: "virtual_key" },
      deleted: { const: true },
    },
  },
};

const admin = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
const KEY_ID = idParam(
  "Virtual key id (key_…); in the example, KEY_ID holds a create's id",
  "$KEY_ID",
);
const NOTE = "The admin key only (ADMIN_API_KEY, else the first API_KEY): no key 401, any other " +
  "key 403 permission_denied.";

const TIME = "ISO 8601 date (UTC) or date-time, or unix seconds";

/** The `/admin/keys…` and `/admin/usage` path items. */
export const ADMIN_PATHS: Record<string, Json> = {
  "/admin/usage": {
    get: {
      tags: ["admin"],
      summary: "Usage and cost: one record per API request, summed and grouped",
      description: `${NOTE} Records reach the store within about a second of the request's end.`,
      security: admin,
      parameters: [
        {
          name: "from",
          in: "query",
          description: `${TIME}; inclusive`,
          schema: { type: "string" },
          example: "2027-01-01",
        },
        { name: "to", in: "query", description: `${TIME}; exclusive`, schema: { type: "string" } },
        { name: "key", in: "query", description: "A virtual key id", schema: { type: "string" } },
        { name: "team", in: "query", schema: { type: "string" } },
        {
          name: "model",
          in: "query",
          description: "The model id or alias the requests asked for",
          schema: { type: "string" },
        },
        {
          name: "group_by",
          in: "query",
          description: "Absent: one group of totals",
          schema: { type: "string", enum: ["key", "team", "model", "provider", "day"] },
          example: "model",
        },
      ],
      responses: { "200": json(ref("UsageList")), ...errors(400, 401, 403, 503) },
    },
  },
  "/admin/keys": {
    post: {
      tags: ["admin"],
      summary: "Create a virtual key (the answer holds the key, this once)",
      description: NOTE,
      security: admin,
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: ref("CreateKeyRequest"),
            example: { name: "ci-bot", team: "platform", models: ["mock-*"], rpm_limit: 60 },
          },
        },
      },
      responses: { "200": json(ref("CreatedKey")), ...errors(400, 401, 403, 503) },
    },
    get: {
      tags: ["admin"],
      summary: "List virtual keys (not revoked), newest first by default",
      description: NOTE,
      security: admin,
      parameters: [
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000 } },
        { name: "after", in: "query", schema: { type: "string" } },
        {
          name: "order",
          in: "query",
          schema: { type: "string", enum: ["asc", "desc"], default: "desc" },
        },
      ],
      responses: { "200": json(ref("KeyList")), ...errors(400, 401, 403, 503) },
    },
  },
  "/admin/keys/{id}": {
    get: {
      tags: ["admin"],
      summary: "One virtual key",
      description: NOTE,
      security: admin,
      parameters: [KEY_ID],
      responses: { "200": json(ref("VirtualKey")), ...errors(401, 403, 404, 503) },
    },
    patch: {
      tags: ["admin"],
      summary: "Change a virtual key's fields (null removes one); every instance within 2 s",
      description: NOTE,
      security: admin,
      parameters: [KEY_ID],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: ref("UpdateKeyRequest"),
            example: { models: ["mock-echo", "gpt-4o*"], rpm_limit: null },
          },
        },
      },
      responses: { "200": json(ref("VirtualKey")), ...errors(400, 401, 403, 404, 503) },
    },
    delete: {
      tags: ["admin"],
      summary: "Revoke a virtual key: refused (401) on every instance within 2 s",
      description: NOTE,
      security: admin,
      parameters: [KEY_ID],
      responses: { "200": json(ref("KeyRevoked")), ...errors(401, 403, 404, 503) },
    },
  },
};

/** `GET /v1/me`'s answer (`core/usage/me.ts`): any key may read its own. */
export const KEY_SELF_SCHEMA: Json = {
  type: "object",
  required: ["object", "kind", "admin", "budget"],
  properties: {
    object: { const: "gateway.key" },
    kind: { type: "string", enum: ["open", "static", "admin", "virtual"] },
    admin: { type: "boolean" },
    id: nullable({ type: "string" }),
    name: nullable({ type: "string" }),
    team: nullable({ type: "string" }),
    models: nullable({ type: "array", items: { type: "string" } }),
    rpm_limit: nullable(integer),
    tpm_limit: nullable(integer),
    max_parallel: nullable(integer),
    expires_at: nullable({ ...integer, description: "unix seconds" }),
    budget: nullable({
      type: "object",
      required: ["spent_usd"],
      properties: {
        max_budget_usd: nullable({ type: "number" }),
        budget_period: nullable({ type: "string", enum: ["daily", "weekly", "monthly"] }),
        spent_usd: { type: "number", description: "in the current period (all time without one)" },
        remaining_usd: nullable({ type: "number" }),
        resets_at: nullable({ type: "string", format: "date-time" }),
        period_start: nullable({ type: "string", format: "date-time" }),
      },
    }),
  },
  description: "What the caller's key may do and has spent. Only virtual keys have a budget.",
};

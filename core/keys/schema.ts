/**
 * The virtual key object of the admin API (SPEC §9): the create body, the update (PATCH) body
 * (every field optional, `null` removes an optional one), their validation into a
 * {@link GatewayError} naming the field (`rpm_limit must be a positive integer`), and the key
 * object the API answers with.
 */
import { z } from "zod";
import { GatewayError } from "../errors.ts";
import type { VirtualKeyChanges, VirtualKeyRecord, VirtualKeySettings } from "../store/store.ts";

/** The longest name, team or model glob accepted. */
const MAX_TEXT = 256;
/** The most globs in one allowlist. */
const MAX_MODELS = 1_000;
/** The largest metadata object, as JSON text. */
const MAX_METADATA_CHARS = 16_384;

const text = (field: string) =>
  z.string({ error: `${field} must be a string` }).trim().min(1, {
    error: `${field} must not be empty`,
  }).max(MAX_TEXT, { error: `${field} must be at most ${MAX_TEXT} characters` });

const positiveInt = (field: string) =>
  z.number({ error: `${field} must be a positive integer` }).int({
    error: `${field} must be a positive integer`,
  }).positive({ error: `${field} must be a positive integer` }).max(Number.MAX_SAFE_INTEGER, {
    error: `${field} must be a positive integer`,
  });

const models = z.array(text("each models entry"), {
  error: 'models must be an array of model ids, aliases or globs (e.g. ["gpt-4o*", "smart"])',
}).max(MAX_MODELS, { error: `models may list at most ${MAX_MODELS} entries` });

const budget = z.number({ error: "max_budget_usd must be a positive number of US dollars" })
  .positive({ error: "max_budget_usd must be a positive number of US dollars" })
  .refine(Number.isFinite, { error: "max_budget_usd must be a positive number of US dollars" });

const period = z.enum(["daily", "weekly", "monthly"], {
  error: "budget_period must be 'daily', 'weekly' or 'monthly'",
});

const EXPIRES_ERROR =
  "expires_at must be unix seconds or an ISO 8601 date-time (e.g. 2030-01-31T00:00:00Z)";
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
/** The last second of year 9999. */
const MAX_UNIX_SECONDS = 253_402_300_799;
const expiresAt = z.union([z.number(), z.string()], { error: EXPIRES_ERROR }).transform(
  (value, ctx) => {
    const seconds = typeof value === "number"
      ? (Number.isInteger(value) ? value : NaN)
      : ISO_DATE_TIME.test(value.trim())
      ? Math.floor(Date.parse(value.trim()) / 1000)
      : NaN;
    if (!(seconds > 0 && seconds <= MAX_UNIX_SECONDS)) {
      ctx.addIssue({ code: "custom", message: EXPIRES_ERROR });
      return z.NEVER;
    }
    return seconds;
  },
);

const metadata = z.record(z.string(), z.unknown(), {
  error: "metadata must be a JSON object",
}).refine((m) => JSON.stringify(m).length <= MAX_METADATA_CHARS, {
  error: `metadata must be at most ${MAX_METADATA_CHARS} characters of JSON`,
});

const enabled = z.boolean({ error: "enabled must be true or false" });

const optionalFields = {
  team: text("team"),
  models,
  rpm_limit: positiveInt("rpm_limit"),
  tpm_limit: positiveInt("tpm_limit"),
  max_parallel: positiveInt("max_parallel"),
  max_budget_usd: budget,
  budget_period: period,
  expires_at: expiresAt,
  metadata,
};

const unknownField = (issue: { code: string; keys?: string[] }) =>
  issue.code === "unrecognized_keys"
    ? `unknown field '${issue.keys?.[0]}'; the fields are name, team, models, rpm_limit, ` +
      "tpm_limit, max_parallel, max_budget_usd, budget_period, expires_at, metadata, enabled"
    : undefined;

/** `POST /admin/keys`: the key's fields; only `name` is required. */
export const createKeySchema = z.strictObject({
  name: text("name"),
  ...Object.fromEntries(Object.entries(optionalFields).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof typeof optionalFields]: z.ZodOptional<(typeof optionalFields)[K]>;
  },
  enabled: enabled.optional(),
}, { error: unknownField });

/** `PATCH /admin/keys/{id}`: any field; `null` removes an optional one. */
export const updateKeySchema = z.strictObject({
  name: text("name").optional(),
  ...Object.fromEntries(Object.entries(optionalFields).map(([k, v]) => [k, v.nullish()])) as {
    [K in keyof typeof optionalFields]: z.ZodOptional<z.ZodNullable<(typeof optionalFields)[K]>>;
  },
  enabled: enabled.optional(),
}, { error: unknownField });

/** A validated create body. */
export type CreateKeyBody = z.output<typeof createKeySchema>;
/** A validated update body. */
export type UpdateKeyBody = z.output<typeof updateKeySchema>;

/** Wire field → record field. */
const FIELDS = {
  team: "team",
  models: "models",
  rpm_limit: "rpmLimit",
  tpm_limit: "tpmLimit",
  max_parallel: "maxParallel",
  max_budget_usd: "maxBudgetUsd",
  budget_period: "budgetPeriod",
  expires_at: "expiresAt",
  metadata: "metadata",
} as const;

/**
 * Validates a body with `schema`; a failure is a 400 `invalid_value` whose message names the
 * field and whose `param` is it.
 *
 * @example
 * parseKeyBody(createKeySchema, { name: "ci", rpm_limit: 0 }); // throws "rpm_limit must be a positive integer"
 */
export function parseKeyBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.", {
      code: "invalid_request_body",
    });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.path.map(String);
  const field = issue.code === "unrecognized_keys" ? issue.keys[0] : path[0];
  const isRequired = field === "name" && (body as Record<string, unknown>).name === undefined;
  throw new GatewayError(
    "invalid_request",
    isRequired ? 'name is required: a name for the key (e.g. "ci-bot").' : `${issue.message}.`,
    {
      code: isRequired ? "missing_required_parameter" : "invalid_value",
      param: field === undefined ? null : path.length > 1 ? path.join(".") : field,
    },
  );
}

/** The settings of a validated create body, as the store keeps them. */
export function settingsOf(body: CreateKeyBody): VirtualKeySettings & { team?: string } {
  const out: Record<string, unknown> = {};
  for (const [wire, field] of Object.entries(FIELDS)) {
    const value = (body as Record<string, unknown>)[wire];
    if (value !== undefined) out[field] = value;
  }
  checkBudgetPeriod(out.budgetPeriod, out.maxBudgetUsd);
  return out as VirtualKeySettings & { team?: string };
}

/** The store's changes of a validated update body; `current` checks the combined result. */
export function changesOf(body: UpdateKeyBody, current: VirtualKeyRecord): VirtualKeyChanges {
  const out: Record<string, unknown> = {};
  if (body.name !== undefined) out.name = body.name;
  if (body.enabled !== undefined) out.enabled = body.enabled;
  for (const [wire, field] of Object.entries(FIELDS)) {
    const value = (body as Record<string, unknown>)[wire];
    if (value !== undefined) out[field] = value;
  }
  const pick = <T>(field: string, was: T) => out[field] === undefined ? was : out[field];
  checkBudgetPeriod(
    pick("budgetPeriod", current.budgetPeriod),
    pick("maxBudgetUsd", current.maxBudgetUsd),
  );
  return out as VirtualKeyChanges;
}

/** A reset period without a budget is a mistake worth naming. */
function checkBudgetPeriod(period: unknown, budget: unknown): void {
  if (period !== undefined && period !== null && (budget === undefined || budget === null)) {
    throw new GatewayError(
      "invalid_request",
      "budget_period needs max_budget_usd: set the budget it resets.",
      { param: "budget_period" },
    );
  }
}

/** The key object the admin API answers with (unset optional fields are null). */
export interface KeyObject {
  id: string;
  object: "virtual_key";
  name: string;
  team: string | null;
  models: string[] | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel: number | null;
  max_budget_usd: number | null;
  budget_period: "daily" | "weekly" | "monthly" | null;
  /** Unix seconds. */
  expires_at: number | null;
  metadata: Record<string, unknown> | null;
  enabled: boolean;
  /** The key's first characters, e.g. `sk-gw-AbCd`. */
  key_prefix: string;
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds. */
  updated_at: number;
}

/** A stored key as the API shows it (never its hash). */
export function toKeyObject(record: VirtualKeyRecord): KeyObject {
  return {
    id: record.id,
    object: "virtual_key",
    name: record.name,
    team: record.team ?? null,
    models: record.models ?? null,
    rpm_limit: record.rpmLimit ?? null,
    tpm_limit: record.tpmLimit ?? null,
    max_parallel: record.maxParallel ?? null,
    max_budget_usd: record.maxBudgetUsd ?? null,
    budget_period: record.budgetPeriod ?? null,
    expires_at: record.expiresAt ?? null,
    metadata: record.metadata ?? null,
    enabled: record.enabled,
    key_prefix: record.prefix,
    created_at: record.createdAt,
    updated_at: Math.floor(record.updatedAt / 1000),
  };
}

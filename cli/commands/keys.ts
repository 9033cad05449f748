/**
 * `keys create|list|show|update|revoke`: the gateway's virtual keys, through tRPC
 * `admin.keys.*` with the admin key (`--api-key`, else GATEWAY_API_KEY when set, else
 * ADMIN_API_KEY, else the first API_KEY). A flag for every field of the key object; `--json`
 * prints the gateway's answer as it is. The key itself is printed by `create` only.
 */
import { type CommandSpec, flag, type Parsed, stringOpt } from "../args.ts";
import type { CliContext } from "../context.ts";
import { explainError, UsageError } from "../errors.ts";
import { formatDate, table } from "../render.ts";
import { createGatewayClient } from "../../routers/client.ts";

/** Field flags → the key object's fields, with how each value is read. */
const FIELD_FLAGS = {
  name: { field: "name", kind: "string", description: "the key's name (required by create)" },
  team: { field: "team", kind: "string", description: "team or owner" },
  models: {
    field: "models",
    kind: "list",
    description: "allowed models or aliases, comma-separated globs (gpt-4o*,smart)",
  },
  "rpm-limit": { field: "rpm_limit", kind: "number", description: "requests per minute" },
  "tpm-limit": { field: "tpm_limit", kind: "number", description: "tokens per minute" },
  "max-parallel": { field: "max_parallel", kind: "number", description: "requests in flight" },
  "max-budget-usd": { field: "max_budget_usd", kind: "number", description: "budget in USD" },
  "budget-period": {
    field: "budget_period",
    kind: "string",
    description: "budget reset: daily, weekly or monthly",
  },
  "expires-at": {
    field: "expires_at",
    kind: "time",
    description: "expiry: unix seconds or ISO 8601 (2030-01-31T00:00:00Z)",
  },
  metadata: { field: "metadata", kind: "json", description: "a JSON object kept with the key" },
} as const;

type FieldFlag = keyof typeof FIELD_FLAGS;

/** The command's spec. */
export const spec: CommandSpec = {
  name: "keys",
  summary: "Create, list, show, update or revoke virtual keys (admin key).",
  usage: [
    "keys create --name NAME [field flags] [--json]   prints the key, this once",
    "keys list [--limit N] [--after ID] [--json]",
    "keys show ID [--json]",
    "keys update ID [field flags] [--enable|--disable] [--clear FIELD,…] [--json]",
    "keys revoke ID",
  ],
  options: {
    ...Object.fromEntries(
      Object.entries(FIELD_FLAGS).map(([name, f]) => [
        name,
        { type: "string" as const, description: f.description, valueName: "VALUE" },
      ]),
    ),
    enable: { type: "boolean", description: "enable the key" },
    disable: { type: "boolean", description: "disable the key (refused until enabled again)" },
    clear: {
      type: "string",
      description: "remove optional fields, e.g. models,rpm_limit (models: any model)",
      valueName: "FIELDS",
    },
    limit: { type: "string", description: "list: keys per page (default 100)", valueName: "N" },
    after: { type: "string", description: "list: start after this key id", valueName: "ID" },
    json: { type: "boolean", description: "print the gateway's answer as JSON" },
  },
  details: `The admin key: --api-key, else GATEWAY_API_KEY when set, else ADMIN_API_KEY, else
API_KEY's first key (from the environment, then .env). A revoked or changed key is refused
or restricted on every gateway instance within 2 seconds.`,
};

/** Reads one field flag's value. */
function fieldValue(name: FieldFlag, raw: string): unknown {
  const { kind } = FIELD_FLAGS[name];
  if (kind === "list") return raw.split(",").map((m) => m.trim()).filter((m) => m !== "");
  if (kind === "number" || (kind === "time" && /^\d+$/.test(raw.trim()))) {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(n)) {
      throw new UsageError(`--${name} must be a number, got '${raw}'.`);
    }
    return n;
  }
  if (kind === "json") {
    try {
      return JSON.parse(raw);
    } catch {
      throw new UsageError(`--${name} must be a JSON object, e.g. '{"owner":"ana"}'.`);
    }
  }
  return raw;
}

/** The key fields the flags give. */
function fieldsOf(parsed: Parsed): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const name of Object.keys(FIELD_FLAGS) as FieldFlag[]) {
    const raw = stringOpt(parsed, name);
    if (raw !== undefined) body[FIELD_FLAGS[name].field] = fieldValue(name, raw);
  }
  if (flag(parsed, "enable") && flag(parsed, "disable")) {
    throw new UsageError("--enable and --disable exclude each other.");
  }
  if (flag(parsed, "enable")) body.enabled = true;
  if (flag(parsed, "disable")) body.enabled = false;
  for (const field of (stringOpt(parsed, "clear") ?? "").split(",").map((f) => f.trim())) {
    if (field !== "") body[field.replaceAll("-", "_")] = null;
  }
  return body;
}

/** The admin key this command sends (see the spec's details). */
export function adminKey(ctx: CliContext, parsed: Parsed): string | undefined {
  const given = stringOpt(parsed, "api-key") ?? ctx.env.GATEWAY_API_KEY ??
    ctx.dotenv.GATEWAY_API_KEY;
  return given ?? ctx.setting("ADMIN_API_KEY") ?? ctx.apiKey;
}

type KeyView = Record<string, unknown> & { id: string; name: string };

const dash = (v: unknown) => (v === null || v === undefined ? "-" : String(v));

/** One key as `field: value` lines. */
function describe(key: KeyView): string {
  const lines = Object.entries(key)
    .filter(([field]) => field !== "object")
    .map(([field, value]) => {
      const shown = value !== null && typeof value === "object"
        ? JSON.stringify(value)
        : /_at$/.test(field) && typeof value === "number"
        ? `${formatDate(value)} (${value})`
        : dash(value);
      return `${field.padEnd(15)}${shown}`;
    });
  return lines.join("\n") + "\n";
}

/** A created key's object without the key (printed once, on its own line). */
function withoutKey(created: { key: string }): KeyView {
  const { key: _key, ...rest } = created;
  return rest as unknown as KeyView;
}

/** Runs `keys`. */
export async function run(ctx: CliContext, parsed: Parsed): Promise<number> {
  const [sub, id, ...extra] = parsed.positionals;
  const needId = () => {
    if (id === undefined || extra.length > 0) {
      throw new UsageError(`Usage: deno task cli keys ${sub} ID (see \`keys list\`).`);
    }
    return id;
  };
  const apiKey = adminKey(ctx, parsed);
  const client = createGatewayClient({ url: ctx.url, apiKey }).admin.keys;
  const json = flag(parsed, "json");
  const print = (answer: unknown, text: () => string) =>
    ctx.out(json ? JSON.stringify(answer, null, 2) + "\n" : text());
  const call = async <T>(body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw explainError(error, { url: ctx.url, apiKeyGiven: apiKey !== undefined });
    }
  };
  switch (sub) {
    case "create": {
      if (id !== undefined) throw new UsageError("keys create takes no ID: use --name NAME.");
      const fields = fieldsOf(parsed);
      if (fields.name === undefined) throw new UsageError("keys create needs --name NAME.");
      const created = await call(() =>
        client.create.mutate(fields as Parameters<typeof client.create.mutate>[0])
      );
      print(
        created,
        () =>
          `Created ${created.id} (${created.name}). The key, shown this once:\n\n  ${created.key}\n\n` +
          describe(withoutKey(created)),
      );
      return 0;
    }
    case "list": {
      const limitText = stringOpt(parsed, "limit");
      const limit = limitText === undefined ? undefined : Number(limitText);
      if (limit !== undefined && !Number.isInteger(limit)) {
        throw new UsageError(`--limit must be an integer, got '${limitText}'.`);
      }
      const list = await call(() =>
        client.list.query({ limit, after: stringOpt(parsed, "after") })
      );
      print(list, () => {
        if (list.data.length === 0) return "No virtual keys.\n";
        const rows = list.data.map((k) => [
          k.id,
          k.name,
          dash(k.team),
          k.key_prefix + "…",
          k.models === null ? "any" : k.models.join(","),
          [k.rpm_limit && `${k.rpm_limit} rpm`, k.tpm_limit && `${k.tpm_limit} tpm`]
            .filter(Boolean).join(", ") || "-",
          k.enabled ? "yes" : "no",
          k.expires_at === null ? "-" : formatDate(k.expires_at),
        ]);
        return table(
          ["ID", "NAME", "TEAM", "KEY", "MODELS", "LIMITS", "ENABLED", "EXPIRES"],
          rows,
          ctx.style,
        ) + "\n" + (list.has_more ? `More: --after ${list.last_id}\n` : "");
      });
      return 0;
    }
    case "show": {
      const key = await call(() => client.get.query({ id: needId() }));
      print(key, () => describe(key as unknown as KeyView));
      return 0;
    }
    case "update": {
      const keyId = needId();
      const fields = fieldsOf(parsed);
      if (Object.keys(fields).length === 0) {
        throw new UsageError("keys update needs a field flag, --enable, --disable or --clear.");
      }
      const key = await call(() => client.update.mutate({ id: keyId, ...fields }));
      print(key, () => `Updated ${key.id}.\n` + describe(key as unknown as KeyView));
      return 0;
    }
    case "revoke": {
      const answer = await call(() => client.revoke.mutate({ id: needId() }));
      print(answer, () => `Revoked ${answer.id}: refused everywhere within 2 seconds.\n`);
      return 0;
    }
    default:
      throw new UsageError(
        `Unknown keys command '${sub ?? ""}': use create, list, show, update or revoke.`,
      );
  }
}

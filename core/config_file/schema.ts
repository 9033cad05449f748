/**
 * The config file's shape (SPEC §9): `providers` (id → `{kind, ...settings}`), `models` (aliases:
 * a public name → deployments on those providers), `router` (attempts, cooldowns) and `prices`
 * (USD per million tokens, over the built-in table) and `limits` (rate limits per model). Each
 * provider's settings are validated by its kind's own zod schema, passed in, so this file knows
 * no kind; the aliases by `core/deployments/schema.ts`, and here against the file's providers.
 */
import { z } from "zod";
import {
  type AliasConfig,
  aliasSchema,
  DEFAULT_ROUTER_CONFIG,
  type RouterConfig,
  routerSchema,
} from "../deployments/schema.ts";
import { type Price, pricesSchema } from "../usage/prices.ts";
import { limitsSchema, type ModelLimits, modelLimitsOf } from "../limits/schema.ts";
import { type FileProblem, pathText } from "./interpolate.ts";

/** What the loader needs of a provider kind: its name and settings schema. */
export interface KindSchema {
  readonly name: string;
  readonly settings: z.ZodType;
}

/** One provider of the file: id, kind and its settings (interpolated and validated, as written:
 * the registry parses them again when it creates the instance). */
export interface FileProvider {
  id: string;
  kind: string;
  settings: unknown;
}

/** Instance ids are model prefixes: no `/`, no spaces (as core/providers/registry.ts). */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const topLevel = z.object({
  providers: z.record(z.string(), z.unknown()),
  models: z.array(z.unknown()).optional(),
  router: z.unknown().optional(),
  prices: z.unknown().optional(),
  limits: z.unknown().optional(),
}).strict();

const providerEntry = z.object({ kind: z.string().min(1) }).passthrough();

const problemsOf = (error: z.ZodError, prefix: (string | number)[]): FileProblem[] =>
  error.issues.map((issue) => ({
    path: pathText([...prefix, ...issue.path.map((p) => typeof p === "symbol" ? String(p) : p)]) ||
      "(file)",
    message: issue.message,
  }));

/** A kind's settings schema with unknown keys refused (a typo is a problem, not a no-op). */
function strictSettings(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodObject ? schema.strict() : schema;
}

/**
 * Validates an interpolated file: every problem, each with its dotted path.
 *
 * @example
 * validateFile({ providers: { m: { kind: "mock" } } }, [mockKind]).providers[0].id; // "m"
 */
export function validateFile(
  data: unknown,
  kinds: readonly KindSchema[],
): ValidatedFile {
  const top = topLevel.safeParse(data);
  if (!top.success) {
    return {
      providers: [],
      aliases: [],
      router: DEFAULT_ROUTER_CONFIG,
      prices: {},
      modelLimits: {},
      problems: problemsOf(top.error, []),
    };
  }
  const problems: FileProblem[] = [];
  const providers: FileProvider[] = [];
  for (const [id, entry] of Object.entries(top.data.providers)) {
    const path = ["providers", id];
    if (!ID_PATTERN.test(id)) {
      problems.push({
        path: pathText(path),
        message:
          "a provider id starts with a letter or digit and uses only letters, digits, '_', '.' and '-'",
      });
      continue;
    }
    const head = providerEntry.safeParse(entry);
    if (!head.success) {
      problems.push(...problemsOf(head.error, path));
      continue;
    }
    const { kind: kindName, ...written } = head.data;
    // An empty value means "not set", as in the environment (`organization: "${ORG:-}"`).
    const settings = Object.fromEntries(Object.entries(written).filter(([, v]) => v !== ""));
    const kind = kinds.find((k) => k.name === kindName);
    if (kind === undefined) {
      problems.push({
        path: pathText([...path, "kind"]),
        message: `unknown kind '${kindName}' (known: ${kinds.map((k) => k.name).join(", ")})`,
      });
      continue;
    }
    const parsed = strictSettings(kind.settings).safeParse(settings);
    if (!parsed.success) {
      problems.push(...problemsOf(parsed.error, path));
      continue;
    }
    providers.push({ id, kind: kind.name, settings });
  }
  if (problems.length === 0 && providers.length === 0) {
    problems.push({ path: "providers", message: "at least one provider is needed" });
  }
  const ids = Object.keys(top.data.providers);
  const aliases = validateAliases(top.data.models ?? [], ids, problems);
  let router = DEFAULT_ROUTER_CONFIG;
  if (top.data.router !== undefined) {
    const parsed = routerSchema.safeParse(top.data.router);
    if (parsed.success) router = parsed.data;
    else problems.push(...problemsOf(parsed.error, ["router"]));
  }
  let prices: Record<string, Price> = {};
  if (top.data.prices !== undefined) {
    const parsed = pricesSchema.safeParse(top.data.prices);
    if (parsed.success) prices = parsed.data;
    else problems.push(...problemsOf(parsed.error, ["prices"]));
  }
  let modelLimits: ModelLimits = {};
  if (top.data.limits !== undefined) {
    const parsed = limitsSchema.safeParse(top.data.limits);
    if (parsed.success) modelLimits = modelLimitsOf(parsed.data);
    else problems.push(...problemsOf(parsed.error, ["limits"]));
  }
  return { providers, aliases, router, prices, modelLimits, problems };
}

/** What {@link validateFile} finds: the providers, aliases and routing settings, and every
 * problem. */
export interface ValidatedFile {
  providers: FileProvider[];
  aliases: AliasConfig[];
  router: RouterConfig;
  /** Price overrides (USD per million tokens), by model id or name. */
  prices: Record<string, Price>;
  /** Rate limits per model id or alias (`limits.models`), for every caller. */
  modelLimits: ModelLimits;
  problems: FileProblem[];
}

/**
 * Validates `models`: each alias's shape, then what needs the file's provider ids — a deployment
 * on an unknown provider, an alias defined twice, the same deployment twice in an alias, a name
 * that `<provider>/<model>` routing already owns.
 */
function validateAliases(
  entries: readonly unknown[],
  providerIds: readonly string[],
  problems: FileProblem[],
): AliasConfig[] {
  const aliases: AliasConfig[] = [];
  const names = new Set<string>();
  entries.forEach((entry, n) => {
    const path = ["models", n];
    const parsed = aliasSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(...problemsOf(parsed.error, path));
      return;
    }
    const alias = parsed.data;
    let ok = true;
    const fail = (where: (string | number)[], message: string) => {
      problems.push({ path: pathText([...path, ...where]), message });
      ok = false;
    };
    if (names.has(alias.name)) fail(["name"], `the alias '${alias.name}' is defined twice`);
    names.add(alias.name);
    const prefix = alias.name.slice(0, alias.name.indexOf("/"));
    if (providerIds.includes(prefix)) {
      fail(
        ["name"],
        `'${alias.name}' starts with the provider id '${prefix}/', which already routes to that provider; pick another name`,
      );
    }
    const seen = new Set<string>();
    alias.deployments.forEach((d, i) => {
      if (!providerIds.includes(d.provider)) {
        fail(
          ["deployments", i, "provider"],
          `unknown provider '${d.provider}' (known: ${providerIds.join(", ") || "none"})`,
        );
      }
      const id = `${d.provider}/${d.model}`;
      if (seen.has(id)) fail(["deployments", i], `the deployment '${id}' is listed twice`);
      seen.add(id);
    });
    if (ok) aliases.push(alias);
  });
  return aliases;
}

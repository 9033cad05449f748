/**
 * The config file's `models` (aliases → deployments) and `router` sections (SPEC §9), as zod
 * schemas and the types they produce. SDK-free: `deno task cli config validate` checks them.
 * That a deployment names a configured provider is checked by `core/config_file/schema.ts`,
 * which knows the file's providers.
 */
import { z } from "zod";

/** How an alias picks among its deployments. */
export const STRATEGIES = ["failover", "weighted", "least_busy", "latency"] as const;

/** A routing strategy name. */
export type Strategy = typeof STRATEGIES[number];

/** A number written as a number, or as text (an interpolated `${VAR}` is always text). */
const number = z.union([
  z.number(),
  z.string().trim().regex(/^-?\d+(\.\d+)?$/, "must be a number").transform(Number),
]);

const positiveInt = (what: string) =>
  number.pipe(
    z.number().int(`${what} must be a whole number`).min(1, `${what} must be at least 1`),
  );

/**
 * Defaults and caps a deployment applies to every request it serves: a field the request leaves
 * out takes the value written here; `max_tokens` is also a cap (a request asking for more gets
 * this many).
 */
export const paramsSchema = z.object({
  max_tokens: positiveInt("max_tokens").optional(),
  temperature: number.pipe(z.number().min(0).max(2)).optional(),
  top_p: number.pipe(z.number().min(0).max(1)).optional(),
  presence_penalty: number.pipe(z.number().min(-2).max(2)).optional(),
  frequency_penalty: number.pipe(z.number().min(-2).max(2)).optional(),
  seed: number.pipe(z.number().int()).optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
  reasoning_effort: z.enum(["minimal", "low", "medium", "high"]).optional(),
}).strict();

/** A deployment's request defaults and caps. */
export type DeploymentParams = z.output<typeof paramsSchema>;

/** One deployment of an alias: a model on a provider instance. */
export const deploymentSchema = z.object({
  provider: z.string().trim().min(1),
  model: z.string().trim().min(1),
  /** `weighted`: the share of traffic (relative to the others' weights). */
  weight: number.pipe(z.number().gt(0, "weight must be greater than 0")).default(1),
  /** `failover`: lower is tried first; default: the order written. */
  priority: number.pipe(z.number().int("priority must be a whole number")).optional(),
  params: paramsSchema.optional(),
}).strict();

/** A deployment as the file writes it (validated). */
export type DeploymentConfig = z.output<typeof deploymentSchema>;

/** One alias: a public model name served by one or more deployments. */
export const aliasSchema = z.object({
  name: z.string().trim().min(1).regex(/^\S+$/, "an alias name has no spaces"),
  strategy: z.enum(STRATEGIES).default("failover"),
  deployments: z.array(deploymentSchema).min(1, "an alias needs at least one deployment"),
}).strict();

/** An alias as the file writes it (validated). */
export type AliasConfig = z.output<typeof aliasSchema>;

/** When a deployment is taken out of rotation. */
export const cooldownSchema = z.object({
  /** Failures (429, 5xx, timeout, connection) within `window_s` that cool a deployment down. */
  failures: positiveInt("failures").default(3),
  window_s: number.pipe(z.number().gt(0, "window_s must be greater than 0")).default(60),
  /** How long it stays out (a `Retry-After` from the upstream wins when longer). */
  cooldown_s: number.pipe(z.number().min(0)).default(30),
}).strict();

/** The cooldown policy (validated, defaults filled in). */
export type CooldownConfig = z.output<typeof cooldownSchema>;

/** The gateway-wide routing settings. */
export const routerSchema = z.object({
  /** Upstream attempts one request may make, all deployments and retries together; default
   * one per deployment plus `UPSTREAM_MAX_RETRIES`. */
  max_attempts: positiveInt("max_attempts").pipe(z.number().max(20)).optional(),
  cooldown: cooldownSchema.default({ failures: 3, window_s: 60, cooldown_s: 30 }),
  /** `latency`: the share of requests sent to a random deployment, so every deployment's
   * latency stays measured. */
  latency_exploration: number.pipe(z.number().min(0).max(1)).default(0.1),
}).strict();

/** The routing settings (validated, defaults filled in). */
export type RouterConfig = z.output<typeof routerSchema>;

/** The routing settings when the file has no `router` section (or there is no file). */
export const DEFAULT_ROUTER_CONFIG: RouterConfig = routerSchema.parse({});

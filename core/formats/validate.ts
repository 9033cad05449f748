/**
 * Turns zod validation failures into {@link GatewayError}s whose `param` names the field in
 * OpenAI's dotted/bracketed style (`messages[0].content`).
 */
import type { z } from "zod";
import { GatewayError } from "../errors.ts";

/** Renders a zod issue path as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** Picks the most specific issue: union failures are unwrapped to their deepest branch. */
function deepestIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    let best: { path: PropertyKey[]; message: string } | undefined;
    for (const branch of issue.errors) {
      for (const sub of branch) {
        const candidate = deepestIssue(sub);
        if (best === undefined || candidate.path.length > best.path.length) best = candidate;
      }
    }
    if (best !== undefined) return { path: [...issue.path, ...best.path], message: best.message };
  }
  return { path: [...issue.path], message: issue.message };
}

/** True when the field at `path` is absent (its parent is there, it is not). */
function isMissing(body: unknown, path: readonly PropertyKey[]): boolean {
  let node = body;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== "object" || node === null) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  if (typeof node !== "object" || node === null) return false;
  return (node as Record<PropertyKey, unknown>)[path[path.length - 1]] === undefined;
}

/**
 * Validates `body` against `schema`; on failure throws a 400-kind GatewayError naming the field
 * (`missing_required_parameter` when the field is absent, else `invalid_value`).
 *
 * @example
 * parseWith(chatRequestSchema, { model: 1 }); // throws param "model"
 */
export function parseWith<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new GatewayError("invalid_request", "The request body must be a JSON object.", {
      code: "invalid_request_body",
    });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const { path, message } = deepestIssue(result.error.issues[0]);
  const param = formatPath(path);
  if (path.length > 0 && isMissing(body, path)) {
    throw new GatewayError("invalid_request", `Missing required parameter: '${param}'.`, {
      code: "missing_required_parameter",
      param,
    });
  }
  throw new GatewayError(
    "invalid_request",
    param === "" ? `Invalid request: ${message}` : `Invalid value for '${param}': ${message}`,
    { code: "invalid_value", param: param === "" ? null : param },
  );
}

/**
 * A small checker of values against the constraint traits of a Smithy JSON AST model
 * (`@required`, `@range`, `@length`, `@pattern`, enum values, unions with exactly one member), used
 * to hold the gateway's Converse requests to AWS's own model of bedrock-runtime (the subset
 * vendored in `tests/fixtures/smithy/`).
 *
 * @example
 * const model = loadSmithyModel(new URL("../fixtures/smithy/bedrock_runtime_converse_subset.json", import.meta.url));
 * smithyViolations(model, "com.amazonaws.bedrockruntime#InferenceConfiguration", { temperature: 1.7 });
 * // ["inferenceConfig.temperature: 1.7 is above the @range max 1"] (with path "$" prefix)
 */

type Json = Record<string, unknown>;
type Traits = Record<string, unknown>;

interface Shape {
  type: string;
  members?: Record<string, { target: string; traits?: Traits }>;
  member?: { target: string; traits?: Traits };
  traits?: Traits;
}

/** A loaded Smithy model: shapes by absolute id, plus its `metadata`. */
export interface SmithyModel {
  shapes: Record<string, Shape>;
  metadata: Json;
}

/** Reads a Smithy JSON AST file. */
export function loadSmithyModel(url: URL): SmithyModel {
  const doc = JSON.parse(Deno.readTextFileSync(url));
  return { shapes: doc.shapes, metadata: doc.metadata ?? {} };
}

const PRELUDE_NUMBERS = new Set([
  "smithy.api#Integer",
  "smithy.api#Long",
  "smithy.api#Float",
  "smithy.api#Double",
]);

function checkTraits(value: unknown, traits: Traits, path: string, out: string[]): void {
  const range = traits["smithy.api#range"] as { min?: number; max?: number } | undefined;
  if (range !== undefined && typeof value === "number") {
    if (range.min !== undefined && value < range.min) {
      out.push(`${path}: ${value} is below the @range min ${range.min}`);
    }
    if (range.max !== undefined && value > range.max) {
      out.push(`${path}: ${value} is above the @range max ${range.max}`);
    }
  }
  const length = traits["smithy.api#length"] as { min?: number; max?: number } | undefined;
  if (length !== undefined) {
    const size = typeof value === "string"
      ? [...value].length
      : Array.isArray(value)
      ? value.length
      : undefined;
    if (size !== undefined && length.min !== undefined && size < length.min) {
      out.push(`${path}: length ${size} is below the @length min ${length.min}`);
    }
    if (size !== undefined && length.max !== undefined && size > length.max) {
      out.push(`${path}: length ${size} is above the @length max ${length.max}`);
    }
  }
  const pattern = traits["smithy.api#pattern"];
  if (
    typeof pattern === "string" && typeof value === "string" && !new RegExp(pattern).test(value)
  ) {
    out.push(`${path}: ${JSON.stringify(value)} does not match @pattern ${pattern}`);
  }
}

function check(
  model: SmithyModel,
  target: string,
  memberTraits: Traits,
  value: unknown,
  path: string,
  out: string[],
): void {
  checkTraits(value, memberTraits, path, out);
  if (PRELUDE_NUMBERS.has(target)) {
    if (typeof value !== "number" || !Number.isFinite(value)) {
      out.push(`${path}: ${JSON.stringify(value)} is not a number`);
    } else if (
      (target === "smithy.api#Integer" || target === "smithy.api#Long") &&
      !Number.isInteger(value)
    ) {
      out.push(`${path}: ${value} is not an integer`);
    }
    return;
  }
  if (target === "smithy.api#String" && typeof value !== "string") {
    out.push(`${path}: ${JSON.stringify(value)} is not a string`);
    return;
  }
  const shape = model.shapes[target];
  if (shape === undefined) return; // a prelude document/blob, or a shape outside the subset
  checkTraits(value, shape.traits ?? {}, path, out);
  switch (shape.type) {
    case "string":
      if (typeof value !== "string") out.push(`${path}: ${JSON.stringify(value)} is not a string`);
      return;
    case "enum": {
      const values = Object.values(shape.members ?? {}).map((m) =>
        m.traits?.["smithy.api#enumValue"]
      );
      if (!values.includes(value)) {
        out.push(`${path}: ${JSON.stringify(value)} is not one of ${values}`);
      }
      return;
    }
    case "list":
      if (!Array.isArray(value)) {
        out.push(`${path}: not a list`);
        return;
      }
      value.forEach((item, i) =>
        check(model, shape.member!.target, shape.member!.traits ?? {}, item, `${path}[${i}]`, out)
      );
      return;
    case "structure":
    case "union": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        out.push(`${path}: not an object`);
        return;
      }
      const members = shape.members ?? {};
      const present = Object.keys(value).filter((k) => (value as Json)[k] !== undefined);
      for (const key of present) {
        if (members[key] === undefined) out.push(`${path}.${key}: not a member of ${target}`);
      }
      if (shape.type === "union" && present.length !== 1) {
        out.push(`${path}: a union needs exactly one member, got ${present.join(", ") || "none"}`);
      }
      for (const [name, member] of Object.entries(members)) {
        const item = (value as Json)[name];
        if (item === undefined) {
          if (member.traits?.["smithy.api#required"] !== undefined) {
            out.push(`${path}.${name}: @required member missing`);
          }
          continue;
        }
        check(model, member.target, member.traits ?? {}, item, `${path}.${name}`, out);
      }
      return;
    }
    default:
      return;
  }
}

/** Every constraint of `shapeId` (and what it references) that `value` breaks. */
export function smithyViolations(
  model: SmithyModel,
  shapeId: string,
  value: unknown,
  path = "$",
): string[] {
  const out: string[] = [];
  check(model, shapeId, {}, value, path, out);
  return out;
}

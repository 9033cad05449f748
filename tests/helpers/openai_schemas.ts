/**
 * Validators for the OpenAI wire shapes, compiled by Ajv (JSON Schema 2020-12) from the schemas
 * vendored unchanged from the official OpenAI OpenAPI document
 * (`tests/fixtures/openapi/openai_schemas.json`, source repository and commit in its `source`).
 *
 * The document is OpenAPI 3.1 but a few of its schemas still say `nullable: true` (the 3.0
 * spelling); those are read as "or null", which is what the document means by them. Its
 * `unixtime` format is an integer number of seconds.
 *
 * @example
 * const check = openaiValidator("CreateChatCompletionResponse");
 * assertSchema(check, await res.json(), "mock completion");
 */
import assert from "node:assert/strict";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

type Json = Record<string, unknown>;

const FIXTURE = new URL("../fixtures/openapi/openai_schemas.json", import.meta.url);

/** The vendored document (`source` names the repository, path and commit). */
export const OPENAI_SCHEMAS: {
  source: { repository: string; path: string; commit: string };
  components: { schemas: Record<string, Json> };
} = JSON.parse(Deno.readTextFileSync(FIXTURE));

/** `nullable: true` (OpenAPI 3.0) → `anyOf: [schema, {type: "null"}]`, recursively. */
function nullableToAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToAnyOf);
  if (typeof node !== "object" || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key !== "nullable") out[key] = nullableToAnyOf(value);
  }
  return (node as Json).nullable === true ? { anyOf: [out, { type: "null" }] } : out;
}

// Ajv's CommonJS default export is the class itself under Deno's npm interop.
// deno-lint-ignore no-explicit-any
const AjvClass = Ajv2020 as any;
const ajv = new AjvClass({ strict: false, allErrors: true });
// deno-lint-ignore no-explicit-any
(addFormats as any)(ajv);
ajv.addFormat("unixtime", { type: "number", validate: (n: number) => Number.isInteger(n) });
ajv.addSchema({
  $id: "https://openai.test/openapi.json",
  components: nullableToAnyOf(OPENAI_SCHEMAS.components),
});

/** A compiled validator of one named schema. */
export interface SchemaValidator {
  schemaName: string;
  /** Ajv's errors for `data`, or `null` when it is valid. */
  errorsOf(data: unknown): unknown[] | null;
}

/** The validator of one vendored schema (e.g. `CreateChatCompletionStreamResponse`). */
export function openaiValidator(name: string): SchemaValidator {
  if (OPENAI_SCHEMAS.components.schemas[name] === undefined) {
    throw new Error(`schema ${name} is not vendored`);
  }
  const validate = ajv.getSchema(`https://openai.test/openapi.json#/components/schemas/${name}`);
  if (validate === undefined) throw new Error(`schema ${name} did not compile`);
  return {
    schemaName: name,
    errorsOf: (data) => (validate(data) ? null : validate.errors ?? []),
  };
}

/** Asserts `data` is valid against `validator`, naming `what` and Ajv's errors otherwise. */
export function assertSchema(validator: SchemaValidator, data: unknown, what: string): void {
  const errors = validator.errorsOf(data);
  assert.equal(
    errors,
    null,
    `${what} does not match OpenAI's ${validator.schemaName}: ${JSON.stringify(errors, null, 1)}\n${
      JSON.stringify(data).slice(0, 2000)
    }`,
  );
}

/**
 * `/openapi.json` and `/docs` for `POST /v1/embeddings`: the request component is generated from
 * the zod schema (it accepts exactly what the validator accepts), the answer matches the
 * response component in both encodings, and `/docs` renders its curl example.
 */
import assert from "node:assert/strict";
import Ajv2020 from "ajv/dist/2020.js";
import { embeddingRequestSchema } from "../../core/embeddings/schema.ts";
import { testApp } from "../helpers/app.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function doc() {
  const gw = testApp();
  const spec: Json = await (await gw.get("/openapi.json")).json();
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "https://gateway.test/openapi.json", components: spec.components });
  const validator = (name: string) =>
    ajv.getSchema(`https://gateway.test/openapi.json#/components/schemas/${name}`);
  return { gw, spec, validator };
}

Deno.test("openapi: /v1/embeddings with a request generated from zod", async () => {
  const { spec, validator } = await doc();
  const op = spec.paths["/v1/embeddings"].post;
  assert.deepEqual(op.tags, ["embeddings"]);
  assert.equal(
    op.requestBody.content["application/json"].schema.$ref,
    "#/components/schemas/EmbeddingRequest",
  );
  const request = spec.components.schemas.EmbeddingRequest;
  assert.deepEqual(request.required, ["model", "input"]);
  assert.deepEqual(request.properties.encoding_format.enum, ["float", "base64"]);
  const check = validator("EmbeddingRequest");
  const rows: unknown[] = [
    { model: "m", input: "a" },
    { model: "m", input: ["a", "b"] },
    { model: "m", input: [1, 2] },
    { model: "m", input: [[1], [2, 3]] },
    { model: "m", input: "" },
    { model: "m", input: [] },
    { model: "m", input: 5 },
    { model: "m", input: [[]] },
    { model: "m", input: "a", encoding_format: "int8" },
    { model: "m", input: "a", dimensions: 0 },
    { model: "m", input: "a", input_type: "search_query", extra: true },
    { model: "m", input: "a", input_type: "poetry" },
    { input: "a" },
  ];
  for (const body of rows) {
    assert.equal(
      check(body),
      embeddingRequestSchema.safeParse(body).success,
      `document and zod disagree on ${JSON.stringify(body)}`,
    );
  }
});

Deno.test("openapi: the answer matches EmbeddingResponse in both encodings", async () => {
  const { gw, validator } = await doc();
  const check = validator("EmbeddingResponse");
  for (const encoding_format of ["float", "base64"]) {
    const body = await (await gw.post("/v1/embeddings", {
      model: "mock-embed",
      input: ["a", "b"],
      encoding_format,
    })).json();
    assert.ok(check(body), `${encoding_format}: ${JSON.stringify(check.errors)}`);
  }
});

Deno.test("/docs shows the embeddings curl example", async () => {
  const { gw } = await doc();
  const html = await (await gw.get("/docs")).text();
  assert.ok(html.includes("curl -X POST &quot;$GATEWAY_URL/v1/embeddings&quot;"), "curl example");
  assert.ok(html.includes("mock-embed"));
});

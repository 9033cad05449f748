/**
 * The OpenAPI paths of the Responses API: `POST /v1/responses`, a stored response
 * (`GET`/`DELETE /v1/responses/{id}`) and its `input_items`, and the schemas only they use.
 */
import {
  CHAT_ERRORS,
  errors,
  idParam,
  type Json,
  json,
  object,
  ref,
  secured,
  sse,
  str,
} from "./openapi_parts.ts";

const RESPONSE_ID = "$RESPONSE_ID";
const RESPONSE_ID_TEXT =
  "Response id (resp_…); in the example, RESPONSE_ID holds the id POST /v1/responses returned";

/** `paths` entries of the Responses API (input_items before `{id}`, whose example deletes it). */
export const RESPONSES_PATHS: Record<string, Json> = {
  "/v1/responses": {
    post: {
      tags: ["chat"],
      summary: "OpenAI Responses API (openai_responses in and out), any model",
      security: secured,
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: ref("ResponsesRequest"),
            example: { model: "mock-echo", input: "Hello" },
          },
        },
      },
      responses: {
        "200": {
          description: "A Response object, or its event stream with stream: true. Built-in " +
            "tools a provider cannot take are named in the x-gateway-ignored-tools header.",
          content: {
            "application/json": { schema: ref("Response") },
            "text/event-stream": sse("response.created … response.completed"),
          },
        },
        ...errors(...CHAT_ERRORS),
      },
    },
  },
  "/v1/responses/{id}/input_items": {
    get: {
      tags: ["chat"],
      summary: "The items used to generate a stored response (its conversation and input)",
      security: secured,
      parameters: [
        idParam(RESPONSE_ID_TEXT, RESPONSE_ID),
        { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
        { name: "after", in: "query", schema: { type: "string" } },
        {
          name: "order",
          in: "query",
          schema: { type: "string", enum: ["asc", "desc"], default: "desc" },
        },
      ],
      responses: { "200": json(ref("ResponseItemList")), ...errors(400, 401, 404, 503) },
    },
  },
  "/v1/responses/{id}": {
    get: {
      tags: ["chat"],
      summary: "A stored Response object (store: true, within RESPONSES_TTL_DAYS)",
      security: secured,
      parameters: [idParam(RESPONSE_ID_TEXT, RESPONSE_ID)],
      responses: { "200": json(ref("Response")), ...errors(400, 401, 404, 503) },
    },
    delete: {
      tags: ["chat"],
      summary: "Delete a stored response",
      security: secured,
      parameters: [idParam(RESPONSE_ID_TEXT, RESPONSE_ID)],
      responses: { "200": json(ref("ResponseDeleted")), ...errors(401, 404, 503) },
    },
  },
};

/** `components.schemas` entries of the stored-response routes. */
export const RESPONSES_SCHEMAS: Record<string, Json> = {
  ResponseItemList: object({
    object: { const: "list" },
    data: {
      type: "array",
      description:
        "input items (message, function_call, function_call_output, reasoning…), each with an id",
      items: { type: "object", required: ["id", "type"], additionalProperties: true },
    },
    first_id: { type: ["string", "null"] },
    last_id: { type: ["string", "null"], description: "the `after` cursor of the next page" },
    has_more: { type: "boolean" },
  }, ["object", "data", "first_id", "last_id", "has_more"]),
  ResponseDeleted: object({
    id: str(),
    object: { const: "response" },
    deleted: { const: true },
  }, ["id", "object", "deleted"]),
};

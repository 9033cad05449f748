/**
 * The OpenAPI 3.1 document of the HTTP API, served at `GET /openapi.json` and rendered by
 * `GET /docs` (a local asset: nothing is fetched from the network). Request schemas are generated
 * from the zod validators (server/openapi_schemas.ts). Every operation carries an example (body,
 * path parameters) from which /docs builds a curl command that runs as written.
 */
import { FORMATS } from "../core/formats/registry.ts";
import { VERSION } from "../core/version.ts";
import { ADMIN_PATHS, ADMIN_SCHEMAS, KEY_SELF_SCHEMA } from "./openapi_admin.ts";
import { EMBEDDINGS_SCHEMAS, embeddingsPath } from "./openapi_embeddings.ts";
import {
  CHAT_ERRORS,
  ERROR_TEXT,
  errors,
  idParam,
  json,
  ref,
  secured,
  sse,
} from "./openapi_parts.ts";
import { RESPONSES_PATHS, RESPONSES_SCHEMAS } from "./openapi_responses.ts";
import { SCHEMAS } from "./openapi_schemas.ts";

type Json = Record<string, unknown>;

const FILE_ID = "$FILE_ID";
const FILE_ID_TEXT = "File id (file-…); in the example, FILE_ID holds the id an upload returned";

/** The OpenAPI document (plain JSON data). */
export const OPENAPI: Json = {
  openapi: "3.1.0",
  info: {
    title: "LLM gateway",
    version: VERSION,
    description: "One OpenAI-compatible API in front of the configured provider instances " +
      "(a model id `<instance>/<model>` picks one). Any input format (openai, bedrock_claude, bedrock_titan — detected from the " +
      "body) and any output format (target_format). /v1/* and /trpc/* need a client key when " +
      "API_KEY is set; /metrics too; /health, /openapi.json and /docs never do.",
  },
  servers: [{ url: "/", description: "The gateway serving this document" }],
  tags: [
    { name: "chat" },
    { name: "embeddings" },
    { name: "models" },
    { name: "files" },
    { name: "operations" },
    { name: "admin" },
    { name: "trpc" },
  ],
  paths: {
    "/v1/chat/completions": {
      post: {
        tags: ["chat"],
        summary: "Chat in any input format, answered in the target format (JSON or SSE)",
        security: secured,
        parameters: [{
          name: "target_format",
          in: "query",
          required: false,
          schema: {
            type: "string",
            enum: FORMATS,
            default: FORMATS[0],
          },
          description: "Output format; an unknown value is a 400.",
        }],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                anyOf: [
                  ref("OpenAIChatRequest"),
                  ref("BedrockClaudeRequest"),
                  ref("BedrockTitanRequest"),
                ],
              },
              example: { model: "mock-echo", messages: [{ role: "user", content: "Hello" }] },
            },
          },
        },
        responses: {
          "200": {
            description: "The answer; with stream: true an event stream (text/event-stream).",
            content: {
              "application/json": {
                schema: {
                  anyOf: [ref("ChatCompletion"), ref("ClaudeMessage"), ref("TitanResponse")],
                },
              },
              "text/event-stream": sse(
                "openai: data: <ChatCompletionChunk> … data: [DONE]; bedrock_claude: Anthropic " +
                  "events; bedrock_titan: data: <chunk>. A late error is one last error event.",
              ),
            },
          },
          ...errors(...CHAT_ERRORS),
        },
      },
    },
    "/v1/messages": {
      post: {
        tags: ["chat"],
        summary: "Anthropic Messages API compatible (bedrock_claude in and out), any model",
        security: secured,
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: ref("MessagesRequest"),
              example: {
                model: "mock-echo",
                max_tokens: 100,
                messages: [{ role: "user", content: "Hello" }],
              },
            },
          },
        },
        responses: {
          "200": {
            description: "An Anthropic message, or its event stream with stream: true.",
            content: {
              "application/json": { schema: ref("ClaudeMessage") },
              "text/event-stream": sse("message_start … message_stop"),
            },
          },
          default: json(ref("AnthropicError"), "Error in Anthropic's shape"),
        },
      },
    },
    "/v1/messages/count_tokens": {
      post: {
        tags: ["chat"],
        summary: "Anthropic Messages count-tokens API compatible, any model",
        description: "Bedrock Claude models: Bedrock's CountTokens (exact). The mock: its own " +
          "count (exact). OpenAI-compatible models, other Bedrock families and Claude models " +
          "CountTokens does not support: an estimate (about four characters per token). The " +
          "x-gateway-token-count header says which.",
        security: secured,
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: ref("CountTokensRequest"),
              example: {
                model: "mock-echo",
                system: "Be brief.",
                messages: [{ role: "user", content: "Hello" }],
              },
            },
          },
        },
        responses: {
          "200": {
            description: "The input tokens the request would take.",
            headers: {
              "x-gateway-token-count": {
                description: "exact (the upstream's or the provider's own count) or estimate",
                schema: { type: "string", enum: ["exact", "estimate"] },
              },
            },
            content: { "application/json": { schema: ref("TokenCount") } },
          },
          default: json(ref("AnthropicError"), "Error in Anthropic's shape"),
        },
      },
    },
    "/v1/embeddings": embeddingsPath(errors(400, 401, 403, 404, 413, 429, 500, 502, 503, 504)),
    ...RESPONSES_PATHS,
    "/v1/models": {
      get: {
        tags: ["models"],
        summary: "Every model of every configured provider",
        security: secured,
        responses: { "200": json(ref("ModelList")), ...errors(401) },
      },
    },
    "/v1/me": {
      get: {
        tags: ["models"],
        summary: "The caller's own key: allowlist, limits, budget and spend in the current period",
        security: secured,
        responses: { "200": json(ref("KeySelf")), ...errors(401) },
      },
    },
    "/v1/models/{id}": {
      get: {
        tags: ["models"],
        summary: "One model (ids may contain / and :)",
        security: secured,
        parameters: [idParam("Model id, e.g. mock-echo", "mock-echo")],
        responses: { "200": json(ref("Model")), ...errors(401, 404) },
      },
    },
    "/v1/files": {
      get: {
        tags: ["files"],
        summary: "List uploaded files",
        security: secured,
        parameters: [
          { name: "purpose", in: "query", schema: { type: "string" } },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 10000 } },
          { name: "after", in: "query", schema: { type: "string" } },
          {
            name: "order",
            in: "query",
            schema: { type: "string", enum: ["asc", "desc"], default: "desc" },
          },
        ],
        responses: { "200": json(ref("FileList")), ...errors(400, 401) },
      },
      post: {
        tags: ["files"],
        summary: "Upload a file (multipart: file, purpose); at most MAX_FILE_BYTES",
        security: secured,
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                required: ["file", "purpose"],
                properties: {
                  file: { type: "string", contentMediaType: "application/octet-stream" },
                  purpose: {
                    type: "string",
                    enum: ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"],
                  },
                },
              },
              example: { purpose: "user_data", file: "notes.txt" },
            },
          },
        },
        responses: { "200": json(ref("File")), ...errors(400, 401, 413) },
      },
    },
    "/v1/files/{id}/content": {
      get: {
        tags: ["files"],
        summary: "The file's exact bytes, with its stored content type",
        security: secured,
        parameters: [idParam(FILE_ID_TEXT, FILE_ID)],
        responses: {
          "200": {
            description: "Raw bytes (Content-Disposition: attachment)",
            content: { "application/octet-stream": { schema: { type: "string" } } },
          },
          ...errors(401, 404),
        },
      },
    },
    "/v1/files/{id}": {
      get: {
        tags: ["files"],
        summary: "File metadata",
        security: secured,
        parameters: [idParam(FILE_ID_TEXT, FILE_ID)],
        responses: { "200": json(ref("File")), ...errors(401, 404) },
      },
      delete: {
        tags: ["files"],
        summary: "Delete a file",
        security: secured,
        parameters: [idParam(FILE_ID_TEXT, FILE_ID)],
        responses: { "200": json(ref("FileDeleted")), ...errors(401, 404) },
      },
    },
    ...ADMIN_PATHS,
    "/health": {
      get: {
        tags: ["operations"],
        summary: "Liveness and provider configuration (no key)",
        security: [],
        responses: { "200": json(ref("Health")) },
      },
    },
    "/metrics": {
      get: {
        tags: ["operations"],
        summary: "Prometheus metrics: requests, latency histograms, upstream errors, tokens",
        description: "Prometheus text format 0.0.4. Needs the client key when API_KEY is set. " +
          "Under `deno task start` the numbers are summed over every worker.",
        security: secured,
        responses: {
          "200": {
            description: "Metric families gateway_requests_total, " +
              "gateway_request_duration_seconds, gateway_upstream_duration_seconds, " +
              "gateway_upstream_errors_total, gateway_tokens_total",
            content: { "text/plain": { schema: { type: "string" } } },
          },
          ...errors(401),
        },
      },
    },
    "/openapi.json": {
      get: {
        tags: ["operations"],
        summary: "This document",
        security: [],
        responses: { "200": json({ type: "object" }) },
      },
    },
    "/docs": {
      get: {
        tags: ["operations"],
        summary: "Human-readable documentation page (self-contained HTML)",
        security: [],
        responses: {
          "200": {
            description: "HTML",
            content: { "text/html": { schema: { type: "string" } } },
          },
        },
      },
    },
    "/trpc/{procedure}": {
      get: {
        tags: ["trpc"],
        summary: "tRPC queries (superjson)",
        description: "Procedures: health, models.list, formats.detect, files.list, files.get, " +
          "admin.keys.list, admin.keys.get, admin.usage, me. " +
          "Use the typed client (createGatewayClient) rather than raw HTTP.",
        security: secured,
        parameters: [{
          name: "procedure",
          in: "path",
          required: true,
          schema: { type: "string" },
          example: "models.list",
        }],
        responses: { "200": { description: "tRPC response envelope" } },
      },
      post: {
        tags: ["trpc"],
        summary:
          "tRPC mutations: chat.complete, chat.stream, formats.convert, files.delete, embeddings.create, config.reload, admin.keys.create|update|revoke",
        description: "chat.stream answers a stream: call it as tRPC's httpBatchStreamLink does " +
          '(`?batch=1`, header `trpc-accept: application/jsonl`, body `{"0": {json: <input>}}`; ' +
          "JSON lines back), as createGatewayClient does.",
        security: secured,
        parameters: [{
          name: "procedure",
          in: "path",
          required: true,
          schema: { type: "string" },
          example: "chat.complete",
        }],
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: { json: ref("OpenAIChatRequest") },
                description: "superjson-encoded input: {json: <input>}",
              },
              example: {
                json: { model: "mock-echo", messages: [{ role: "user", content: "Hello" }] },
              },
            },
          },
        },
        responses: { "200": { description: "tRPC response envelope" } },
      },
    },
  },
  components: {
    schemas: {
      ...SCHEMAS,
      ...EMBEDDINGS_SCHEMAS,
      ...RESPONSES_SCHEMAS,
      ...ADMIN_SCHEMAS,
      KeySelf: KEY_SELF_SCHEMA,
    },
    responses: Object.fromEntries(
      Object.entries(ERROR_TEXT).map(([status, text]) => [
        `E${status}`,
        json(ref("ErrorEnvelope"), text),
      ]),
    ),
    securitySchemes: {
      bearerAuth: {
        type: "http",
        scheme: "bearer",
        description: "A key listed in API_KEY, the admin key, or a virtual key (sk-gw-…)",
      },
      apiKeyHeader: { type: "apiKey", in: "header", name: "x-api-key" },
    },
  },
};

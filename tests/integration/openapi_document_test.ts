/**
 * `/openapi.json` is a valid OpenAPI 3.1 document (checked by a maintained validator), generated
 * from the zod request schemas (the document accepts exactly what the validators accept), with
 * response schemas that match what the gateway really answers; `/docs` renders its enums and
 * nested types, and every curl example on the page runs as written against a live gateway.
 */
import assert from "node:assert/strict";
import Ajv2020 from "ajv/dist/2020.js";
import { Validator } from "@seriousme/openapi-schema-validator";
import { chatRequestSchema } from "../../core/formats/openai/schema.ts";
import {
  countTokensRequestSchema,
  messagesApiRequestSchema,
} from "../../core/formats/bedrock_claude/schema.ts";
import { titanRequestSchema } from "../../core/formats/bedrock_titan/schema.ts";
import { readDataEvents } from "../helpers/sse.ts";
import { sqliteBackend } from "../helpers/stores.ts";
import { filesApp, upload, uploadForm } from "./files_helpers.ts";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

const KEY = "sk-docs-test";

async function documentOf(): Promise<{ doc: Json; app: Awaited<ReturnType<typeof filesApp>> }> {
  const store = await (await sqliteBackend().fresh()).open();
  const app = await filesApp({ API_KEY: KEY }, { store });
  const res = await app.gw.get("/openapi.json");
  assert.equal(res.status, 200);
  return { doc: await res.json(), app };
}

/** Ajv over the document's own components. */
function componentValidator(doc: Json) {
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
  ajv.addSchema({ $id: "https://gateway.test/openapi.json", components: doc.components });
  return (name: string, data: unknown, what: string) => {
    const validate = ajv.getSchema(`https://gateway.test/openapi.json#/components/schemas/${name}`);
    assert.ok(validate, `component ${name}`);
    assert.ok(
      validate(data),
      `${what} does not match ${name}: ${JSON.stringify(validate.errors)}\n${
        JSON.stringify(data).slice(0, 1500)
      }`,
    );
  };
}

Deno.test("openapi.json is a valid OpenAPI 3.1 document with a servers entry", async () => {
  const { doc, app } = await documentOf();
  await using _ = app;
  const result = await new Validator().validate(structuredClone(doc));
  assert.deepEqual(result, { valid: true }, JSON.stringify(result.errors, null, 1));
  assert.equal(doc.openapi, "3.1.0");
  assert.ok(Array.isArray(doc.servers) && doc.servers.length > 0, "servers entry");
  assert.equal(typeof doc.servers[0].url, "string");
  // A media type has no `description` (the validator's first complaint before).
  const sse = doc.paths["/v1/chat/completions"].post.responses["200"].content["text/event-stream"];
  assert.deepEqual(Object.keys(sse), ["schema"]);
});

Deno.test("request schemas are generated from zod: enums, ranges, nested types", async () => {
  const { doc, app } = await documentOf();
  await using _ = app;
  const schemas = doc.components.schemas;
  const request = schemas.OpenAIChatRequest;
  assert.deepEqual(request.required, ["model", "messages"]);
  assert.deepEqual(
    request.properties.reasoning_effort.anyOf[0].enum,
    chatRequestSchema.shape.reasoning_effort.unwrap().unwrap().options,
  );
  assert.equal(request.properties.temperature.anyOf[0].maximum, 2);
  assert.deepEqual(request.properties.messages.items, { $ref: "#/components/schemas/ChatMessage" });
  assert.deepEqual(
    schemas.ChatMessage.oneOf.map((s: Json) => s.$ref.split("/").pop()),
    ["SystemMessage", "DeveloperMessage", "UserMessage", "AssistantMessage", "ToolMessage"],
  );
  assert.deepEqual(schemas.ToolChoice.anyOf[0].enum, ["none", "auto", "required"]);
  assert.equal(schemas.Tool.properties.function.properties.name.pattern, "^[a-zA-Z0-9_-]+$");
  assert.ok(schemas.BedrockClaudeRequest.required.includes("anthropic_version"));
  assert.ok(
    !("anthropic_version" in Object.fromEntries(
      (schemas.MessagesRequest.required as string[]).map((k) => [k, 1]),
    )),
  );
  assert.equal(schemas.TitanGenerationConfig.properties.temperature.maximum, 1);
});

Deno.test("the document accepts exactly the bodies the zod validators accept", async () => {
  const { doc, app } = await documentOf();
  await using _ = app;
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv2020 as any)({ strict: false });
  ajv.addSchema({ $id: "https://gateway.test/openapi.json", components: doc.components });
  const check = (name: string) =>
    ajv.getSchema(`https://gateway.test/openapi.json#/components/schemas/${name}`);
  const user = [{ role: "user", content: "Hi" }];
  const rows: Array<[string, { safeParse(v: unknown): { success: boolean } }, unknown]> = [
    ["OpenAIChatRequest", chatRequestSchema, { model: "m", messages: user }],
    ["OpenAIChatRequest", chatRequestSchema, { model: "m", messages: [] }],
    ["OpenAIChatRequest", chatRequestSchema, { model: "", messages: user }],
    ["OpenAIChatRequest", chatRequestSchema, { model: "m", messages: user, temperature: 2.5 }],
    ["OpenAIChatRequest", chatRequestSchema, { model: "m", messages: user, temperature: null }],
    ["OpenAIChatRequest", chatRequestSchema, { model: "m", messages: user, n: 0 }],
    ["OpenAIChatRequest", chatRequestSchema, { model: "m", messages: user, stop: ["a", "b"] }],
    ["OpenAIChatRequest", chatRequestSchema, {
      model: "m",
      messages: user,
      stop: ["a", "b", "c", "d", "e"],
    }],
    ["OpenAIChatRequest", chatRequestSchema, {
      model: "m",
      messages: user,
      reasoning_effort: "extreme",
    }],
    ["OpenAIChatRequest", chatRequestSchema, {
      model: "m",
      messages: [{ role: "wizard", content: "x" }],
    }],
    ["OpenAIChatRequest", chatRequestSchema, {
      model: "m",
      messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "" } }] }],
    }],
    ["OpenAIChatRequest", chatRequestSchema, {
      model: "m",
      messages: user,
      tools: [{ type: "function", function: { name: "bad name!" } }],
    }],
    ["OpenAIChatRequest", chatRequestSchema, {
      model: "m",
      messages: user,
      tool_choice: { type: "function", function: { name: "f" } },
      response_format: { type: "json_schema", json_schema: { name: "x", schema: {} } },
      custom_field: [1],
    }],
    ["MessagesRequest", messagesApiRequestSchema, { model: "m", max_tokens: 5, messages: user }],
    ["MessagesRequest", messagesApiRequestSchema, { model: "m", max_tokens: 0, messages: user }],
    ["MessagesRequest", messagesApiRequestSchema, {
      model: "m",
      max_tokens: 5,
      messages: user,
      thinking: { type: "enabled", budget_tokens: 1024 },
    }],
    ["CountTokensRequest", countTokensRequestSchema, { model: "m", messages: user }],
    ["CountTokensRequest", countTokensRequestSchema, { model: "m", messages: [] }],
    ["CountTokensRequest", countTokensRequestSchema, { messages: user }],
    ["CountTokensRequest", countTokensRequestSchema, {
      model: "m",
      messages: user,
      file_ids: ["file-1"],
    }],
    ["CountTokensRequest", countTokensRequestSchema, {
      model: "m",
      messages: user,
      system: "Be brief.",
      tools: [{ name: "f", input_schema: { type: "object" } }],
      tool_choice: { type: "any" },
      thinking: { type: "enabled", budget_tokens: 1024 },
    }],
    ["BedrockTitanRequest", titanRequestSchema, { model: "m", inputText: "Hi" }],
    ["BedrockTitanRequest", titanRequestSchema, {
      model: "m",
      inputText: "Hi",
      textGenerationConfig: { temperature: 1.5 },
    }],
  ];
  for (const [name, zod, body] of rows) {
    const validate = check(name);
    assert.ok(validate, name);
    assert.equal(
      validate(body),
      zod.safeParse(body).success,
      `${name} and zod disagree on ${JSON.stringify(body)}: ${JSON.stringify(validate.errors)}`,
    );
  }
});

Deno.test("response schemas match what the gateway answers", async () => {
  const { doc, app } = await documentOf();
  await using _ = app;
  const check = componentValidator(doc);
  const auth = { authorization: `Bearer ${KEY}` };
  const gw = app.gw;
  const body = { model: "mock-echo", messages: [{ role: "user", content: "Hello there" }] };
  check(
    "ChatCompletion",
    await (await gw.post("/v1/chat/completions", body, auth)).json(),
    "completion",
  );
  const chunks = await readDataEvents(
    await gw.post("/v1/chat/completions", {
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    }, auth),
  );
  for (const chunk of chunks.slice(0, -1)) check("ChatCompletionChunk", chunk, "chunk");
  check(
    "ClaudeMessage",
    await (await gw.post("/v1/chat/completions?target_format=bedrock_claude", body, auth)).json(),
    "Claude-format answer",
  );
  check(
    "TitanResponse",
    await (await gw.post("/v1/chat/completions?target_format=bedrock_titan", body, auth)).json(),
    "Titan-format answer",
  );
  check(
    "ClaudeMessage",
    await (await gw.post("/v1/messages", { ...body, max_tokens: 20 }, auth)).json(),
    "/v1/messages",
  );
  check(
    "AnthropicError",
    await (await gw.post("/v1/messages", { model: "mock-echo" }, auth)).json(),
    "/v1/messages error",
  );
  const count = { model: "mock-echo", messages: [{ role: "user", content: "Hello" }] };
  check(
    "TokenCount",
    await (await gw.post("/v1/messages/count_tokens", count, auth)).json(),
    "/v1/messages/count_tokens",
  );
  check(
    "AnthropicError",
    await (await gw.post("/v1/messages/count_tokens", { model: "mock-echo" }, auth)).json(),
    "/v1/messages/count_tokens error",
  );
  check("ModelList", await (await gw.get("/v1/models", auth)).json(), "model list");
  check("Model", await (await gw.get("/v1/models/mock-echo", auth)).json(), "model");
  check("ErrorEnvelope", await (await gw.get("/v1/models/nope", auth)).json(), "404");
  check("ErrorEnvelope", await (await gw.get("/v1/models")).json(), "401");
  check("FileList", await (await gw.get("/v1/files", auth)).json(), "empty file list");
  const file = await (await upload(gw, uploadForm("hi", "a.txt", "user_data"), auth)).json();
  check("File", file, "file");
  check("FileList", await (await gw.get("/v1/files", auth)).json(), "file list");
  const deleted = await gw.request(`/v1/files/${file.id}`, { method: "DELETE", headers: auth });
  check("FileDeleted", await deleted.json(), "deleted file");
  check("Health", await (await gw.get("/health")).json(), "health");
});

Deno.test("/docs renders enums, nested types and links between schemas", async () => {
  const { app } = await documentOf();
  await using _ = app;
  const html = await (await app.gw.get("/docs")).text();
  assert.ok(html.includes("&quot;minimal&quot; | &quot;low&quot;"), "reasoning_effort enum");
  assert.ok(html.includes('id="schema-ChatMessage"'));
  assert.ok(html.includes('<a href="#schema-ChatMessage">ChatMessage</a>[]'), "linked nested type");
  assert.ok(html.includes("number [0…2] | null"), "temperature range");
  assert.ok(/<code>function<\/code> \(required\)[^]*?<code>name<\/code> \(required\)/.test(html));
  assert.ok(!html.includes("&lt;id&gt;") && !html.includes("{…}"), "no placeholders");
});

const unescape = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

Deno.test("every curl example on /docs runs as written against a live gateway", async () => {
  const { app } = await documentOf();
  await using _ = app;
  const html = await (await app.gw.get("/docs")).text();
  const examples = [...html.matchAll(/<pre>([^]*?)<\/pre>/g)].map((m) => unescape(m[1]));
  assert.ok(examples.length >= 15, `${examples.length} examples`);
  assert.ok(examples.some((e) => e.includes("/v1/messages/count_tokens")), "count_tokens example");
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    app.gw.handler,
  );
  const env: Record<string, string> = {
    GATEWAY_URL: `http://127.0.0.1:${server.addr.port}`,
    API_KEY: KEY,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  };
  for (const example of examples) {
    assert.ok(!/<\w+>|…/.test(example.replace(/\$\w+/g, "")), `placeholder in ${example}`);
    // As written, plus: silent, and the status code on the last line.
    const script = `set -eo pipefail\n${example} -s -w '\\n%{http_code}'`;
    const out = await new Deno.Command("bash", {
      args: ["-c", script],
      env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, `${example}\n${new TextDecoder().decode(out.stderr)}`);
    const status = Number(stdout.slice(stdout.lastIndexOf("\n") + 1));
    assert.ok(status >= 200 && status < 300, `${example}\n→ ${status}: ${stdout.slice(0, 500)}`);
    if (example.includes("-F 'file=")) {
      env.FILE_ID = JSON.parse(stdout.slice(0, stdout.lastIndexOf("\n"))).id;
    }
    if (example.includes('-X POST "$GATEWAY_URL/admin/keys"')) {
      env.KEY_ID = JSON.parse(stdout.slice(0, stdout.lastIndexOf("\n"))).id;
    }
    if (example.includes('/v1/responses"')) {
      env.RESPONSE_ID = JSON.parse(stdout.slice(0, stdout.lastIndexOf("\n"))).id;
    }
  }
  assert.ok(env.FILE_ID?.startsWith("file-"), "the upload example ran");
  assert.ok(env.RESPONSE_ID?.startsWith("resp_"), "the Responses example ran");
  assert.ok(env.KEY_ID?.startsWith("key_"), "the create key example ran");
  assert.ok(examples.some((e) => e.includes('-X DELETE "$GATEWAY_URL/admin/keys/$KEY_ID"')));
  assert.ok(examples.some((e) => e.includes("$RESPONSE_ID/input_items")), "input_items example");
});

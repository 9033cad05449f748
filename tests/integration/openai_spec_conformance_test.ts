/**
 * Every OpenAI-shaped answer of every provider path, validated against the schemas of the
 * official OpenAI OpenAPI document (vendored in tests/fixtures/openapi/): completions, stream
 * chunks, model lists, file objects and error envelopes — from the mock models, OpenAI (the fake
 * upstream behind the real SDK), Bedrock Converse and native Claude / Titan (the fake runtime
 * behind the real AWS SDK).
 */
import assert from "node:assert/strict";
import {
  completion,
  errorReply,
  streamReply,
  textDeltas,
  toolCallDeltas,
} from "../fakes/openai_upstream.ts";
import { converseText, textFrames } from "../fakes/bedrock_runtime.ts";
import type { TestApp } from "../helpers/app.ts";
import { assertSchema, openaiValidator } from "../helpers/openai_schemas.ts";
import { readDataEvents } from "../helpers/sse.ts";
import { filesApp, upload, uploadForm } from "./files_helpers.ts";
import {
  CLAUDE_MODEL,
  claudeBody,
  claudeMessage,
  claudeTextEvents,
  formatsGateway,
  MOCK_MODEL,
  nativeJson,
  nativeStream,
  NOVA_MODEL,
  OPENAI_MODEL,
  openaiBody,
  TITAN_MODEL,
  titanBody,
  titanChunks,
  titanResult,
} from "./formats_harness.ts";

const COMPLETION = openaiValidator("CreateChatCompletionResponse");
const CHUNK = openaiValidator("CreateChatCompletionStreamResponse");
const MODEL_LIST = openaiValidator("ListModelsResponse");
const MODEL = openaiValidator("Model");
const FILE = openaiValidator("OpenAIFile");
const FILE_LIST = openaiValidator("ListFilesResponse");
const FILE_DELETED = openaiValidator("DeleteFileResponse");
const ERROR = openaiValidator("ErrorResponse");

const WEATHER_TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather of a city",
    parameters: { type: "object", properties: { city: { type: "string" } } },
  },
};

async function completionOf(gw: TestApp, path: string, body: unknown, what: string) {
  const res = await gw.post(path, body);
  const json = await res.json();
  assert.equal(res.status, 200, `${what}: ${JSON.stringify(json)}`);
  assertSchema(COMPLETION, json, what);
  return json;
}

async function chunksOf(gw: TestApp, path: string, body: unknown, what: string) {
  const res = await gw.post(path, body);
  assert.equal(res.status, 200, what);
  const events = await readDataEvents(res);
  assert.equal(events.at(-1), "[DONE]", `${what}: ends with [DONE]`);
  const chunks = events.slice(0, -1);
  assert.ok(chunks.length > 1, `${what}: no chunks`);
  chunks.forEach((chunk, i) => assertSchema(CHUNK, chunk, `${what}, chunk ${i}`));
  return chunks;
}

async function errorOf(res: Response, status: number, what: string) {
  const json = await res.json();
  assert.equal(res.status, status, `${what}: ${JSON.stringify(json)}`);
  assertSchema(ERROR, json, what);
}

Deno.test("OpenAI spec: mock models — completion, chunks, errors", async () => {
  await using h = await formatsGateway();
  const done = await completionOf(
    h.gw,
    "/v1/chat/completions",
    openaiBody(MOCK_MODEL),
    "mock completion",
  );
  assert.equal(done.choices[0].message.refusal, null);
  await chunksOf(
    h.gw,
    "/v1/chat/completions",
    openaiBody(MOCK_MODEL, { stream: true, stream_options: { include_usage: true } }),
    "mock stream",
  );
  await errorOf(
    await h.gw.post("/v1/chat/completions", openaiBody("mock-nonexistent")),
    404,
    "unknown model",
  );
  await errorOf(
    await h.gw.post("/v1/chat/completions", { model: MOCK_MODEL, messages: [] }),
    400,
    "empty messages",
  );
  await errorOf(await h.gw.post("/v1/chat/completions", "{not json"), 400, "malformed JSON");
  await errorOf(
    await h.gw.post("/v1/chat/completions", openaiBody(MOCK_MODEL, { temperature: 3 })),
    400,
    "temperature out of range",
  );
  await errorOf(await h.gw.get("/v1/nowhere"), 404, "unknown route");
  await errorOf(await h.gw.get("/v1/chat/completions"), 405, "wrong method");
});

Deno.test("OpenAI spec: missing or wrong client key is an OpenAI error", async () => {
  await using h = await formatsGateway({ API_KEY: "sk-gw-test" });
  await errorOf(
    await h.gw.post("/v1/chat/completions", openaiBody(MOCK_MODEL)),
    401,
    "no key",
  );
  await errorOf(
    await h.gw.get("/v1/models", { authorization: "Bearer wrong" }),
    401,
    "wrong key",
  );
});

Deno.test("OpenAI spec: OpenAI upstream — completion, tool calls, chunks, upstream error", async () => {
  await using h = await formatsGateway();
  h.openai.script(completion({ content: "Bonjour" }));
  await completionOf(h.gw, "/v1/chat/completions", openaiBody(OPENAI_MODEL), "OpenAI completion");
  h.openai.script(streamReply(textDeltas(["Bon", "jour"])));
  await chunksOf(
    h.gw,
    "/v1/chat/completions",
    openaiBody(OPENAI_MODEL, { stream: true, stream_options: { include_usage: true } }),
    "OpenAI stream",
  );
  h.openai.script(
    streamReply(
      toolCallDeltas([{
        id: "call_1",
        name: "get_weather",
        argumentFragments: ['{"city":', '"P"}'],
      }]),
    ),
  );
  await chunksOf(
    h.gw,
    "/v1/chat/completions",
    openaiBody(OPENAI_MODEL, { stream: true, tools: [WEATHER_TOOL] }),
    "OpenAI tool-call stream",
  );
  h.openai.script(errorReply(429));
  await errorOf(
    await h.gw.post("/v1/chat/completions", openaiBody(OPENAI_MODEL)),
    429,
    "OpenAI upstream throttling",
  );
});

Deno.test("OpenAI spec: Bedrock Converse — completion, tool calls, chunks, upstream errors", async () => {
  await using h = await formatsGateway();
  h.bedrock.enqueue(converseText("Hello"));
  const done = await completionOf(
    h.gw,
    "/v1/chat/completions",
    openaiBody(NOVA_MODEL),
    "Converse completion",
  );
  assert.equal(done.choices[0].message.refusal, null);

  h.bedrock.enqueue({
    kind: "json",
    body: {
      output: {
        message: {
          role: "assistant",
          content: [
            { text: "Let me look." },
            { toolUse: { toolUseId: "tooluse_1", name: "get_weather", input: { city: "Paris" } } },
          ],
        },
      },
      stopReason: "tool_use",
      usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 },
    },
  });
  const tools = await completionOf(
    h.gw,
    "/v1/chat/completions",
    openaiBody(NOVA_MODEL, { tools: [WEATHER_TOOL] }),
    "Converse tool call",
  );
  assert.equal(tools.choices[0].finish_reason, "tool_calls");

  h.bedrock.enqueue({ kind: "stream", frames: textFrames(["Hel", "lo"]) });
  await chunksOf(
    h.gw,
    "/v1/chat/completions",
    openaiBody(NOVA_MODEL, { stream: true, stream_options: { include_usage: true } }),
    "Converse stream",
  );

  // An exception after the first events: the stream's last event is an OpenAI error object.
  h.bedrock.enqueue({
    kind: "stream",
    frames: [
      ...textFrames(["Hel"]).slice(0, 3),
      { exception: "ModelStreamErrorException", message: "model stream broke" },
    ],
  });
  const broken = await h.gw.post(
    "/v1/chat/completions",
    openaiBody(NOVA_MODEL, { stream: true }),
  );
  assert.equal(broken.status, 200);
  const events = (await readDataEvents(broken)).filter((e) => e !== "[DONE]");
  const last = events.pop() as Record<string, unknown>;
  assert.ok("error" in last, JSON.stringify(last));
  assertSchema(ERROR, last, "late stream error");
  events.forEach((chunk, i) => assertSchema(CHUNK, chunk, `broken stream, chunk ${i}`));

  h.bedrock.enqueue({ kind: "error", type: "ValidationException", message: "bad input" });
  await errorOf(
    await h.gw.post("/v1/chat/completions", openaiBody(NOVA_MODEL)),
    400,
    "Bedrock validation error",
  );
  h.bedrock.enqueue({ kind: "error", type: "ThrottlingException", message: "slow down" });
  await errorOf(
    await h.gw.post("/v1/chat/completions", openaiBody(NOVA_MODEL)),
    429,
    "Bedrock throttling",
  );
  await errorOf(
    await h.gw.post("/v1/chat/completions", openaiBody(NOVA_MODEL, { n: 2 })),
    400,
    "parameter Bedrock cannot honour",
  );
});

Deno.test("OpenAI spec: native Claude and Titan answered in OpenAI format", async () => {
  await using h = await formatsGateway();
  h.bedrock.enqueue(nativeJson(claudeMessage("Hello")));
  const claude = await completionOf(
    h.gw,
    "/v1/chat/completions?target_format=openai",
    claudeBody(CLAUDE_MODEL),
    "native Claude → OpenAI completion",
  );
  assert.equal(claude.choices[0].message.refusal, null);
  h.bedrock.enqueue(nativeStream(claudeTextEvents(["Hel", "lo"])));
  await chunksOf(
    h.gw,
    "/v1/chat/completions?target_format=openai",
    claudeBody(CLAUDE_MODEL, { stream: true }),
    "native Claude → OpenAI stream",
  );

  h.bedrock.enqueue(nativeJson(titanResult("Hello")));
  const titan = await completionOf(
    h.gw,
    "/v1/chat/completions?target_format=openai",
    titanBody(TITAN_MODEL),
    "native Titan → OpenAI completion",
  );
  assert.equal(titan.choices[0].message.refusal, null);
  h.bedrock.enqueue(nativeStream(titanChunks(["Hel", "lo"])));
  await chunksOf(
    h.gw,
    "/v1/chat/completions?target_format=openai",
    titanBody(TITAN_MODEL, { stream: true }),
    "native Titan → OpenAI stream",
  );
});

Deno.test("OpenAI spec: model list and single models of every provider", async () => {
  await using h = await formatsGateway();
  const res = await h.gw.get("/v1/models");
  const list = await res.json();
  assert.equal(res.status, 200);
  assertSchema(MODEL_LIST, list, "model list");
  const owners = new Set(list.data.map((m: { owned_by: string }) => m.owned_by));
  assert.ok(owners.size >= 2, `several providers listed: ${[...owners]}`);
  for (const id of [MOCK_MODEL, list.data.at(-1).id]) {
    const one = await h.gw.get(`/v1/models/${id}`);
    assert.equal(one.status, 200, id);
    assertSchema(MODEL, await one.json(), `model ${id}`);
  }
  await errorOf(await h.gw.get("/v1/models/no-such-model"), 404, "unknown model id");
});

Deno.test("OpenAI spec: file objects, lists (empty and full), deletion and file errors", async () => {
  await using app = await filesApp();
  const empty = await (await app.gw.get("/v1/files")).json();
  assertSchema(FILE_LIST, empty, "empty file list");
  const res = await upload(app.gw, uploadForm("hello files\n", "notes.txt", "user_data"));
  const file = await res.json();
  assert.equal(res.status, 200);
  assertSchema(FILE, file, "uploaded file");
  assertSchema(FILE, await (await app.gw.get(`/v1/files/${file.id}`)).json(), "file metadata");
  assertSchema(FILE_LIST, await (await app.gw.get("/v1/files")).json(), "file list");
  const deleted = await app.gw.request(`/v1/files/${file.id}`, { method: "DELETE" });
  assert.equal(deleted.status, 200);
  assertSchema(FILE_DELETED, await deleted.json(), "deleted file");
  await errorOf(await app.gw.get(`/v1/files/${file.id}`), 404, "deleted file again");
  await errorOf(
    await upload(app.gw, uploadForm("x", "x.txt", "not-a-purpose")),
    400,
    "bad purpose",
  );
  await errorOf(await app.gw.get("/v1/files?limit=0"), 400, "bad list limit");
});

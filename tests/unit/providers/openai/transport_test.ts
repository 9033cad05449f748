/**
 * The OpenAI transport against the fake upstream (OpenAI's wire format): the request it sends,
 * and failures reported with the `openai` SDK's own error classes, as the SDK would.
 */
import assert from "node:assert/strict";
import {
  APIConnectionError,
  APIUserAbortError,
  BadRequestError,
  InternalServerError,
  RateLimitError,
} from "openai";
import { createOpenAITransport } from "../../../../core/providers/openai/transport.ts";
import { mapOpenAIError } from "../../../../core/providers/openai/errors.ts";
import { completion, errorReply, hang, startFakeOpenAI } from "../../../fakes/openai_upstream.ts";
import { freePort } from "../../../helpers/server.ts";

const body = { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] };

Deno.test("transport: one POST with the key, JSON in and out", async () => {
  await using fake = await startFakeOpenAI({ requireKey: "sk-t" });
  fake.script(completion({ content: "Hello" }));
  const transport = createOpenAITransport({ apiKey: "sk-t", baseURL: fake.url });
  const response = await transport.post("/chat/completions", body, new AbortController().signal);
  assert.equal(response.status, 200);
  assert.equal((await response.json()).choices[0].message.content, "Hello");
  const sent = fake.chatRequests[0];
  assert.deepEqual(sent.body, body);
  assert.equal(sent.headers.get("authorization"), "Bearer sk-t");
  assert.equal(sent.headers.get("content-type"), "application/json");
});

Deno.test("transport: organization and project headers when configured", async () => {
  await using fake = await startFakeOpenAI();
  fake.script(completion({ content: "Hello" }), completion({ content: "Hello" }));
  const signal = new AbortController().signal;
  await createOpenAITransport({
    apiKey: "k",
    baseURL: fake.url,
    organization: "org-1",
    project: "proj-1",
  })
    .post("/chat/completions", body, signal).then((r) => r.body?.cancel());
  await createOpenAITransport({ apiKey: "k", baseURL: fake.url })
    .post("/chat/completions", body, signal).then((r) => r.body?.cancel());
  const [withIds, without] = fake.chatRequests;
  assert.equal(withIds.headers.get("openai-organization"), "org-1");
  assert.equal(withIds.headers.get("openai-project"), "proj-1");
  assert.equal(without.headers.get("openai-organization"), null);
});

Deno.test("transport: statuses become the SDK's error classes, with the upstream's error", async (t) => {
  await using fake = await startFakeOpenAI();
  const transport = createOpenAITransport({ apiKey: "k", baseURL: fake.url });
  const rows = [
    { status: 400, type: BadRequestError, param: "messages" },
    { status: 429, type: RateLimitError, param: null },
    { status: 503, type: InternalServerError, param: null },
  ];
  for (const row of rows) {
    await t.step(`${row.status}`, async () => {
      fake.script(
        errorReply(row.status, {
          message: `failed ${row.status}`,
          param: row.param,
          retryAfter: 2,
        }),
      );
      const error = await transport.post("/chat/completions", body, new AbortController().signal)
        .then(() => undefined, (e) => e);
      assert.ok(error instanceof row.type, String(error));
      assert.equal(error.status, row.status);
      assert.match(error.message, new RegExp(`failed ${row.status}`));
      const mapped = mapOpenAIError(error);
      if (row.status === 429) assert.equal(mapped.retryAfterSeconds, 2);
      if (row.param !== null) assert.equal(mapped.param, row.param);
    });
  }
});

Deno.test("transport: a refused connection and an abort are the SDK's connection errors", async () => {
  const refused = createOpenAITransport({
    apiKey: "k",
    baseURL: `http://127.0.0.1:${freePort()}/v1`,
  });
  const error = await refused.post("/chat/completions", body, new AbortController().signal)
    .then(() => undefined, (e) => e);
  assert.ok(error instanceof APIConnectionError, String(error));
  assert.equal(mapOpenAIError(error).kind, "unavailable");

  await using fake = await startFakeOpenAI();
  fake.script(hang());
  const transport = createOpenAITransport({ apiKey: "k", baseURL: fake.url });
  const controller = new AbortController();
  const pending = transport.post("/chat/completions", body, controller.signal).then(
    () => undefined,
    (e) => e,
  );
  setTimeout(() => controller.abort(), 20);
  assert.ok((await pending) instanceof APIUserAbortError);
});

/**
 * What an `openai` instance lists when its upstream's `GET /models` fails: OpenAI's known models
 * for api.openai.com (the kind's real instance, its fetch rewritten to a failing fake), none for
 * any other server; with `models` set, those ids and no call at all.
 */
import assert from "node:assert/strict";
import { fallbackModelsFor, openaiKind } from "../../../../core/providers/openai/kind.ts";
import { KNOWN_OPENAI_MODELS } from "../../../../core/providers/openai/models.ts";
import { errorReply, startFakeOpenAI } from "../../../fakes/openai_upstream.ts";
import { testRuntime } from "../../../helpers/providers.ts";

const OPENAI = "https://api.openai.com/v1";

Deno.test("fallbackModelsFor: the known list for api.openai.com only", () => {
  assert.deepEqual(fallbackModelsFor(OPENAI), KNOWN_OPENAI_MODELS);
  assert.deepEqual(fallbackModelsFor("http://127.0.0.1:11434/v1"), []);
  assert.deepEqual(fallbackModelsFor("https://proxy.example/api.openai.com/v1"), []);
});

/** An instance of the real kind whose requests to api.openai.com go to `fake` instead. */
function instanceOn(fakeUrl: string, settings: Record<string, unknown>) {
  const runtime = {
    ...testRuntime(),
    fetch:
      ((input: string | URL | Request, init?: RequestInit) =>
        fetch(String(input).replace(OPENAI, fakeUrl), init)) as typeof fetch,
  };
  return openaiKind.create("openai", openaiKind.settings.parse(settings), runtime).provider;
}

Deno.test("api.openai.com whose list fails: OpenAI's known models, owned by the instance", async () => {
  await using fake = await startFakeOpenAI();
  fake.scriptModels(errorReply(500));
  const models = await instanceOn(fake.url, { api_key: "k" }).listModels();
  assert.deepEqual(models.map((m) => m.id), KNOWN_OPENAI_MODELS);
  assert.ok(models.every((m) => m.owned_by === "openai"));
  assert.equal(fake.requests.filter((r) => r.path === "/v1/models").length, 1);
});

Deno.test("models set: exactly those, owned by the instance, the upstream not asked", async () => {
  await using fake = await startFakeOpenAI();
  const models = await instanceOn(fake.url, { api_key: "k", models: ["gpt-4o", "o3"] })
    .listModels();
  assert.deepEqual(models, [
    { id: "gpt-4o", object: "model", created: 0, owned_by: "openai" },
    { id: "o3", object: "model", created: 0, owned_by: "openai" },
  ]);
  assert.equal(fake.requests.length, 0);
});

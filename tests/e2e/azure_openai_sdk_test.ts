/**
 * The `azure_openai` kind end to end: the spawned gateway with a config file of Azure instances
 * (an api-key one, an Entra ID one, one with a wrong key, one without credentials) in front of
 * the fake Azure resource, driven by the official `openai` client pointed at the gateway. Chats
 * (JSON, streamed, through the Responses API) and embeddings reach the deployment the instance
 * maps the model to, with Azure's URL, `api-version` and credential header; Azure's failures
 * surface as for the openai kind; no credential reaches the logs.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import {
  azureCall,
  completion,
  DEFAULT_USAGE,
  type FakeAzureOpenAI,
  type RecordedRequest,
  startFakeAzureOpenAI,
  streamReply,
  textDeltas,
} from "../fakes/azure_openai_upstream.ts";
import { type SpawnedGateway, spawnGateway } from "../helpers/server.ts";

const KEY = "azure-e2e-key-0123456789";
const TOKEN = "entra-e2e-token-0123456789";
const USER = [{ role: "user" as const, content: "Say hello" }];

const FILE = `providers:
  azure:
    kind: azure_openai
    endpoint: "\${AZURE_ENDPOINT}"
    api_key: "\${AZURE_KEY}"
    deployments:
      gpt-4o: prod-4o
      text-embedding-3-small: embed-small
    headers:
      x-team: gateway-tests
  azure-entra:
    kind: azure_openai
    endpoint: "\${AZURE_ENDPOINT}/"
    azure_ad_token: "\${AZURE_TOKEN}"
    api_version: 2025-01-01-preview
    deployments: {gpt-4o-mini: mini}
  azure-bad:
    kind: azure_openai
    endpoint: "\${AZURE_ENDPOINT}"
    api_key: wrong-key
  azure-none:
    kind: azure_openai
    endpoint: "\${AZURE_ENDPOINT}"
  mock: {kind: mock}
`;

interface Setup extends AsyncDisposable {
  azure: FakeAzureOpenAI;
  gw: SpawnedGateway;
  client: OpenAI;
}

async function setup(): Promise<Setup> {
  const azure = await startFakeAzureOpenAI({
    apiKey: KEY,
    adToken: TOKEN,
    deployments: ["prod-4o", "embed-small", "mini", "gpt-35-turbo"],
  });
  const gw = await spawnGateway(
    { AZURE_ENDPOINT: azure.endpoint, AZURE_KEY: KEY, AZURE_TOKEN: TOKEN },
    { files: { "gateway.yaml": FILE } },
  );
  const client = new OpenAI({ apiKey: "unused", baseURL: `${gw.url}/v1`, maxRetries: 0 });
  return {
    azure,
    gw,
    client,
    async [Symbol.asyncDispose]() {
      await gw.stop();
      await azure.close();
    },
  };
}

const last = (requests: RecordedRequest[]) => requests[requests.length - 1];

Deno.test("azure_openai: the openai client chats through the gateway to Azure deployments", async (t) => {
  await using s = await setup();
  const { azure, client } = s;

  await t.step("JSON: azure/gpt-4o goes to deployment prod-4o with the api-key", async () => {
    azure.script(completion({ content: "Hello from Azure", usage: DEFAULT_USAGE }));
    const answer = await client.chat.completions.create({ model: "azure/gpt-4o", messages: USER });
    assert.equal(answer.choices[0].message.content, "Hello from Azure");
    assert.equal(answer.usage?.total_tokens, DEFAULT_USAGE.total_tokens);
    const sent = last(azure.chatRequests);
    assert.equal(sent.path, "/openai/deployments/prod-4o/chat/completions");
    assert.equal(sent.search, "?api-version=2024-10-21");
    assert.deepEqual(azureCall(sent), {
      deployment: "prod-4o",
      operation: "chat/completions",
      apiVersion: "2024-10-21",
      apiKey: KEY,
      authorization: null,
    });
    assert.equal(sent.headers.get("x-team"), "gateway-tests");
    assert.equal((sent.body as { model: string }).model, "gpt-4o");
  });

  await t.step("stream: deltas come back in order, usage asked upstream", async () => {
    azure.script(streamReply(textDeltas(["Hel", "lo", "!"]), { usage: DEFAULT_USAGE }));
    const stream = await client.chat.completions.create({
      model: "azure/gpt-4o",
      messages: USER,
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    assert.equal(text, "Hello!");
    const sent = last(azure.chatRequests);
    assert.equal(azureCall(sent).deployment, "prod-4o");
    assert.equal((sent.body as { stream: boolean }).stream, true);
  });

  await t.step("a model without a mapping goes to the deployment of its own name", async () => {
    azure.script(completion({ content: "turbo", usage: DEFAULT_USAGE }));
    const answer = await client.chat.completions.create({
      model: "azure/gpt-35-turbo",
      messages: USER,
    });
    assert.equal(answer.choices[0].message.content, "turbo");
    assert.equal(
      last(azure.chatRequests).path,
      "/openai/deployments/gpt-35-turbo/chat/completions",
    );
  });

  await t.step("Entra ID: a bearer token, no api-key, the instance's api-version", async () => {
    azure.script(streamReply(textDeltas(["entra"]), { usage: DEFAULT_USAGE }));
    const stream = await client.chat.completions.create({
      model: "azure-entra/gpt-4o-mini",
      messages: USER,
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    assert.equal(text, "entra");
    assert.deepEqual(azureCall(last(azure.chatRequests)), {
      deployment: "mini",
      operation: "chat/completions",
      apiVersion: "2025-01-01-preview",
      apiKey: null,
      authorization: `Bearer ${TOKEN}`,
    });
  });

  await t.step(
    "Responses API: through the hub, as a chat completion on the deployment",
    async () => {
      azure.script(completion({ content: "via responses", usage: DEFAULT_USAGE }));
      const response = await client.responses.create({ model: "azure/gpt-4o", input: "Hi" });
      assert.equal(response.output_text, "via responses");
      assert.equal(azure.responsesRequests.length, 0);
      assert.equal(azureCall(last(azure.chatRequests)).deployment, "prod-4o");
    },
  );

  await t.step("embeddings go to the embedding deployment", async () => {
    const result = await client.embeddings.create({
      model: "azure/text-embedding-3-small",
      input: ["one", "two"],
    });
    assert.equal(result.data.length, 2);
    const sent = last(azure.embeddingRequests);
    assert.equal(sent.path, "/openai/deployments/embed-small/embeddings");
    assert.equal(azureCall(sent).apiVersion, "2024-10-21");
    assert.equal(azureCall(sent).apiKey, KEY);
  });

  await t.step("/v1/models: each instance's mapped model ids, no upstream call", async () => {
    const ids = [];
    for await (const model of client.models.list()) {
      if (model.owned_by.startsWith("azure")) ids.push(`${model.owned_by}:${model.id}`);
    }
    assert.deepEqual(ids.sort(), [
      "azure-entra:gpt-4o-mini",
      "azure:gpt-4o",
      "azure:text-embedding-3-small",
    ]);
    assert.equal(azure.requests.filter((r) => r.path.endsWith("/models")).length, 0);
  });

  assert.equal(azure.remaining, 0, "every scripted reply was used");
  for (const secret of [KEY, TOKEN]) {
    assert.ok(!s.gw.stdout().includes(secret), "no credential in the logs");
  }
});

Deno.test("azure_openai: Azure's failures map as the openai kind's do", async (t) => {
  await using s = await setup();
  const { azure, client } = s;
  const chat = (model = "azure/gpt-4o", stream = false) =>
    stream
      ? client.chat.completions.create({ model, messages: USER, stream: true }).then(
        async (events) => {
          for await (const _ of events) { /* drain */ }
        },
      )
      : client.chat.completions.create({ model, messages: USER });
  const azureError = (status: number, headers: Record<string, string> = {}) => ({
    kind: "json" as const,
    status,
    headers,
    body: { error: { code: String(status), message: `Azure says ${status}` } },
  });
  const cases = [
    {
      name: "a wrong key: Azure's 401 → 403 upstream_access_denied",
      call: () => chat("azure-bad/gpt-4o"),
      errorClass: OpenAI.PermissionDeniedError,
      status: 403,
      code: "upstream_access_denied",
    },
    {
      name: "429 with Retry-After → RateLimitError, retry-after passed on",
      arrange: () => azure.script(azureError(429, { "retry-after": "3" })),
      call: () => chat(),
      errorClass: OpenAI.RateLimitError,
      status: 429,
      code: "rate_limit_exceeded",
      retryAfter: "3",
    },
    {
      name: "429 on a stream → RateLimitError before any chunk",
      arrange: () => azure.script(azureError(429, { "retry-after": "1" })),
      call: () => chat("azure/gpt-4o", true),
      errorClass: OpenAI.RateLimitError,
      status: 429,
      code: "rate_limit_exceeded",
      retryAfter: "1",
    },
    {
      name: "500 → InternalServerError (502 upstream_error)",
      arrange: () => azure.script(azureError(500)),
      call: () => chat(),
      errorClass: OpenAI.InternalServerError,
      status: 502,
      code: "upstream_error",
    },
    {
      name: "no credentials → 503 provider_not_configured",
      call: () => chat("azure-none/gpt-4o"),
      errorClass: OpenAI.InternalServerError,
      status: 503,
      code: "provider_not_configured",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, async () => {
      c.arrange?.();
      await assert.rejects(c.call(), (error: unknown) => {
        assert.ok(error instanceof c.errorClass, String(error));
        assert.equal(error.status, c.status);
        assert.equal(error.code, c.code);
        if (c.retryAfter !== undefined) {
          assert.equal(error.headers?.get("retry-after"), c.retryAfter);
        }
        if (c.code === "provider_not_configured") {
          assert.match(error.message, /'azure-none'.*api_key or azure_ad_token/);
        }
        return true;
      });
    });
  }
  const bad = azure.chatRequests.find((r) => r.headers.get("api-key") === "wrong-key");
  assert.ok(bad, "the wrong key reached Azure as api-key");
  assert.equal(azure.remaining, 0);
  assert.ok(!s.gw.stdout().includes("wrong-key") && !s.gw.stdout().includes(KEY));
});

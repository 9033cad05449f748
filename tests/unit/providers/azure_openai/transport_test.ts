/**
 * The Azure transport sends what the `openai` package's own `AzureOpenAI` client sends: both hit
 * the same fake Azure resource and the recorded path, `api-version` query, credential headers
 * and body are compared, for chat completions (JSON and streamed), embeddings and the model
 * list, with an api-key and with an Entra ID token, for a mapped model and for one that names
 * its deployment itself. Azure's failures are the SDK's error classes.
 */
import assert from "node:assert/strict";
import { AuthenticationError, AzureOpenAI, NotFoundError, RateLimitError } from "openai";
import {
  azureUrl,
  createAzureTransport,
} from "../../../../core/providers/azure_openai/transport.ts";
import { mapOpenAIError } from "../../../../core/providers/openai/errors.ts";
import {
  azureCall,
  completion,
  type RecordedRequest,
  startFakeAzureOpenAI,
  streamReply,
  textDeltas,
} from "../../../fakes/azure_openai_upstream.ts";

const KEY = "az-unit-key";
const TOKEN = "entra-unit-token";
const VERSION = "2024-10-21";
const messages = [{ role: "user" as const, content: "Hi" }];

/** What Azure reads of a request. */
const seen = (r: RecordedRequest) => ({
  method: r.method,
  path: r.path,
  search: r.search,
  apiKey: r.headers.get("api-key"),
  authorization: r.headers.get("authorization"),
  team: r.headers.get("x-team"),
  body: r.body,
});

const credentials = [
  { name: "api-key", ours: { apiKey: KEY }, sdk: { apiKey: KEY } },
  {
    name: "Entra ID token",
    ours: { adToken: TOKEN },
    sdk: { azureADTokenProvider: () => Promise.resolve(TOKEN) },
  },
];

for (const credential of credentials) {
  Deno.test(`azure transport = AzureOpenAI (${credential.name}): chat, stream, embeddings, models`, async () => {
    await using azure = await startFakeAzureOpenAI({
      apiKey: KEY,
      adToken: TOKEN,
      deployments: ["prod-4o", "gpt-4o-mini", "embed-small", "team model:1"],
    });
    const signal = new AbortController().signal;
    const ours = createAzureTransport({
      endpoint: azure.endpoint,
      apiVersion: VERSION,
      credential: credential.ours,
      deployments: { "gpt-4o": "prod-4o", "text-embedding-3-small": "embed-small" },
      headers: { "x-team": "t1" },
    });
    const sdkFor = (deployment?: string) =>
      new AzureOpenAI({
        endpoint: azure.endpoint,
        apiVersion: VERSION,
        deployment,
        defaultHeaders: { "x-team": "t1" },
        maxRetries: 0,
        ...credential.sdk,
      });

    const pairs: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
      [
        "chat, mapped model",
        () =>
          ours.post("/chat/completions", { model: "gpt-4o", messages }, signal).then((r) =>
            r.json()
          ),
        () => sdkFor("prod-4o").chat.completions.create({ model: "gpt-4o", messages }),
      ],
      [
        "chat, model naming its deployment",
        () =>
          ours.post("/chat/completions", { model: "gpt-4o-mini", messages }, signal).then((r) =>
            r.json()
          ),
        () => sdkFor().chat.completions.create({ model: "gpt-4o-mini", messages }),
      ],
      [
        "chat, a model id the path encodes",
        () =>
          ours.post("/chat/completions", { model: "team model:1", messages }, signal).then((r) =>
            r.json()
          ),
        () => sdkFor().chat.completions.create({ model: "team model:1", messages }),
      ],
      [
        "stream",
        () =>
          ours.post("/chat/completions", { model: "gpt-4o", messages, stream: true }, signal)
            .then((r) => r.text()),
        async () => {
          const stream = await sdkFor("prod-4o").chat.completions.create({
            model: "gpt-4o",
            messages,
            stream: true,
          });
          for await (const _ of stream) { /* drain */ }
        },
      ],
      [
        "embeddings",
        () =>
          ours.post("/embeddings", { model: "text-embedding-3-small", input: ["a"] }, signal)
            .then((r) => r.json()),
        () =>
          sdkFor("embed-small").embeddings.create({
            model: "text-embedding-3-small",
            input: ["a"],
            encoding_format: "float",
          }),
      ],
      [
        "models",
        () => ours.get("/models", signal).then((r) => r.json()),
        () => sdkFor().models.list(),
      ],
    ];
    for (const [name, viaOurs, viaSdk] of pairs) {
      const reply = name === "stream"
        ? () => azure.script(streamReply(textDeltas(["x"])))
        : () => azure.script(completion({ content: "x" }));
      if (name.startsWith("chat") || name === "stream") reply();
      await viaOurs();
      const mine = seen(azure.requests[azure.requests.length - 1]);
      if (name.startsWith("chat") || name === "stream") reply();
      await viaSdk();
      const theirs = seen(azure.requests[azure.requests.length - 1]);
      if (name === "embeddings") {
        // The SDK asks for base64 unless told; the body the gateway sends is the client's.
        delete (mine.body as Record<string, unknown>).encoding_format;
        delete (theirs.body as Record<string, unknown>).encoding_format;
      }
      assert.deepEqual(mine, theirs, name);
      assert.ok(azureCall(azure.requests[azure.requests.length - 1]).apiVersion === VERSION);
    }
    const paths = azure.requests.map((r) => r.path);
    assert.deepEqual([...new Set(paths)], [
      "/openai/deployments/prod-4o/chat/completions",
      "/openai/deployments/gpt-4o-mini/chat/completions",
      "/openai/deployments/team%20model:1/chat/completions",
      "/openai/deployments/embed-small/embeddings",
      "/openai/models",
    ]);
    assert.ok(
      azure.requests.every((r) => r.search === `?api-version=${VERSION}`),
      "every call carries the api-version",
    );
  });
}

Deno.test("azureUrl: deployment-scoped paths, others under /openai, names encoded as the SDK does", () => {
  const e = "https://r.openai.azure.com";
  assert.equal(
    azureUrl(e, "2024-10-21", "/chat/completions", "prod-4o"),
    "https://r.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21",
  );
  assert.equal(
    azureUrl(e, "2024-10-21", "/responses", "prod-4o"),
    "https://r.openai.azure.com/openai/responses?api-version=2024-10-21",
  );
  assert.equal(
    azureUrl(e, "2025-04-01-preview", "/embeddings", "a b/c"),
    "https://r.openai.azure.com/openai/deployments/a%20b%2Fc/embeddings?api-version=2025-04-01-preview",
  );
  assert.equal(
    azureUrl(e, "x", "/chat/completions", ".."),
    "https://r.openai.azure.com/openai/deployments/%2E%2E/chat/completions?api-version=x",
  );
});

Deno.test("azure transport: Azure's 401, 404 and 429 are the SDK's error classes", async () => {
  await using azure = await startFakeAzureOpenAI({ apiKey: KEY, deployments: ["prod-4o"] });
  const signal = new AbortController().signal;
  const transport = (apiKey: string) =>
    createAzureTransport({
      endpoint: azure.endpoint,
      apiVersion: VERSION,
      credential: { apiKey },
      deployments: { "gpt-4o": "prod-4o" },
    });
  const failure = (apiKey: string, model: string) =>
    transport(apiKey).post("/chat/completions", { model, messages }, signal).then(
      () => undefined,
      (e) => e,
    );

  const denied = await failure("wrong", "gpt-4o");
  assert.ok(denied instanceof AuthenticationError, String(denied));
  assert.equal(mapOpenAIError(denied).code, "upstream_access_denied");
  assert.ok(!mapOpenAIError(denied).message.includes("wrong"));

  const missing = await failure(KEY, "gpt-unknown");
  assert.ok(missing instanceof NotFoundError, String(missing));
  assert.match(missing.message, /deployment for this resource does not exist/);

  azure.script({
    kind: "json",
    status: 429,
    headers: { "retry-after": "7" },
    body: { error: { code: "429", message: "Requests have exceeded the rate limit." } },
  });
  const limited = await failure(KEY, "gpt-4o");
  assert.ok(limited instanceof RateLimitError, String(limited));
  assert.equal(mapOpenAIError(limited).retryAfterSeconds, 7);
});

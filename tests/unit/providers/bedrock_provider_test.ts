/**
 * The Bedrock provider on its own: the real `BedrockRuntimeClient` against the fake, with a
 * guarded fetch whose DNS is injected so "public" image hosts can be served from loopback —
 * redirects to private addresses and oversized images are refused with the part named.
 */
import assert from "node:assert/strict";
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { GatewayError } from "../../../core/errors.ts";
import type { ChatRequest } from "../../../core/formats/openai/schema.ts";
import { silentLogger } from "../../../core/logger.ts";
import { createGuardedFetch, type GuardedFetchOptions } from "../../../core/net/guarded_fetch.ts";
import { createBedrockProvider } from "../../../core/providers/bedrock/bedrock_provider.ts";
import { checkCredentials, missingProfile } from "../../../core/providers/bedrock/credentials.ts";
import type { CallContext } from "../../../core/providers/provider.ts";
import { startFakeBedrock } from "../../fakes/bedrock_runtime.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9, 9, 9]);
const MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0";

const ctx = (signal = new AbortController().signal): CallContext => ({
  signal,
  now: () => new Date("2030-01-01T00:00:00Z"),
  newId: (prefix) => `${prefix}test`,
});

const imageRequest = (url: string): ChatRequest => ({
  model: MODEL,
  messages: [
    { role: "user", content: "first turn" },
    {
      role: "user",
      content: [{ type: "text", text: "look" }, { type: "image_url", image_url: { url } }],
    },
  ],
} as ChatRequest);

/** An image host on loopback that DNS (injected) claims is public. */
function setup(fetchOptions: Partial<GuardedFetchOptions> = {}) {
  const fake = startFakeBedrock();
  const images = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/redirect-private") {
      return new Response(null, {
        status: 302,
        headers: { location: "http://192.168.1.20/x.png" },
      });
    }
    if (path === "/big.png") return new Response(new Uint8Array(4096));
    return new Response(PNG, { headers: { "content-type": "image/png" } });
  });
  const port = images.addr.port;
  const client = new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: fake.url,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  const provider = createBedrockProvider({
    client,
    logger: silentLogger,
    fetchMedia: createGuardedFetch({
      allowPrivate: false,
      resolveHost: (host) =>
        host === "img.public.test"
          ? Promise.resolve(["93.184.216.34"])
          : Promise.reject(new Error("NXDOMAIN")),
      fetch: (input, init) => {
        const url = new URL(String(input));
        if (url.hostname === "img.public.test") {
          url.hostname = "127.0.0.1";
          url.port = String(port);
        }
        return fetch(url, init);
      },
      ...fetchOptions,
    }),
  });
  return {
    fake,
    provider,
    async [Symbol.asyncDispose]() {
      client.destroy();
      await images.shutdown();
      await fake.close();
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => undefined, (e) => e);
  assert.ok(error instanceof GatewayError, String(error));
  return error;
}

Deno.test("a public image URL is fetched and sent as bytes; the answer is a chat.completion", async () => {
  await using s = setup();
  const completion = await s.provider.complete(
    imageRequest("http://img.public.test/cat.png"),
    ctx(),
  );
  assert.equal(completion.id, "chatcmpl-test");
  assert.equal(completion.created, Date.parse("2030-01-01T00:00:00Z") / 1000);
  assert.equal(completion.choices[0].message.content, `Hello from ${MODEL}`);
  const body = s.fake.requests[0].body as { messages: Array<{ content: unknown[] }> };
  const image = body.messages[0].content.find((b) => (b as { image?: unknown }).image);
  assert.deepEqual(image, {
    image: { format: "png", source: { bytes: btoa(String.fromCharCode(...PNG)) } },
  });
});

Deno.test("a redirect to a private address is refused, naming the part", async () => {
  await using s = setup();
  const error = await rejection(
    s.provider.complete(imageRequest("http://img.public.test/redirect-private"), ctx()),
  );
  assert.equal(error.kind, "invalid_request");
  assert.equal(error.param, "messages[1].content[1].image_url");
  assert.match(error.message, /non-public address \(private\)/);
  assert.equal(s.fake.requests.length, 0);
});

Deno.test("an image over the size limit is refused before Bedrock is called", async () => {
  await using s = setup({ maxBytes: 1024 });
  const error = await rejection(
    s.provider.complete(imageRequest("http://img.public.test/big.png"), ctx()),
  );
  assert.equal(error.kind, "invalid_request");
  assert.match(error.message, /larger than 1024 bytes/);
  assert.equal(s.fake.requests.length, 0);
});

Deno.test("stream: errors before the first event reject the first next()", async () => {
  await using s = setup();
  s.fake.enqueue({ kind: "error", type: "AccessDeniedException", message: "denied" });
  const iterator = s.provider.stream(imageRequest("data:image/png;base64,iVBORw0KGgo="), ctx())[
    Symbol.asyncIterator
  ]();
  const error = await rejection(iterator.next());
  assert.equal(error.kind, "permission");
});

Deno.test("an already-aborted signal cancels the call", async () => {
  await using s = setup();
  const controller = new AbortController();
  controller.abort();
  const error = await rejection(
    s.provider.complete(
      { model: MODEL, messages: [{ role: "user", content: "hi" }] } as ChatRequest,
      ctx(controller.signal),
    ),
  );
  assert.equal(error.code, "request_cancelled");
});

Deno.test("listModels without a control client serves the catalog, owned_by bedrock", async () => {
  await using s = setup();
  const models = await s.provider.listModels();
  assert.ok(models.length > 10);
  assert.ok(models.every((m) => m.owned_by === "bedrock"));
});

Deno.test("missingProfile: AWS_PROFILE must name a profile of a shared file", async (t) => {
  const files: Record<string, string> = {
    "/h/.aws/config": "[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n",
    "/h/.aws/credentials": "[ci]\naws_access_key_id = AKID\n",
  };
  const read = (path: string) => files[path];
  const rows: Array<[string, Record<string, string>, boolean]> = [
    ["unset", { HOME: "/h" }, true],
    ["default in config", { HOME: "/h", AWS_PROFILE: "default" }, true],
    ["profile dev in config", { HOME: "/h", AWS_PROFILE: "dev" }, true],
    ["ci in credentials", { HOME: "/h", AWS_PROFILE: "ci" }, true],
    ["unknown", { HOME: "/h", AWS_PROFILE: "prod" }, false],
    [
      "'profile ci' is not a credentials-file section",
      { HOME: "/h", AWS_PROFILE: "profile ci" },
      false,
    ],
    ["other files named by the variables", {
      AWS_CONFIG_FILE: "/x",
      AWS_SHARED_CREDENTIALS_FILE: "/y",
      AWS_PROFILE: "dev",
    }, false],
    ["a name with regex characters", { HOME: "/h", AWS_PROFILE: "d.v" }, false],
  ];
  for (const [name, env, ok] of rows) {
    await t.step(name, () => {
      const problem = missingProfile(env, read);
      if (ok) return assert.equal(problem, undefined);
      assert.match(
        problem ?? "",
        new RegExp(`^AWS_PROFILE '${env.AWS_PROFILE.replace(".", "\\.")}' is not defined in `),
      );
    });
  }
});

Deno.test("checkCredentials: resolved, failing and hanging providers", async () => {
  assert.equal(await checkCredentials(() => Promise.resolve({ accessKeyId: "AKID" })), "resolved");
  assert.equal(await checkCredentials(() => Promise.reject(new Error("no creds"))), "unresolved");
  assert.equal(await checkCredentials(() => new Promise(() => {}), 20), "unresolved");
});

/**
 * Images for Bedrock through the gateway: `data:` URLs decoded, http(s) URLs fetched by the
 * gateway through the guarded fetch (loopback refused unless `ALLOW_PRIVATE_IMAGE_URLS=true`),
 * bytes sent to Converse as an image block.
 */
import assert from "node:assert/strict";
import { encodeBase64 } from "../../core/text/base64.ts";
import { bedrockGateway, runtimeRequests } from "./bedrock_harness.ts";

const MODEL = "us.amazon.nova-pro-v1:0";
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);

function imageServer() {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    hits.push(new URL(req.url).pathname);
    return new Response(PNG, { headers: { "content-type": "image/png" } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    hits,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const withImage = (url: string) => ({
  model: MODEL,
  messages: [{
    role: "user",
    content: [
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url } },
    ],
  }],
});

type ImageBlock = { image: { format: string; source: { bytes: string } } };

Deno.test("an image URL on a local server is fetched when ALLOW_PRIVATE_IMAGE_URLS=true", async () => {
  await using images = imageServer();
  await using h = bedrockGateway({ env: { ALLOW_PRIVATE_IMAGE_URLS: "true" } });
  const res = await h.gw.post("/v1/chat/completions", withImage(`${images.url}/cat.png`));
  assert.equal(res.status, 200, await res.clone().text());
  await res.body?.cancel();
  assert.deepEqual(images.hits, ["/cat.png"]);
  const [req] = runtimeRequests(h.fake);
  const content = (req.body as { messages: Array<{ content: unknown[] }> }).messages[0].content;
  assert.deepEqual(content[0], { text: "What is this?" });
  const block = content[1] as ImageBlock;
  assert.equal(block.image.format, "png");
  assert.equal(block.image.source.bytes, encodeBase64(PNG));
});

Deno.test("a loopback image URL is refused by default: 400 naming the part, nothing fetched", async () => {
  await using images = imageServer();
  await using h = bedrockGateway();
  for (const stream of [false, true]) {
    const res = await h.gw.post("/v1/chat/completions", {
      ...withImage(`${images.url}/cat.png`),
      stream,
    });
    assert.equal(res.status, 400);
    const { error } = await res.json();
    assert.equal(error.type, "invalid_request_error");
    assert.equal(error.param, "messages[0].content[1].image_url");
    assert.match(error.message, /loopback/);
  }
  for (
    const url of [
      "http://169.254.169.254/latest/meta-data/iam/",
      "http://[::1]/x.png",
      "http://10.0.0.7/a.png",
    ]
  ) {
    const res = await h.gw.post("/v1/chat/completions", withImage(url));
    assert.equal(res.status, 400, url);
    await res.body?.cancel();
  }
  assert.deepEqual(images.hits, []);
  assert.equal(runtimeRequests(h.fake).length, 0);
});

Deno.test("a data: URL image goes to Converse as bytes without any fetch", async () => {
  await using h = bedrockGateway();
  const res = await h.gw.post(
    "/v1/chat/completions",
    withImage(`data:image/png;base64,${encodeBase64(PNG)}`),
  );
  assert.equal(res.status, 200);
  await res.body?.cancel();
  const [req] = runtimeRequests(h.fake);
  const block = (req.body as { messages: Array<{ content: unknown[] }> }).messages[0]
    .content[1] as ImageBlock;
  assert.deepEqual(block.image, { format: "png", source: { bytes: encodeBase64(PNG) } });
});

Deno.test("a fetched body that is not an image is a 400 naming the part", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Response("<html>not an image</html>", { headers: { "content-type": "text/html" } }),
  );
  try {
    await using h = bedrockGateway({ env: { ALLOW_PRIVATE_IMAGE_URLS: "true" } });
    const res = await h.gw.post(
      "/v1/chat/completions",
      withImage(`http://127.0.0.1:${server.addr.port}/page`),
    );
    assert.equal(res.status, 400);
    const { error } = await res.json();
    assert.equal(error.param, "messages[0].content[1].image_url");
    assert.equal(runtimeRequests(h.fake).length, 0);
  } finally {
    await server.shutdown();
  }
});
